// `tsigma eval --threads N` (issue 17): detection in N worker threads, correlation and output on the main thread,
// must print exactly what one thread prints, order included: on the SigmaHQ regression corpus (every case's rule
// over every case's .evtx in one run) and on generated correlation scenarios in every evidence mode.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../../test/corpus.js';
import { writeCorrelationWorkload } from '../bench/workload.js';
import { tsigmaInProcess } from './in-process.js';

/** Runs eval with `--threads 1`, 2 and 4 and checks all three print the same bytes; returns one-thread output. */
async function sameOutputAcrossThreads(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const runs = [];
  for (const threads of ['1', '2', '4']) runs.push(await tsigmaInProcess(['eval', ...args, '--threads', threads]));
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  const [one, two, four] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
  expect(two.stdout).toBe(one.stdout);
  expect(four.stdout).toBe(one.stdout);
  expect(two.stderr).toBe(one.stderr);
  expect(four.stderr).toBe(one.stderr);
  return one;
}

describeCorpus('--threads: SigmaHQ regression corpus', () => {
  it('gives byte-identical results with 1, 2 and 4 threads', async () => {
    const cases = JSON.parse(readFileSync(corpusPath('regression/manifest.json'), 'utf8')) as { rule_path: string; evtx: string }[];
    const args = ['-q', '-p', 'windows', '--output-format', 'ndjson', '--batch-size', '64'];
    for (const c of cases) args.push('-r', corpusPath(c.rule_path));
    for (const c of cases) args.push('-i', corpusPath(c.evtx));
    const { stdout } = await sameOutputAcrossThreads(args);
    // Not vacuous: every case fires at least once in the combined run.
    expect(stdout.split('\n').filter((l) => l !== '').length).toBeGreaterThanOrEqual(cases.length);
  }, 180_000);
});

describeCorpus('--threads: every EVTX sample, damaged ones included', () => {
  it('gives the same results, and the same warnings (decoded in workers), as one thread', async () => {
    // SigmaHQ's rules for the Windows builtin channels: they fire on these samples (293 hits).
    const args = ['eval', '-r', corpusPath('sigmahq/rules/windows/builtin'), '-p', 'windows', '--output-format', 'ndjson'];
    for (const f of readdirSync(corpusPath('evtx'))
      .filter((name) => name.endsWith('.evtx'))
      .sort())
      args.push('-i', corpusPath('evtx', f));
    const one = await tsigmaInProcess([...args, '--threads', '1']);
    const two = await tsigmaInProcess([...args, '--threads', '2']);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    // Warnings of chunks decoded in workers are printed when their batch is correlated, so only their order may differ.
    const lines = (text: string): string[] =>
      text
        .split('\n')
        .filter((l) => l !== '')
        .sort();
    expect(lines(two.stderr)).toEqual(lines(one.stderr));
    expect(one.stderr).toMatch(/warning\[/);
    expect(one.stdout.split('\n').length).toBeGreaterThan(100);
  }, 180_000);
});

describe('--threads: correlation scenarios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsigma-threads-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const w = writeCorrelationWorkload(dir, 20_000, 300);
  // A correlation whose detections are hidden (generate: false keeps only the correlation's results), fed by a
  // field under a dotted path, so the workers must project exactly what the correlation reads.
  writeFileSync(
    join(w.rules, 'hidden.yml'),
    `title: big upload
id: big-upload
name: big_upload
logsource: { category: app }
detection:
  selection:
    kind: upload
  condition: selection
level: low
---
title: many big uploads
id: c-hidden
correlation:
  type: event_count
  rules: [big_upload]
  group-by: [user, file]
  timespan: 5m
  generate: false
  condition: { gte: 3 }
level: high
`,
  );
  const base = ['-r', w.rules, '-i', w.events, '--output-format', 'ndjson', '--batch-size', '100'];

  it.each([
    ['default evidence', []],
    ['full evidence (whole events cross threads)', ['--correlation-event-mode', 'full', '--suppress', '5m']],
    ['event references', ['--correlation-event-mode', 'refs']],
    ['events embedded, correlations only', ['--include-event', '--no-detections']],
  ])(
    '%s: byte-identical with 1, 2 and 4 threads',
    async (_name, extra) => {
      const { stdout } = await sameOutputAcrossThreads([...base, ...extra]);
      expect(stdout).toContain('"correlation_type"');
    },
    120_000,
  );
});

describe('--threads flag', () => {
  it('refuses values that are not a thread count', async () => {
    for (const bad of ['0', 'two', '1.5', '65']) {
      const r = await tsigmaInProcess(['eval', '-r', 'x', '-e', '{}', '--threads', bad]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('--threads must be an integer from 1 to 64');
    }
  });
});
