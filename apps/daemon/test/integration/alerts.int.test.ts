// Spec 10 §10 test 9: the alert pipeline in the daemon: incidents over HTTP after group_wait, silence CRUD.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, tempDir, waitFor, WHOAMI_RULE, writeTree, type Running } from '../helpers.js';

let daemon: Running | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const ALERTS = `group:
  by: [rule]
  group_wait: 1s
silences:
  - id: maint
    matchers:
      - { selector: rule, op: "=", value: some-other-rule }
`;

describe('tsigmad alert pipeline', () => {
  it('test 9: incidents after group_wait, silence create/list/delete, static silences refuse deletion', async () => {
    const dir = writeTree({ 'rules/whoami.yml': WHOAMI_RULE, 'alerts.yml': ALERTS });
    const out = join(tempDir(), 'out.ndjson');
    daemon = await startDaemon([
      '-r',
      join(dir, 'rules'),
      '--input',
      'http',
      '--alert-pipeline',
      join(dir, 'alerts.yml'),
      '--output',
      `file://${out}`,
    ]);
    await daemon.post('/api/v1/events', '{"Image":"C:\\\\w\\\\whoami.exe"}\n{"Image":"D:\\\\whoami.exe"}\n');
    await waitFor(async () => ((await daemon?.get('/api/v1/incidents'))?.body as { count: number }).count === 1, 5000, 'one incident');
    // After group_wait the tick writes the incident line to the sinks.
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('"trigger":"group_wait"'), 5000, 'the incident line');
    const results = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const detections = results.filter((r) => r['rule_title'] === 'Detect Whoami Execution');
    expect(detections).toHaveLength(2);
    expect(detections[0]).not.toHaveProperty('event');
    const incidents = (await daemon.get('/api/v1/incidents')).body as { incidents: { incident_id: string }[] };
    const id = incidents.incidents[0]?.incident_id as string;
    expect((await daemon.get(`/api/v1/incidents/${id}`)).status).toBe(200);
    expect((await daemon.get('/api/v1/incidents/nope')).status).toBe(404);

    const created = await daemon.post(
      '/api/v1/silences',
      JSON.stringify({ matchers: [{ selector: 'rule', op: '=', value: 'x' }], comment: 'test' }),
      { 'content-type': 'application/json' },
    );
    expect(created.status).toBe(201);
    const silenceId = (created.body as { id: string }).id;
    const list = (await daemon.get('/api/v1/silences')).body as { count: number; silences: { id: string }[] };
    expect(list.count).toBe(2);
    expect(list.silences.map((s) => s.id)).toContain(silenceId);
    expect(await daemon.del(`/api/v1/silences/${silenceId}`)).toMatchObject({ status: 200, body: { status: 'deleted', id: silenceId } });
    expect((await daemon.del(`/api/v1/silences/${silenceId}`)).status).toBe(404);
    expect((await daemon.del('/api/v1/silences/maint')).status).toBe(409);
    expect((await daemon.post('/api/v1/silences', JSON.stringify({ matchers: [] }))).status).toBe(400);
    expect((await daemon.get('/metrics')).text).toContain('tsigma_incidents_emitted_total{trigger="group_wait"} 1');
  });

  it('answers 503 for incidents without a group stage', async () => {
    const dir = writeTree({ 'rules/whoami.yml': WHOAMI_RULE, 'alerts.yml': 'dedup:\n  fingerprint: [rule]\n' });
    daemon = await startDaemon(['-r', join(dir, 'rules'), '--alert-pipeline', join(dir, 'alerts.yml')]);
    expect(await daemon.get('/api/v1/incidents')).toMatchObject({ status: 503, body: { error: 'incident grouping not configured' } });
  });
});
