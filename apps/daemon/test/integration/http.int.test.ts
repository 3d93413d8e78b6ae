// Spec 10 §10 tests 1, 5, 6, 11, 12, 13 and the API's bad-input answers, each against a spawned tsigmad.
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, runDaemonToExit, startDaemon, tempDir, waitFor, WHOAMI_RULE, writeTree, type Running } from '../helpers.js';

const WHOAMI = '{"Image":"C:\\\\Windows\\\\System32\\\\whoami.exe","CommandLine":"whoami"}';
const BENIGN = '{"Image":"C:\\\\Windows\\\\System32\\\\cmd.exe"}';

let daemon: Running | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

describe('tsigmad HTTP input and API', () => {
  it('test 1: POST two events → one detection in the file sink, status and metrics count 2', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const out = join(tempDir(), 'out.ndjson');
    daemon = await startDaemon(['-r', rules, '--input', 'http', '--output', `file://${out}`]);
    const res = await daemon.post('/api/v1/events', `${WHOAMI}\n\n${BENIGN}\n`);
    expect(res).toMatchObject({ status: 200, body: { accepted: 2 } });
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('\n'), 5000, 'the result line');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"rule_title":"Detect Whoami Execution"');
    await waitFor(async () => ((await daemon?.get('/api/v1/status'))?.body as { events_processed: number }).events_processed === 2);
    expect(await daemon.metric('tsigma_events_processed_total')).toBe(2);
    const metrics = (await daemon.get('/metrics')).text;
    // Fixed-label families render at zero before anything happened.
    expect(metrics).toContain('tsigma_reloads_failed_total 0');
    expect(metrics).toContain('tsigma_sink_retries_total{sink="file:');
    expect(metrics).toContain('tsigma_dedup_results_total{action="folded"} 0');
  });

  it('test 5: a line that is not JSON with --input-format json → DLQ line with the original event', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const dlq = join(tempDir(), 'dlq.ndjson');
    daemon = await startDaemon(['-r', rules, '--input', 'http', '--input-format', 'json', '--dlq', `file://${dlq}`]);
    expect((await daemon.post('/api/v1/events', 'not json\n')).status).toBe(200);
    await waitFor(() => existsSync(dlq) && readFileSync(dlq, 'utf8').includes('\n'), 5000, 'the DLQ line');
    const entry = JSON.parse(readFileSync(dlq, 'utf8').trim()) as { original_event: string; error: string };
    expect(entry.original_event).toBe('not json');
    expect(entry.error).toMatch(/^parse error: /);
    expect(await daemon.metric('tsigma_dlq_events_total')).toBe(1);
  });

  it('test 6: a failing file sink retries, dead-letters and counts a failure; the other sink still gets the result', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const dir = tempDir();
    const ok = join(dir, 'ok.ndjson');
    const dlq = join(dir, 'dlq.ndjson');
    // /dev/full refuses every write (ENOSPC): a full disk.
    daemon = await startDaemon([
      '-r',
      rules,
      '--input',
      'http',
      '--output',
      'file:///dev/full',
      '--output',
      `file://${ok}`,
      '--dlq',
      `file://${dlq}`,
      '--sink-retry-max',
      '2',
      '--sink-backoff-base-ms',
      '10',
    ]);
    await daemon.post('/api/v1/events', WHOAMI + '\n');
    await waitFor(() => existsSync(dlq) && readFileSync(dlq, 'utf8').includes('\n'), 5000, 'the DLQ entry');
    const entry = JSON.parse(readFileSync(dlq, 'utf8').trim()) as { original_event: string; error: string };
    expect(entry.error).toMatch(/^sink delivery failed \(file:\/dev\/full\): /);
    expect(entry.original_event).toContain('Detect Whoami Execution');
    expect(readFileSync(ok, 'utf8')).toContain('Detect Whoami Execution');
    const text = (await daemon.get('/metrics')).text;
    expect(text).toContain('tsigma_sink_delivery_failures_total{sink="file:/dev/full"} 1');
    expect(text).toContain('tsigma_sink_retries_total{sink="file:/dev/full"} 2');
  });

  it('test 11: --api-token-env guards every route but the probes', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    daemon = await startDaemon(['-r', rules, '--api-token-env', 'T'], { env: { T: 's3cret' }, stdin: undefined });
    const denied = await daemon.get('/api/v1/status');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    expect((await daemon.get('/api/v1/status', { authorization: 'Bearer wrong!' })).status).toBe(401);
    expect((await daemon.get('/api/v1/status', { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await daemon.get('/healthz')).status).toBe(200);
    const metrics = (await daemon.get('/metrics', { authorization: 'Bearer s3cret' })).text;
    expect(metrics).toContain('tsigma_api_auth_failures_total{reason="missing"} 1');
    expect(metrics).toContain('tsigma_api_auth_failures_total{reason="invalid"} 1');
    // The token never reaches the logs.
    expect(daemon.stderr()).not.toContain('s3cret');
  });

  it('test 12: an OTLP JSON log record {"EventID": 4625} → a detection', async () => {
    const rules = writeTree({
      'logon.yml': `title: Failed Logon\nid: 11111111-0000-0000-0000-000000000012\nstatus: test\nlogsource:\n  product: windows\ndetection:\n  selection:\n    EventID: 4625\n  condition: selection\nlevel: low\n`,
    });
    const out = join(tempDir(), 'out.ndjson');
    daemon = await startDaemon(['-r', rules, '--input', 'otlp', '--output', `file://${out}`]);
    const body = JSON.stringify({
      resourceLogs: [
        { scopeLogs: [{ logRecords: [{ body: { kvlistValue: { values: [{ key: 'EventID', value: { intValue: '4625' } }] } } }] }] },
      ],
    });
    const res = await daemon.post('/v1/logs', body, { 'content-type': 'application/json' });
    expect(res).toMatchObject({ status: 200, body: { partialSuccess: { rejectedLogRecords: 0, errorMessage: '' } } });
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('Failed Logon'), 5000, 'the OTLP detection');
    expect((await daemon.post('/v1/logs', body, { 'content-type': 'text/csv' })).status).toBe(415);
    expect((await daemon.post('/v1/logs', '{"resourceLogs": 3', { 'content-type': 'application/json' })).status).toBe(400);
  });

  it('accepts OTLP with another input (stdin) into the same processing loop', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const out = join(tempDir(), 'out.ndjson');
    daemon = await startDaemon(['-r', rules, '--output', `file://${out}`]);
    const body = JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            { logRecords: [{ body: { kvlistValue: { values: [{ key: 'Image', value: { stringValue: 'C:\\w\\whoami.exe' } }] } } }] },
          ],
        },
      ],
    });
    expect((await daemon.post('/v1/logs', body, { 'content-type': 'application/json' })).status).toBe(200);
    daemon.proc.stdin?.end(WHOAMI + '\n');
    expect(await daemon.exited).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(daemon.stderr()).toContain('end of input');
  });

  it('answers bad requests: 400, 413 (body and line), 404, 405', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    daemon = await startDaemon(['-r', rules, '--input', 'http', '--max-request-bytes', '4000000']);
    const big = 'x'.repeat(1024 * 1024 + 1);
    const line = await daemon.post('/api/v1/events', `${WHOAMI}\n${big}\n`);
    expect(line).toMatchObject({ status: 413, body: { error: 'line exceeds maximum size', max_bytes: 1048576, line: 2 } });
    const body = await daemon.post('/api/v1/events', 'y'.repeat(4_000_001));
    expect(body.status).toBe(413);
    const bad = await daemon.post('/api/v1/silences', '{nope');
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/^invalid JSON body/);
    expect((await daemon.get('/api/v1/rules?limit=5000')).status).toBe(400);
    expect((await daemon.get('/nope')).status).toBe(404);
    const wrong = await daemon.del('/api/v1/status');
    expect(wrong.status).toBe(405);
    const rulesList = await daemon.get('/api/v1/rules');
    expect(rulesList.body).toMatchObject({
      detection_rules: 1,
      total: 1,
      rules: [{ title: 'Detect Whoami Execution', kind: 'detection' }],
    });
    expect(await daemon.metric('tsigma_events_processed_total')).toBe(0);
  });

  it('answers 404 on /api/v1/events without --input http', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    daemon = await startDaemon(['-r', rules]);
    const res = await daemon.post('/api/v1/events', WHOAMI);
    expect(res).toMatchObject({ status: 404, body: { error: 'event ingestion not enabled (start with --input http)' } });
  });
});

