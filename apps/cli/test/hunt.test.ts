// Hunting through EVTX as incident responders do (issue 13): directories as inputs, the windows pipeline chosen
// for .evtx, the timeline views, --sort time, --min-level, the closing summary, and rule warnings kept short.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus, hasCorpus } from '../../../test/corpus.js';
import { readCsv } from './csv.js';
import { tsigmaInProcess as tsigma } from './in-process.js';

const FIX = resolve(import.meta.dirname, 'fixtures');
const EVTX = join(FIX, 'evtx/new-user-security.evtx');
const work = mkdtempSync(join(tmpdir(), 'tsigma-hunt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RULES = join(work, 'rules');
mkdirSync(RULES);
writeFileSync(
  join(RULES, 'created.yml'),
  readFileSync(join(FIX, 'evtx-rule.yml'), 'utf8').replace('Event.System.EventID: 4720', 'EventID: 4720'),
);
writeFileSync(
  join(RULES, 'logon.yml'),
  `title: Any Security event
id: any-security
logsource: {product: windows, service: security}
detection:
  sel:
    CommandLine|contains|windash: '-x'
  anything:
    EventID|gt: 0
  condition: sel or anything
level: low
`,
);

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('tsigma eval hunting EVTX', () => {
  it('applies the windows pipeline to .evtx input unless pipelines are given, and says so once', async () => {
    const auto = await tsigma(['eval', '-r', RULES, '-i', EVTX, '-i', EVTX, '--output-format', 'ndjson']);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr.match(/note: \.evtx input: using the windows pipeline/g)).toHaveLength(1);
    expect(ndjson(auto.stdout).filter((r) => r['rule_id'] === '4720-created')).toHaveLength(2);
    const chosen = await tsigma(['eval', '-r', RULES, '-p', 'sysmon', '-i', EVTX, '--output-format', 'ndjson']);
    expect(chosen.stderr).not.toMatch(/using the windows pipeline/);
    expect(ndjson(chosen.stdout).filter((r) => r['rule_id'] === '4720-created')).toHaveLength(0);
  });

  it('gives each result its time, computer, channel, event id, record id and source file', async () => {
    const r = await tsigma(['eval', '-r', RULES, '-i', EVTX, '--output-format', 'ndjson', '--min-level', 'medium']);
    const [hit] = ndjson(r.stdout);
    expect(hit).toMatchObject({
      rule_id: '4720-created',
      channel: 'Security',
      event_id: 4720,
      source: EVTX,
      event_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
    });
    expect(typeof hit?.['computer']).toBe('string');
    expect(typeof hit?.['record_id']).toBe('number');
  });

  it('reads every event file under a directory, sorted, and reports the unreadable ones without stopping', async () => {
    const dir = join(work, 'triage');
    mkdirSync(join(dir, 'b/nested'), { recursive: true });
    copyFileSync(EVTX, join(dir, 'b/nested/Security.evtx'));
    writeFileSync(join(dir, 'a-broken.evtx'), 'not an evtx file at all, just text of some length to read');
    writeFileSync(join(dir, 'c.ndjson'), '{"EventID": 4720, "Channel": "Security", "Computer": "FLAT"}\n');
    writeFileSync(join(dir, 'notes.txt'), '{"EventID": 4720, "Channel": "Security"}\n');
    const r = await tsigma(['eval', '-r', RULES, '-i', dir, '--output-format', 'ndjson', '--min-level', 'medium']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning\[unreadable_input\]: .*a-broken\.evtx: /);
    const hits = ndjson(r.stdout);
    expect(hits.map((h) => h['source'] ?? h['computer'])).toEqual([join(dir, 'b/nested/Security.evtx'), 'FLAT']);
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const none = await tsigma(['eval', '-r', RULES, '-i', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/empty: no event files \(\.evtx, \.json, \.ndjson, \.jsonl, \.log\) under this directory/);
  });

  it('--min-level keeps results at or above the level; the summary counts what was shown', async () => {
    const all = await tsigma(['eval', '-r', RULES, '-i', EVTX, '--output-format', 'ndjson']);
    const medium = await tsigma(['eval', '-r', RULES, '-i', EVTX, '--output-format', 'ndjson', '--min-level', 'MEDIUM']);
    const levels = (text: string): unknown[] => [...new Set(ndjson(text).map((h) => h['level']))].sort();
    expect(levels(all.stdout)).toEqual(['low', 'medium']);
    expect(levels(medium.stdout)).toEqual(['medium']);
    expect(medium.stderr).toMatch(/, 1 at --min-level medium or above,/);
    expect(medium.stderr).toMatch(/^Hits by level: medium 1$/m);
    expect(medium.stderr).toMatch(/^Top computers: \S+ ×1$/m);
    const bad = await tsigma(['eval', '-r', RULES, '-i', EVTX, '--min-level', 'severe']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--min-level must be one of informational, low, medium, high, critical, not "severe"/);
  });

  it('counts rule warnings in one line; -v prints them', async () => {
    const quiet = await tsigma(['eval', '-r', RULES, '-i', EVTX, '--output-format', 'ndjson']);
    expect(quiet.stderr).toMatch(/note: 1 rule warning\(s\) not shown/);
    expect(quiet.stderr).not.toMatch(/modifier_order/);
    const verbose = await tsigma(['eval', '-r', RULES, '-i', EVTX, '--output-format', 'ndjson', '-v']);
    expect(verbose.stderr).toMatch(/modifier_order/);
    const explain = await tsigma(['explain', '-r', RULES, '-e', '{"EventID": 4720}']);
    expect(explain.stderr).toMatch(/note: 1 rule warning\(s\) not shown/);
  });

  it('keeps a multi-line value on its row in table, timeline and TSV views', async () => {
    const event = JSON.stringify({ Channel: 'Security', EventID: 4720, CommandLine: 'a -x\nsecond line\twith tab', Computer: 'WS' });
    for (const format of ['table', 'timeline', 'tsv']) {
      const r = await tsigma(['eval', '-r', RULES, '-e', event, '--output-format', format, '--sort', 'time']);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines, format).toHaveLength(3); // header and two hits
      expect(r.stdout).toContain('a -x\\nsecond line\\twith tab');
    }
    const bad = await tsigma(['eval', '-r', RULES, '-e', event, '--sort', 'level']);
    expect(bad.code).toBe(3);
  });
});

describeCorpus('timeline CSV of the regression .evtx files', () => {
  it('has the header, one row per hit in time order, each cell escaped and on one line', async () => {
    const cases = hasCorpus
      ? (JSON.parse(readFileSync(corpusPath('regression/manifest.json'), 'utf8')) as { rule_path: string; evtx: string }[])
      : [];
    const args = ['eval', '--sort', 'time', '-q'];
    for (const path of new Set(cases.map((c) => c.rule_path))) args.push('-r', corpusPath(path));
    for (const path of new Set(cases.map((c) => c.evtx))) args.push('-i', corpusPath(path));
    const csv = await tsigma([...args, '--output-format', 'csv']);
    const json = await tsigma([...args, '--output-format', 'ndjson']);
    expect(csv.code, csv.stderr).toBe(0);
    const hits = ndjson(json.stdout);
    expect(hits.length).toBeGreaterThanOrEqual(cases.length);
    expect(csv.stdout.split('\r\n').length - 1).toBe(hits.length + 1); // one physical line per row
    const rows = readCsv(csv.stdout);
    expect(rows[0]).toEqual(['Timestamp', 'Computer', 'Channel', 'EventID', 'RecordID', 'Level', 'Rule', 'Details', 'Source']);
    const body = rows.slice(1);
    expect(body.map((row) => [row[0], row[1], row[3], row[4], row[6], row[8]])).toEqual(
      hits.map((h) => [
        h['event_time'],
        h['computer'] ?? '',
        String((h['event_id'] as number | undefined) ?? ''),
        String((h['record_id'] as number | undefined) ?? ''),
        h['rule_title'],
        h['source'],
      ]),
    );
    const times = body.map((row) => row[0] as string);
    expect([...times].sort()).toEqual(times);
    expect(body.every((row) => row.length === 9 && (row[7] ?? '') !== '')).toBe(true);
    // Real command lines hold quotes and commas: those cells come back exactly through the CSV quoting.
    expect(body.some((row) => /[",]/.test(row[7] ?? ''))).toBe(true);
  }, 120_000);
});
