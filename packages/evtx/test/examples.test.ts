// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  coversEveryExample(join(import.meta.dirname, '../examples'), ['read-file.ts']);

  it('read-file.ts: lists the four records of the fixture', async () => {
    expect(await printed(() => import('../examples/read-file.js'))).toEqual([
      '#1 2013-10-23T16:22:39.973500Z Security 4728',
      '#2 2013-10-23T16:22:39.989125Z Security 4720',
      '#3 2013-10-23T16:22:39.989125Z Security 4732',
      '#4 2013-10-23T16:22:40.036000Z Security 4732',
      '0 problem(s)',
    ]);
  });
});
