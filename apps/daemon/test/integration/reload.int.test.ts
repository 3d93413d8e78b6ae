// Spec 10 §10 test 2: hot reload by file watcher, a broken rule keeps the running rules, reload?wait=true → 422.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, tempDir, waitFor, WHOAMI_RULE, writeTree, type Running } from '../helpers.js';

let daemon: Running | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const NET_RULE = `title: Netcat Listener
id: 11111111-0000-0000-0000-000000000022
status: test
logsource:
  product: linux
detection:
  selection:
    CommandLine|contains: 'nc -l'
  condition: selection
level: high
`;

describe('tsigmad hot reload', () => {
  it('test 2: a new rule file counts within 2 s; broken YAML fails the reload, old rules keep detecting', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const out = join(tempDir(), 'out.ndjson');
    daemon = await startDaemon(['-r', rules, '--input', 'http', '--output', `file://${out}`]);
    const total = async (): Promise<number> => ((await daemon?.get('/api/v1/rules'))?.body as { total: number }).total;
    expect(await total()).toBe(1);
    const before = Date.now();
    writeFileSync(join(rules, 'netcat.yml'), NET_RULE);
    await waitFor(async () => (await total()) === 2, 4000, 'the new rule');
    expect(Date.now() - before).toBeLessThan(2000);
    expect(await daemon.metric('tsigma_reloads_total')).toBeGreaterThanOrEqual(1);

    writeFileSync(join(rules, 'broken.yml'), 'title: [unclosed\n  detection: {\n');
    await waitFor(async () => (await daemon?.metric('tsigma_reloads_failed_total')) === 1, 4000, 'the failed reload');
    expect((await daemon.get('/readyz')).status).toBe(200);
    expect(await total()).toBe(2);
    const status = (await daemon.get('/api/v1/status')).body as { last_reload: { ok: boolean; errors: string[] } };
    expect(status.last_reload.ok).toBe(false);
    expect(status.last_reload.errors.join()).toContain('broken.yml');

    await daemon.post('/api/v1/events', '{"Image":"C:\\\\x\\\\whoami.exe"}\n{"CommandLine":"nc -lvp 4444"}\n');
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').trim().split('\n').length === 2, 5000, 'two detections');

    const res = await daemon.post('/api/v1/reload?wait=true');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'failed' });
    expect(JSON.stringify(res.body)).toContain('broken.yml');

    writeFileSync(join(rules, 'broken.yml'), NET_RULE.replace('Netcat Listener', 'Netcat Again').replace('0022', '0023'));
    const ok = await daemon.post('/api/v1/reload?wait=true');
    expect(ok).toMatchObject({ status: 200, body: { status: 'ok', detection_rules: 3 } });
    expect((await daemon.post('/api/v1/reload')).status).toBe(202);
  });

  it('SIGHUP reloads', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    daemon = await startDaemon(['-r', rules]);
    const reloadsBefore = (await daemon.metric('tsigma_reloads_total')) ?? 0;
    daemon.proc.kill('SIGHUP');
    await waitFor(async () => ((await daemon?.metric('tsigma_reloads_total')) ?? 0) > reloadsBefore, 4000, 'the SIGHUP reload');
  });
});
