// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  coversEveryExample(join(import.meta.dirname, '../examples'), [
    'detect.ts',
    'correlate.ts',
    'pipeline.ts',
    'explain.ts',
    'logsource-routing.ts',
  ]);

  it('detect.ts: loads the good rule, reports the bad one, honours the filter', async () => {
    expect(await printed(() => import('../examples/detect.js'))).toEqual([
      'loaded 1 rule(s)',
      'skipped "Broken Regex" in rules.yml: invalid_regex',
      'Whoami Execution [medium] via selection',
      'no match',
    ]);
  });

  it('correlate.ts: fires on the third failed login and suppresses the fourth', async () => {
    expect(await printed(() => import('../examples/correlate.js'))).toEqual([
      'loaded 1 detection rule(s), 0 problem(s)',
      '2024-05-01T10:00:00.000Z 1 detection(s)',
      '2024-05-01T10:00:30.000Z 1 detection(s)',
      '2024-05-01T10:01:00.000Z Brute Force: 3 events for User=alice',
      '2024-05-01T10:01:30.000Z 1 detection(s)',
    ]);
  });

  it('pipeline.ts: the sysmon pipeline restricts process_creation to EventID 1', async () => {
    expect(await printed(() => import('../examples/pipeline.js'))).toEqual(['EventID 1: match', 'EventID 4688: no match']);
  });

  it('explain.ts: names the item that failed', async () => {
    expect(await printed(() => import('../examples/explain.js'))).toEqual([
      'PowerShell Encoded Command: matched=false',
      '  selection.Image endswith "\\\\powershell.exe": value_mismatch',
      '  selection.CommandLine contains " -enc ": matched',
    ]);
  });

  it('logsource-routing.ts: prunes only conflicting logsources', async () => {
    expect(await printed(() => import('../examples/logsource-routing.js'))).toEqual([
      'os=windows: 1 match(es)',
      'os=linux: 0 match(es)',
      'os=(unset, default windows): 1 match(es)',
      'linux: 0 match(es)',
    ]);
  });
});
