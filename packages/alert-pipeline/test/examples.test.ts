// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  coversEveryExample(join(import.meta.dirname, '../examples'), ['dedup-and-group.ts']);

  it('dedup-and-group.ts: folds the repeat, silences the lab IP, reports two incidents and one repeat', async () => {
    expect(await printed(() => import('../examples/dedup-and-group.js'))).toEqual([
      't+0 10.0.0.1: delivered, incident 383cec03aede7b76',
      't+5 10.0.0.1: held back',
      't+10 192.168.1.7: held back',
      't+20 10.0.0.2: delivered, incident 383ceb03aede79c3',
      't+30 incident 383cec03aede7b76 group_wait: 1 result(s) from 10.0.0.1',
      't+60 dedup repeat x2',
      't+60 incident 383ceb03aede79c3 group_wait: 1 result(s) from 10.0.0.2',
    ]);
  });
});
