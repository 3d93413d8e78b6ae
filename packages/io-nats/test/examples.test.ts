// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  // source-to-sink.ts needs a nats-server: test/integration/examples.int.test.ts runs it.
  coversEveryExample(join(import.meta.dirname, '../examples'), ['partition.ts', 'source-to-sink.ts']);

  it('partition.ts: prints the mapping and the filter subjects', async () => {
    expect(await printed(() => import('../examples/partition.js'))).toEqual([
      'mappings = {\n  "logins.*": "logins.part.{{partition(2,1)}}.{{wildcard(1)}}"\n}\n',
      'logins.part.0.> logins.part.1.>',
    ]);
  });
});
