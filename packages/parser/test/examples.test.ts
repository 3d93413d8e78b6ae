// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  coversEveryExample(join(import.meta.dirname, '../examples'), ['parse-string.ts', 'parse-file.ts']);

  it('parse-string.ts: keeps the good rule and locates the bad one', async () => {
    expect(await printed(() => import('../examples/parse-string.js'))).toEqual([
      'rule: Whoami (process_creation)',
      'rules/discovery.yml:16:5 error unknown_modifier at detection.selection.CommandLine|contians in "Net User"',
      'some documents were rejected',
    ]);
  });

  it('parse-file.ts: reads a file, a directory and a missing path', async () => {
    expect(await printed(() => import('../examples/parse-file.js'))).toEqual([
      'Whoami Execution, Net User Execution',
      'rules loaded: B',
      `${join('tree', 'sub', 'bad.yml')}:6:5 unknown_modifier at detection.sel.Image|contians`,
      'io',
    ]);
  });
});
