// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

/** Runs an example by importing it and returns what it printed with console.log, one string per call. */
async function printed(load: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    await load();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/** Fails when a file of examples/ has no test here (each one is a README snippet). */
function coversEveryExample(tested: string[]): void {
  it('runs every file of examples/', () => {
    const files = readdirSync(join(import.meta.dirname, '../examples')).filter((f) => f.endsWith('.ts'));
    expect(files.sort()).toEqual([...tested].sort());
  });
}

describe('examples', () => {
  coversEveryExample(['detect.ts', 'correlate.ts', 'pipeline.ts', 'explain.ts', 'logsource-routing.ts']);

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
