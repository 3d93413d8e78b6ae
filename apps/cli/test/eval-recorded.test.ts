// `tsigma eval` output compared with output recorded before the CLI moved onto @tsigma/runtime (issue 11): the
// regression corpus case by case, SigmaHQ's rules over every EVTX sample, and correlation scenarios. A change of
// output must show up here as a snapshot diff and be reviewed; `vitest -u` re-records.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../../test/corpus.js';
import { writeCorrelationWorkload } from '../bench/workload.js';
import { tsigmaInProcess } from './in-process.js';

const FIX = resolve(import.meta.dirname, 'fixtures');
const DEMO = resolve(import.meta.dirname, '../../../demo');

const tsigma = tsigmaInProcess;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';
/** Corpus paths in output (summaries, results' `source`) are made relative, so recordings do not depend on where the checkout lives. */
const relative = (text: string): string => text.split(corpusPath()).join('<corpus>');

describeCorpus('recorded eval output: SigmaHQ regression cases (.evtx, -p windows)', () => {
  it('prints the recorded results for every case', async () => {
    const cases = JSON.parse(readFileSync(corpusPath('regression/manifest.json'), 'utf8')) as {
      rule_id: string;
      rule_path: string;
      evtx: string;
    }[];
    let recorded = '';
    for (const c of cases) {
      const r = await tsigma([
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
      recorded += `## ${c.rule_id} exit ${r.code}: ${lastLine(r.stderr)}\n${relative(r.stdout)}`;
    }
    await expect(recorded).toMatchFileSnapshot('recorded/regression.txt');
  }, 120_000);
});

describeCorpus('recorded eval output: SigmaHQ rules over every EVTX sample', () => {
  it('prints the recorded results', async () => {
    const samples = readdirSync(corpusPath('evtx'))
      .filter((f) => f.endsWith('.evtx'))
      .sort();
    const args = ['eval', '-r', corpusPath('sigmahq'), '-p', 'windows', '--output-format', 'ndjson'];
    for (const s of samples) args.push('-i', corpusPath('evtx', s));
    const r = await tsigma(args);
    expect({
      code: r.code,
      lines: r.stdout.split('\n').length - 1,
      // EVTX results name their file (`source`): relative, so the hash does not depend on where the checkout lives.
      stdoutSha256: sha256(relative(r.stdout)),
      summary: relative(lastLine(r.stderr)),
    }).toMatchSnapshot();
  }, 120_000);
});

describe('recorded eval output: correlation scenarios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsigma-recorded-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the correlation workload of the benchmarks (20,000 events, 300 users)', async () => {
    const w = writeCorrelationWorkload(dir, 20_000, 300);
    const r = await tsigma(['eval', '-r', w.rules, '-i', w.events, '--suppress', '5m']);
    expect({
      code: r.code,
      lines: r.stdout.split('\n').length - 1,
      stdoutSha256: sha256(r.stdout),
      summary: lastLine(r.stderr),
    }).toMatchSnapshot();
    const small = writeCorrelationWorkload(join(dir, 'small'), 2_000, 40);
    const refs = await tsigma([
      'eval',
      '-r',
      small.rules,
      '-i',
      small.events,
      '--correlation-event-mode',
      'refs',
      '--no-detections',
      '--action',
      'reset',
    ]);
    await expect(refs.stdout).toMatchFileSnapshot('recorded/workload-refs.ndjson');
  });

  it('brute force over stdin, as table and JSON array', async () => {
    const events = [1, 2, 3, 4, 5, 6]
      .map((i) => JSON.stringify({ timestamp: `2026-01-01T00:00:0${i}Z`, event_type: 'login_failure', src_ip: '10.0.0.1' }))
      .join('\n');
    const ndjson = await tsigma(['eval', '-r', join(FIX, 'rules-brute'), '--output-format', 'ndjson'], events);
    const table = await tsigma(['eval', '-r', join(FIX, 'rules-brute'), '--output-format', 'table'], events);
    const json = await tsigma(['eval', '-r', join(FIX, 'rules-brute'), '--output-format', 'json', '--include-event'], events);
    await expect(`${ndjson.stdout}${ndjson.stderr}--\n${table.stdout}--\n${json.stdout}`).toMatchFileSnapshot('recorded/brute.txt');
  });

  it('the demo rules over the demo events', async () => {
    const r = await tsigma([
      'eval',
      '-r',
      join(DEMO, 'rules'),
      '-i',
      join(DEMO, 'events/events.ndjson'),
      '--output-format',
      'ndjson',
      '--dump-correlation-state',
    ]);
    await expect(`exit ${r.code}\n${r.stdout}--\n${r.stderr.split(DEMO).join('<demo>')}`).toMatchFileSnapshot('recorded/demo.txt');
  });
});
