// SigmaHQ's regression suite end to end: every case's own `.evtx` file, read by @tsigma/evtx, evaluated by
// `tsigma eval -r <rule> -p windows -i <file.evtx>` exactly as a user would type it, must make the rule fire
// at least as often as the manifest says (issue 5). Runs the command in-process so 92 cases stay fast.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { corpusPath, describeCorpus, hasCorpus } from '../../../test/corpus.js';
import { tsigmaInProcess } from './in-process.js';

interface RegressionCase {
  rule_id: string;
  rule_title: string;
  rule_path: string;
  evtx: string;
  match_count: number | null;
}

/** Cases that cannot pass from the binary file, with the reason; asserted to still fail. Keep it empty. */
const EXCEPTIONS: Readonly<Record<string, string>> = {};

async function evalEvtx(c: RegressionCase): Promise<{ code: number; results: { rule_id?: string }[]; stderr: string }> {
  const r = await tsigmaInProcess([
    'eval',
    '-r',
    corpusPath(c.rule_path),
    '-p',
    'windows',
    '-i',
    corpusPath(c.evtx),
    '--output-format',
    'ndjson',
  ]);
  const results = r.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { rule_id?: string });
  return { code: r.code, results, stderr: r.stderr };
}

describeCorpus('SigmaHQ regression cases from .evtx through tsigma eval -p windows', () => {
  // Read at collection time (one test per case) only when present: without the corpus this body just names skipped tests.
  const cases = hasCorpus ? (JSON.parse(readFileSync(corpusPath('regression/manifest.json'), 'utf8')) as RegressionCase[]) : [];

  it('covers the whole manifest', () => {
    expect(cases).toHaveLength(92);
  });

  for (const c of cases) {
    const want = c.match_count ?? 1;
    const check = async () => {
      const { code, results, stderr } = await evalEvtx(c);
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/Processed \d+ EVTX records/);
      expect(results.filter((r) => r.rule_id === c.rule_id).length, stderr).toBeGreaterThanOrEqual(want);
    };
    const reason = EXCEPTIONS[c.rule_id];
    if (reason !== undefined) it.fails(`${c.rule_title} — known exception: ${reason}`, check);
    else it(`${c.rule_title} (${c.rule_id}) fires at least ${want}×`, check);
  }
});
