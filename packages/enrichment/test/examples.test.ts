// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  coversEveryExample(join(import.meta.dirname, '../examples'), ['runbook-and-owner.ts']);

  it('runbook-and-owner.ts: a runbook link for both, the owner from the table or the default', async () => {
    expect(await printed(() => import('../examples/runbook-and-owner.js'))).toEqual([
      '{"runbook_url":"https://wiki.example/runbooks/svc-install","owner":"IT-Ops"}',
      '{"runbook_url":"https://wiki.example/runbooks/svc-install","owner":"unknown"}',
    ]);
  });
});
