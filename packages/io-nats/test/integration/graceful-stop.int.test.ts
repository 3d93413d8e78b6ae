import { defaultCorrelationConfig } from '@tsigma/eval';
import { LogProcessor, NoopMetrics, runPipeline, RuntimeEngine, type Sink } from '@tsigma/runtime';
import { describe, expect, it } from 'vitest';
import { NatsSource, streamNameFor } from '../../src/index.js';
import { inspect, waitFor } from '../helpers/consumer-process.js';
import { writeRules } from '../helpers/fixtures.js';
import { useNatsServer } from '../helpers/harness.js';
import { recordingLogger } from '../helpers/logger.js';

const RULE = `
title: R
id: a1a1a1a1-0009-0000-0000-000000000001
logsource: { product: test }
detection:
    selection:
        eventType: 'x'
    condition: selection
`;

// Spec 10 §6: a graceful stop stops pulling, lets the loop finish and ack what it already read, then closes.
describe('runPipeline stopped by its signal over a NatsSource', () => {
  const nats = useNatsServer();
  async function proc(): Promise<LogProcessor> {
    const w = await writeRules({ 'r.yml': RULE });
    nats.onCleanup(() => w.remove());
    const e = new RuntimeEngine({ rulesPath: w.dir, pipelines: [], correlationConfig: defaultCorrelationConfig(), includeEvent: true });
    await e.loadRules();
    return new LogProcessor(e, new NoopMetrics());
  }

  it('delivers and acks every event it had read before the abort; nothing is left pending or unconfirmed', async () => {
    const input = await nats.sink('abort.in');
    await input.sendRawMany(Array.from({ length: 20 }, (_, seq) => JSON.stringify({ seq, eventType: 'x' })));
    const out = await nats.sink('abort.out');
    let sent = 0;
    const slow: Sink = {
      label: out.label,
      send: async (r) => {
        await new Promise((res) => setTimeout(res, 50));
        await out.send(r);
        sent += r.length;
      },
      sendRaw: (j) => out.sendRaw(j),
      close: async () => {},
    };
    const logger = recordingLogger();
    const source = await NatsSource.connect(nats.cfg, 'abort.in', { kind: 'resume' }, 'abort', { ackWaitMs: 30_000, logger });
    const stop = new AbortController();
    const running = runPipeline({
      source,
      processor: await proc(),
      format: { kind: 'json' },
      sinks: [slow],
      delivery: { queueSize: 1 },
      batchSize: 1,
      logger,
      signal: stop.signal,
    });
    await waitFor(async () => sent >= 2, 5000);
    stop.abort();
    const counts = await running;
    const ins = await inspect(nats.server.url);
    const c = await ins.jsm.consumers.info(streamNameFor('abort.in'), 'abort');
    const stored = await ins.count(streamNameFor('abort.out'));
    expect(counts.unacked).toBe(0);
    expect(stored).toBe(sent);
    expect(logger.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
    await ins.close();
    expect(c.num_ack_pending).toBe(0); // spec 10 §6 step 2: drained work is acked
  });
});
