// `tsigma eval --alert-pipeline` (spec 08, spec 11 §7): results go through the alert pipeline on event time, and
// the dedup summaries and incidents are printed after them; a bad config file is a configuration error.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsigmaInProcess } from './in-process.js';

const FIX = resolve(import.meta.dirname, 'fixtures');
const AP = join(FIX, 'alert-pipeline');
const T0 = Date.UTC(2026, 0, 1) / 1000;

type Line = Record<string, unknown> & { enrichments?: Record<string, unknown> };

async function evalWith(pipelineFile: string, ...extra: string[]) {
  return tsigmaInProcess([
    'eval',
    '-r',
    join(FIX, 'rules-brute'),
    '-i',
    join(AP, 'logins.ndjson'),
    '--alert-pipeline',
    pipelineFile,
    '--output-format',
    'ndjson',
    ...extra,
  ]);
}

describe('tsigma eval --alert-pipeline', () => {
  it('folds duplicates, annotates incident ids and prints the incidents at the end, on event time', async () => {
    const r = await evalWith(join(AP, 'alerts.yml'));
    expect(r.stderr).toContain('Processed 6 events, 5 detection matches');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const results = lines.filter((l) => !('incident_id' in l) && l.enrichments?.['dedup_state'] === undefined);
    const summaries = lines.filter((l) => l.enrichments?.['dedup_state'] !== undefined);
    const incidents = lines.filter((l) => 'incident_id' in l);
    // 5 failures: alice's second one at 10.0.0.1 folds into the first; the other four are delivered.
    expect(results).toHaveLength(4);
    for (const res of results) expect(res).not.toHaveProperty('event');
    const ids = results.map((res) => res.enrichments?.['incident_id']);
    expect(ids[0]).toBe(ids[2]); // both from 10.0.0.1
    expect(ids[1]).not.toBe(ids[0]);
    // The clock jumps to 00:10:00 with the last event: the 5-minute dedup windows of the earlier ones resolve.
    expect(summaries.map((s) => [s.enrichments?.['dedup_state'], s.enrichments?.['dedup_fire_count']])).toEqual([
      ['resolved', 2],
      ['resolved', 1],
      ['resolved', 1],
    ]);
    expect(summaries[0]?.enrichments?.['dedup_first_seen']).toBe(T0);
    expect(incidents.map((i) => [i['incident_id'], i['trigger'], i['result_count'], i['group_by']])).toEqual([
      [ids[0], 'group_wait', 1, { 'event.src_ip': '10.0.0.1' }],
      [ids[0], 'group_interval', 2, { 'event.src_ip': '10.0.0.1' }],
      [ids[1], 'group_wait', 1, { 'event.src_ip': '10.0.0.2' }],
      [ids[1], 'group_interval', 2, { 'event.src_ip': '10.0.0.2' }],
    ]);
    expect(incidents[0]).toMatchObject({ first_seen: T0, last_seen: T0, max_level: 'low', state: 'open' });
    expect(incidents[3]).toMatchObject({ first_seen: T0 + 20, last_seen: T0 + 600 });
  });

  it('--include-event keeps the events in delivered results', async () => {
    const r = await evalWith(join(AP, 'alerts.yml'), '--include-event');
    const first = JSON.parse(r.stdout.split('\n')[0] ?? '') as Line;
    expect(first['event']).toMatchObject({ src_ip: '10.0.0.1', user: 'alice' });
  });

  it('adds the incidents to the json array and as a second table', async () => {
    const json = await tsigmaInProcess([
      'eval',
      '-r',
      join(FIX, 'rules-brute'),
      '-i',
      join(AP, 'logins.ndjson'),
      '--alert-pipeline',
      join(AP, 'alerts.yml'),
      '--output-format',
      'json',
    ]);
    const all = JSON.parse(json.stdout) as Line[];
    expect(all.filter((l) => 'incident_id' in l)).toHaveLength(4);
    const table = await tsigmaInProcess([
      'eval',
      '-r',
      join(FIX, 'rules-brute'),
      '-i',
      join(AP, 'logins.ndjson'),
      '--alert-pipeline',
      join(AP, 'alerts.yml'),
      '--output-format',
      'table',
    ]);
    expect(table.stdout).toMatch(/INCIDENT\s+STATE\s+TRIGGER\s+LEVEL\s+RESULTS\s+KEY/);
    expect(table.stdout).toMatch(/group_interval\s+low\s+2\s+event\.src_ip=10\.0\.0\.2/);
  });

  it('a bad config file is a configuration error (exit 3) naming the file, line and key', async () => {
    const r = await evalWith(join(AP, 'bad.yml'));
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `--alert-pipeline: ${join(AP, 'bad.yml')}:3:3 (group.wait): unknown key 'wait' in group; did you mean 'group_wait'?`,
    );
  });

  it('a missing config file is a configuration error too', async () => {
    const r = await evalWith(join(AP, 'missing.yml'));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot read the alert pipeline file');
  });
});