describe('tsigmad start-up errors (test 13)', () => {
  it('--dry-run prints YAML with secrets redacted and binds nothing', async () => {
    const port = await freePort();
    const r = await runDaemonToExit(['-r', 'rules/', '--dry-run', '--api-addr', `127.0.0.1:${port}`, '--nats-token', 'hunter2'], {
      NATS_PASSWORD: 'pw',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rules: rules/');
    expect(r.stdout).toContain(`addr: 127.0.0.1:${port}`);
    expect(r.stdout).toContain('nats-token: <redacted>');
    expect(r.stdout).not.toContain('hunter2');
    // The port is still free: nothing was bound.
    await new Promise<void>((resolve, reject) => {
      const srv = createServer().once('error', reject);
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
    });
  });

  it('exits 3 naming the key: unknown config key, feedback loop, --clear-state --keep-state, secrets in the file', async () => {
    const dir = writeTree({ 'bad.yml': 'rules: r\ninput:\n  sourc: http\n', 'secret.yml': 'rules: r\nnats:\n  token: t\n' });
    const unknown = await runDaemonToExit(['--config', join(dir, 'bad.yml')]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('input.sourc');
    const loop = await runDaemonToExit([
      '-r',
      dir,
      '--input',
      'nats://127.0.0.1:4222/events.>',
      '--output',
      'nats://127.0.0.1:4222/events.alerts',
    ]);
    expect(loop.code).toBe(3);
    expect(loop.stderr).toContain('"key":"output"');
    const both = await runDaemonToExit(['-r', dir, '--clear-state', '--keep-state']);
    expect(both.code).toBe(3);
    expect(both.stderr).toContain('clear-state');
    const secret = await runDaemonToExit(['--config', join(dir, 'secret.yml')]);
    expect(secret.code).toBe(3);
    expect(secret.stderr).toContain('nats.token');
    const batch = await runDaemonToExit(['-r', dir, '--batch-size', '0']);
    expect(batch.code).toBe(3);
    expect(batch.stderr).toContain('batch-size');
    const sink = await runDaemonToExit(['-r', dir, '--output', 'kafka://x']);
    expect(sink.code).toBe(3);
    const replay = await runDaemonToExit(['-r', dir, '--replay-from-start']);
    expect(replay.code).toBe(3);
    expect(replay.stderr).toContain('replay-from-start');
    const noDir = await runDaemonToExit(['-r', dir, '--output', 'file:///nonexistent-dir/x.ndjson']);
    expect(noDir.code).toBe(3);
  });

  it('exits 2 for a missing rules path and 3 for a port in use', async () => {
    const missing = await runDaemonToExit(['-r', '/nonexistent/rules', '--api-addr', `127.0.0.1:${await freePort()}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/rules');
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const srv = createServer();
    const port = await new Promise<number>((resolve) =>
      srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)),
    );
    const busy = await runDaemonToExit(['-r', rules, '--api-addr', `127.0.0.1:${port}`]);
    srv.close();
    expect(busy.code).toBe(3);
    expect(busy.stderr).toContain('api.addr');
  });
});
