// `tsigma eval --enrichers` (spec 07, spec 11 §7): results carry `enrichments` from the enrichers file, events read
// by enrichers are not printed unless asked for, and a bad file is a configuration error naming enricher and key.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsigmaInProcess } from './in-process.js';

const FIX = resolve(import.meta.dirname, 'fixtures');
const EN = join(FIX, 'enrichment');

type Line = Record<string, unknown> & { enrichments?: Record<string, unknown> };

async function evalWith(file: string, ...extra: string[]) {
  return tsigmaInProcess([
    'eval',
    '-r',
    join(FIX, 'rules-brute'),
    '-i',
    join(EN, 'logins.ndjson'),
    '--enrichers',
    file,
    '--output-format',
    'ndjson',
    ...extra,
  ]);
}

describe('tsigma eval --enrichers', () => {
  it('enriches detections and correlations; events read by enrichers are not printed', async () => {
    const r = await evalWith(join(EN, 'enrichers.yml'));
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const detections = lines.filter((l) => !('correlation_type' in l));
    const correlations = lines.filter((l) => 'correlation_type' in l);
    expect(detections.length).toBeGreaterThan(0);
    for (const d of detections) {
      expect(d).not.toHaveProperty('event');
      expect(d.enrichments?.['runbook_url']).toBe('https://wiki.example/runbooks/f0f0f0f0-0001-0000-0000-000000000001');
      expect(d.enrichments).not.toHaveProperty('note');
    }
    // users.csv holds ALICE (case differs: no match, default) and bob.
    expect(new Set(detections.map((d) => d.enrichments?.['user_team']))).toEqual(new Set(['unknown', 'Engineering']));
    expect(correlations.length).toBeGreaterThan(0);
    for (const c of correlations) {
      expect(c.enrichments?.['note']).toBe('5 failures from 10.0.0.1');
      expect(c.enrichments).not.toHaveProperty('runbook_url');
    }
  });

  it('--include-event keeps the events the enrichers read', async () => {
    const r = await evalWith(join(EN, 'enrichers.yml'), '--include-event');
    const first = JSON.parse(r.stdout.split('\n')[0] ?? '') as Line;
    expect(first).toHaveProperty('event');
  });

  it('a template of the wrong namespace is a configuration error naming the file, enricher and key', async () => {
    const r = await evalWith(join(EN, 'bad.yml'));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('bad.yml:6');
    expect(r.stderr).toContain("enricher 'runbook_det' (template)");
    expect(r.stderr).toContain('wrong namespace for a detection enricher');
    expect(r.stdout).toBe('');
  });

  it('enrichment runs before the alert pipeline: dedup can fingerprint on an enrichment', async () => {
    const r = await evalWith(join(EN, 'enrichers.yml'), '--alert-pipeline', join(EN, 'alerts-by-team.yml'));
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const delivered = lines.filter(
      (l) => !('correlation_type' in l) && !('incident_id' in l) && l.enrichments?.['dedup_state'] === undefined,
    );
    // Six failures by two teams (unknown, Engineering): one alert per team reaches the output.
    expect(delivered.map((d) => d.enrichments?.['user_team'])).toEqual(['unknown', 'Engineering']);
  });
});
