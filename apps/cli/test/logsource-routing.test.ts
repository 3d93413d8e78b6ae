// Logsource routing on real logs (issue 13): all of SigmaHQ's `rules/` through `-p windows` over every EVTX file
// of the corpus (the regression cases' and the samples'). Routing must keep every regression case firing, must
// keep any rule for another product or another kind of log off EVTX records, and must never change what a
// Windows rule finds: the windows pipeline already holds those rules to the same channels and event ids.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSigmaRuleFiles, readSigmaFiles, type LogSource } from '@tsigma/parser';
import { beforeAll, expect, it } from 'vitest';
import { corpusPath, describeCorpus, hasCorpus } from '../../../test/corpus.js';
import { tsigmaInProcess } from './in-process.js';

interface RegressionCase {
  rule_id: string;
  evtx: string;
  match_count: number | null;
}
interface Hit {
  rule_id: string | null;
  rule_title: string;
  event_id?: number;
  record_id?: number;
  source?: string;
}

const RULE_DIRS = ['sigmahq/rules', 'sigmahq/rules-emerging-threats', 'sigmahq/rules-threat-hunting'];

async function evalAll(inputs: string[], extra: string[]): Promise<Hit[]> {
  const args = [
    'eval',
    ...RULE_DIRS.flatMap((dir) => ['-r', corpusPath(dir)]),
    '-p',
    'windows',
    '--output-format',
    'ndjson',
    '-q',
    ...extra,
  ];
  for (const input of inputs) args.push('-i', input);
  const r = await tsigmaInProcess(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Hit);
}

describeCorpus('logsource routing on the corpus EVTX files with all SigmaHQ rules', () => {
  const cases = hasCorpus ? (JSON.parse(readFileSync(corpusPath('regression/manifest.json'), 'utf8')) as RegressionCase[]) : [];
  const inputs = hasCorpus
    ? [
        ...new Set(cases.map((c) => corpusPath(c.evtx))),
        ...readdirSync(corpusPath('evtx'))
          .filter((f) => f.endsWith('.evtx'))
          .map((f) => join(corpusPath('evtx'), f)),
      ]
    : [];
  let routed: Hit[] = [];
  let unrouted: Hit[] = [];
  const logsources = new Map<string, LogSource>();

  beforeAll(async () => {
    routed = await evalAll(inputs, []);
    unrouted = await evalAll(inputs, ['--no-logsource-routing']);
    for (const dir of RULE_DIRS) {
      const { files } = await findSigmaRuleFiles(corpusPath(dir));
      for (const collection of readSigmaFiles(files)) {
        for (const rule of collection.rules) if (rule.id !== undefined) logsources.set(rule.id, rule.logsource);
      }
    }
  }, 120_000);

  it('keeps every regression case firing', () => {
    const fired = new Map<string, number>();
    for (const hit of routed) if (hit.rule_id !== null) fired.set(hit.rule_id, (fired.get(hit.rule_id) ?? 0) + 1);
    const missing = cases.filter((c) => (fired.get(c.rule_id) ?? 0) < (c.match_count ?? 1)).map((c) => c.rule_id);
    expect(missing).toEqual([]);
  });

  it('never fires a rule whose logsource is not a Windows one on an EVTX record', () => {
    const foreign = routed.filter((hit) => {
      const ls = logsources.get(hit.rule_id ?? '');
      if (ls === undefined) return true;
      return ls.product !== undefined ? ls.product !== 'windows' : ls.category !== undefined && ls.category !== 'antivirus';
    });
    expect(foreign.map((h) => h.rule_title)).toEqual([]);
    // Without routing the same run does fire such rules, so the check above can fail.
    expect(unrouted.some((hit) => logsources.get(hit.rule_id ?? '')?.product === 'cisco')).toBe(true);
  });

  it('finds exactly what the unrouted run finds for rules of product windows', () => {
    const windowsHits = (hits: Hit[]): string[] =>
      hits
        .filter((hit) => logsources.get(hit.rule_id ?? '')?.product === 'windows')
        .map((hit) => `${hit.source}#${hit.record_id} ${hit.rule_id}`)
        .sort();
    expect(windowsHits(routed).length).toBeGreaterThan(300);
    expect(windowsHits(routed)).toEqual(windowsHits(unrouted));
  });
});
