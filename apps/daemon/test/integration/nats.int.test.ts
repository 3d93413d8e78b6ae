// Spec 10 §10 test 8 and the kill test: a NATS input, a graceful stop (SIGTERM) or a crash (SIGKILL)
// mid-stream, and a restart on the same durable consumer: every message yields its results across the two runs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { connectNats, NatsSink } from '@tsigma/io-nats';
import { natsServerAvailable, startNatsServer, type NatsServer } from '../../../../packages/io-nats/test/helpers/nats-server.js';
import { COUNT_RULES, startDaemon, tempDir, waitFor, writeTree, type Running } from '../helpers.js';

const STREAM_RULE = `title: Stream Event
id: 11111111-0000-0000-0000-000000000008
status: test
logsource:
  product: test
detection:
  selection:
    kind: stream
  condition: selection
level: low
`;

const run = natsServerAvailable();

/** Sequence numbers (`n`) of the stream events seen in a results file, with how often each was seen. */
function seen(path: string): Map<number, number> {
  const counts = new Map<number, number>();
  if (!existsSync(path)) return counts;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const r = JSON.parse(line) as { rule_title?: string; event?: { n?: number } };
    if (r.rule_title !== 'Stream Event' || r.event?.n === undefined) continue;
    counts.set(r.event.n, (counts.get(r.event.n) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(!run)('tsigmad with a NATS input', () => {
  let server: NatsServer;
  let daemon: Running | undefined;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await daemon?.stop('SIGKILL');
    daemon = undefined;
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function publisher(subject: string): Promise<NatsSink> {
    return NatsSink.connect({ url: server.url }, subject);
  }

  it('answers tsigma.control.resolve when dynamic sources are configured', async () => {
    const dir = tempDir();
    const feed = join(dir, 'feed.json');
    writeFileSync(feed, JSON.stringify({ ips: ['203.0.113.1'] }));
    writeTree(
      {
        'rules/stream.yml': STREAM_RULE,
        'dyn.yml': `name: dyn\nvars:\n  blocklist: "\${source.blocklist}"\nsources:\n  - id: blocklist\n    type: file\n    path: ${feed}\n    format: json\n    refresh: 1h\n`,
      },
      dir,
    );
    daemon = await startDaemon(['-r', join(dir, 'rules'), '-p', join(dir, 'dyn.yml'), '--input', `${server.url}/ctl.events`]);
    const nc = await connectNats({ url: server.url });
    try {
      expect((await nc.request('tsigma.control.resolve', '')).string()).toBe('started');
      expect((await nc.request('tsigma.control.resolve', 'nope')).string()).toBe('unknown_source');
    } finally {
      await nc.close();
    }
  });

  it('test 8: SIGTERM mid-stream and a restart on the same consumer lose no message', async () => {
    const rules = writeTree({ 'stream.yml': STREAM_RULE });
    const out = join(tempDir(), 'out.ndjson');
    const args = [
      '-r',
      rules,
      '--input',
      `${server.url}/t8.events`,
      '--output',
      `file://${out}`,
      '--include-event',
      '--consumer-group',
      't8',
      '--nats-ack-wait',
      '2s',
    ];
    daemon = await startDaemon(args);
    const pub = await publisher('t8.events');
    const N = 200;
    let published = 0;
    const publishing = (async () => {
      for (; published < N; published++) {
        await pub.sendRaw(JSON.stringify({ kind: 'stream', n: published }));
        if (published % 10 === 0) await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitFor(() => seen(out).size >= 40, 10_000, 'the first results');
    expect(await daemon.stop('SIGTERM')).toBe(0);
    const firstRun = seen(out).size;
    expect(firstRun).toBeLessThan(N);
    daemon = await startDaemon(args);
    await publishing;
    await waitFor(() => seen(out).size === N, 20_000, 'every message');
    await pub.close();
  });

  it('kill test: SIGKILL with --state-db; no message lost, duplicates counted, a waiting correlation completes', async () => {
    const rules = writeTree({ 'stream.yml': STREAM_RULE, 'brute.yml': COUNT_RULES });
    const dir = tempDir();
    const out = join(dir, 'out.ndjson');
    const db = join(dir, 'state.db');
    const args = [
      '-r',
      rules,
      '--input',
      `${server.url}/kill.events`,
      '--output',
      `file://${out}`,
      '--include-event',
      '--consumer-group',
      'kill',
      '--state-db',
      db,
      '--state-save-interval',
      '300ms',
      '--nats-ack-wait',
      '2s',
    ];
    daemon = await startDaemon(args);
    const pub = await publisher('kill.events');
    const failure = (n: number): string =>
      JSON.stringify({ timestamp: `2026-11-22T08:0${n}:00Z`, event_type: 'login_failure', src_ip: '10.9.9.9' });
    for (const n of [1, 2, 3]) await pub.sendRaw(failure(n));
    await waitFor(async () => (await daemon?.metric('tsigma_events_processed_total')) === 3, 5000, 'three failures');
    // Let a periodic save capture the three-of-five window.
    await new Promise((r) => setTimeout(r, 800));
    const N = 200;
    let published = 0;
    const publishing = (async () => {
      for (; published < N; published++) {
        await pub.sendRaw(JSON.stringify({ kind: 'stream', n: published }));
        if (published % 10 === 0) await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitFor(() => seen(out).size >= 40, 10_000, 'the first results');
    await daemon.stop('SIGKILL');
    expect(seen(out).size).toBeLessThan(N);
    // The dead process left its lock file: the restart takes it over.
    expect(existsSync(`${db}.pid`)).toBe(true);
    daemon = await startDaemon(args);
    const state = (await daemon.get('/api/v1/correlations/state')).body as { groups: { got: number; met: boolean }[] };
    expect(state.groups[0]).toMatchObject({ got: 3, met: false });
    await publishing;
    await waitFor(() => seen(out).size === N, 20_000, 'every message');
    const duplicates = [...seen(out).values()].reduce((sum, c) => sum + c - 1, 0);
    console.log(`kill test: ${N} messages, ${duplicates} delivered twice across the restart`);
    for (const n of [4, 5]) await pub.sendRaw(failure(n));
    await waitFor(() => readFileSync(out, 'utf8').includes('"correlation_type":"event_count"'), 5000, 'the correlation');
    await pub.close();
  });
});
