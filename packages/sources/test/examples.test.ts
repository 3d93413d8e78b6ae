// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  coversEveryExample(join(import.meta.dirname, '../examples'), ['blocklist-pipeline.ts', 'resolve-source.ts']);

  it('blocklist-pipeline.ts: the CEL-filtered feed reaches the rule; the watcher is listed', async () => {
    expect(await printed(() => import('../examples/blocklist-pipeline.js'))).toEqual([
      'ip_blocklist = ["203.0.113.42","10.0.0.5"]',
      '203.0.113.42: Connection To Blocklisted Address',
      '198.51.100.7: no match',
      'ip_blocklist: resolved (watch)',
    ]);
  });

  it('resolve-source.ts: fetched, then cached after a failure, then the error with use_cached set aside', async () => {
    expect(await printed(() => import('../examples/resolve-source.js'))).toEqual([
      'fetched: ["alice","bob"]',
      'cache: ["alice","bob"]',
      `fetch: source 'owners': command ${process.execPath} exited with code 2`,
    ]);
  });
});
