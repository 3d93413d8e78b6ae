// Lints the pinned SigmaHQ snapshot: no errors (SigmaHQ passes its own CI), and the warning and info counts per
// rule printed and pinned, so a check that starts firing on real rules is noticed.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../../test/corpus.js';
import { lintPaths } from '../src/index.js';

const FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder'];

describeCorpus('SigmaHQ corpus', () => {
  it('lints every rule file without errors', { timeout: 120_000 }, () => {
    const run = lintPaths(FOLDERS.map((f) => join(corpusPath('sigmahq'), f)));
    expect(run.files).toHaveLength(3777);
    const counts: Record<string, number> = {};
    for (const f of run.findings) counts[`${f.severity} ${f.rule}`] = (counts[`${f.severity} ${f.rule}`] ?? 0) + 1;
    console.log(
      'SigmaHQ lint findings per rule:\n' +
        Object.entries(counts)
          .sort()
          .map(([k, n]) => `  ${k}: ${n}`)
          .join('\n'),
    );
    expect(run.findings.filter((f) => f.severity === 'error').map((f) => `${f.path}:${f.line}:${f.column} ${f.rule} ${f.message}`)).toEqual(
      [],
    );
    // `simulation` and `regression_tests_path` are SigmaHQ's own keys, outside the specification; the nine
    // wildcards are Kubernetes audit rules matching any `hostPath` / `capabilities` value.
    expect(counts).toEqual({ 'info unknown_key': 267, 'warning wildcard_only_value': 9 });
  });
});
