// Spec 10 §6: graceful shutdown bounded by --drain-timeout, readiness and ingest during shutdown, second signal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, tempDir, waitFor, WHOAMI_RULE, writeTree, type Running } from '../helpers.js';

let daemon: Running | undefined;
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  daemon = undefined;
});

// A sink that keeps failing with long backoffs keeps the drain busy.
const SLOW_SINK = [
  '--output',
  'file:///dev/full',
  '--sink-retry-max',
  '50',
  '--sink-backoff-base-ms',
  '300',
  '--sink-backoff-max-ms',
  '300',
];
const WHOAMI = '{"Image":"C:\\\\w\\\\whoami.exe"}\n';

describe('tsigmad shutdown', () => {
  it('stops at --drain-timeout with exit 0; /readyz and ingest answer 503 while draining', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const dlq = join(tempDir(), 'dlq.ndjson');
    daemon = await startDaemon(['-r', rules, '--input', 'http', '--drain-timeout', '1500ms', '--dlq', `file://${dlq}`, ...SLOW_SINK]);
    await daemon.post('/api/v1/events', WHOAMI);
    await waitFor(async () => ((await daemon?.get('/metrics'))?.text ?? '').includes('tsigma_sink_retries_total{sink="file:/dev/full"} 1'));
    const t0 = Date.now();
    daemon.proc.kill('SIGTERM');
    await waitFor(() => daemon?.stderr().includes('shutting down') === true);
    expect(await daemon.get('/readyz')).toMatchObject({ status: 503, body: { status: 'shutting_down' } });
    expect((await daemon.post('/api/v1/events', WHOAMI)).status).toBe(503);
    expect(await daemon.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(daemon.stderr()).toContain('drain timeout reached');
    // The result still being retried went to the DLQ.
    const letter = JSON.parse(readFileSync(dlq, 'utf8').trim()) as { error: string; original_event: string };
    expect(letter.error).toBe('shutdown: drain timeout');
    expect(letter.original_event).toContain('Detect Whoami Execution');
  });

  it('a second signal during shutdown exits 1 at once', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    daemon = await startDaemon(['-r', rules, '--input', 'http', '--drain-timeout', '60s', ...SLOW_SINK]);
    await daemon.post('/api/v1/events', WHOAMI);
    await waitFor(async () => ((await daemon?.get('/metrics'))?.text ?? '').includes('tsigma_sink_retries_total{sink="file:/dev/full"} 1'));
    daemon.proc.kill('SIGTERM');
    await waitFor(() => daemon?.stderr().includes('shutting down') === true);
    daemon.proc.kill('SIGINT');
    expect(await daemon.exited).toBe(1);
  });
});
