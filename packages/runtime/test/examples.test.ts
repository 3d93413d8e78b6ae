// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  coversEveryExample(join(import.meta.dirname, '../examples'), [
    'load-rules.ts',
    'process-lines.ts',
    'parse-line.ts',
    'run-pipeline.ts',
    'parallel-evaluation.ts',
  ]);

  it('run-pipeline.ts: results reach both sinks through the stage, the bad line reaches the dead-letter sink', async () => {
    expect(await printed(() => import('../examples/run-pipeline.js'))).toEqual([
      'alerts: Whoami Execution',
      'alerts: Whoami Execution',
      'archive: Whoami Execution',
      'archive: Whoami Execution',
      'dlq: parse error: Unexpected end of JSON input',
      'received 4, processed 3, dead-lettered 1, results 2',
    ]);
  });

  it('parallel-evaluation.ts: two workers give the one-thread results in input order', async () => {
    expect(await printed(() => import('../examples/parallel-evaluation.js'))).toEqual([
      'Whoami Execution: "whoami #0"',
      'Whoami Execution: "whoami #250"',
      'Whoami Execution: "whoami #500"',
      'Whoami Execution: "whoami #750"',
      'received 1000, results 4, workers 2',
    ]);
  });

  it('load-rules.ts: loads two paths as one set; a bad rule rejects the load unless skipped', async () => {
    expect(await printed(() => import('../examples/load-rules.js'))).toEqual([
      '2 files: 2 detection rules, 1 correlation rules',
      'rule_load: "Broken Rule" unknown_modifier',
      'loaded 1, skipped "Broken Rule"',
    ]);
  });

  it('process-lines.ts: detects in JSON, syslog-wrapped JSON and logfmt lines', async () => {
    expect(await printed(() => import('../examples/process-lines.js'))).toEqual([
      'auto #0: Whoami Execution',
      'auto #1: Whoami Execution',
      'auto #2: no detection',
      'logfmt: Whoami Execution',
      'json: 0 and 1 detection(s)',
    ]);
  });

  it('parse-line.ts: one event per format, a failure for a JSON array', async () => {
    const lines = await printed(() => import('../examples/parse-line.js'));
    expect(lines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(['json', 'syslog', 'logfmt', 'cef', 'json']);
    expect(lines[0]).toBe('json: {"user":"alice","action":"login"}');
    expect(lines[1]).toContain('"hostname":"mymachine","appname":"su"');
    expect(lines[2]).toBe('logfmt: {"level":"warn","msg":"disk full","host":"db1"}');
    expect(lines[3]).toContain('"deviceVendor":"Palo Alto"');
    expect(lines[4]).toMatch(/^json: rejected \(/);
  });
});
