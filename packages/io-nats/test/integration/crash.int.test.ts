// At-least-once across a crash (spec 06 §3): a consumer process is SIGKILLed mid-stream and restarted on the
// same durable; every input event must have a result on the output subject (duplicates allowed, losses not).
// Results are flat (spec 05 §1); each is a detection embedding its event, whose `seq` names the input.

import type { DetectionResult } from '@tsigma/eval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsSink, streamNameFor } from '../../src/index.js';
import { writeRules } from '../helpers/fixtures.js';
import type { ConsumerSettings } from '../fixtures/consumer.js';
import { endConsumer, inspect, startConsumer, waitFor, type Inspector } from '../helpers/consumer-process.js';
import { natsServerAvailable, startNatsServer, type NatsServer } from '../helpers/nats-server.js';

const RULE_ALL = `
title: Crash Test Event
id: c0c0c0c0-0001-0000-0000-000000000001
logsource: { product: test }
detection:
    selection:
        eventType: 'crash.test'
    condition: selection
level: low
`;

/** Input events; each carries `seq` so outputs can be matched back exactly. */
const N = 300;
/** Kill once this many results were published: well inside the run (300 events at 10 ms each take ~3 s). */
const KILL_AFTER = 60;

const run = natsServerAvailable();

describe.skipIf(!run)('crash of a consumer process (at-least-once)', () => {
  let server: NatsServer;
  let inspector: Inspector;
  let removeRules: () => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    server = await startNatsServer();
    inspector = await inspect(server.url);
  });
  afterAll(async () => {
    await inspector?.close();
    await removeRules();
    await server?.stop();
  });

  it('SIGKILL mid-stream then restart: every input has a result, none lost, duplicates counted', async () => {
    const rules = await writeRules({ 'all.yml': RULE_ALL });
    removeRules = rules.remove;
    const input = await NatsSink.connect({ url: server.url }, 'crash.in');
    await input.sendRawMany(Array.from({ length: N }, (_, seq) => JSON.stringify({ eventType: 'crash.test', seq })));
    await input.close();
    const outStream = streamNameFor('crash.out');
    // The output stream must exist before the first count; the consumer would create it too.
    await (await NatsSink.connect({ url: server.url }, 'crash.out')).close();

    const settings: ConsumerSettings = {
      url: server.url,
      input: 'crash.in',
      output: 'crash.out',
      durable: 'crash-worker',
      rulesDir: rules.dir,
      ackWaitMs: 2000,
      delayMs: 10,
      label: 'first',
    };
    const first = await startConsumer(settings);
    expect(await waitFor(async () => (await inspector.count(outStream)) >= KILL_AFTER, 20_000), first.stderr()).toBe(true);
    await endConsumer(first, 'SIGKILL');
    const atKill = await inspector.count(outStream);
    // The kill must land mid-stream, or the test would prove nothing about recovery.
    expect(atKill).toBeLessThan(N);

    const second = await startConsumer({ ...settings, delayMs: 0, label: 'second' });
    try {
      // Done when the durable has nothing pending and nothing unacked: every input was acked after its publish.
      const done = await waitFor(async () => {
        const c = await inspector.jsm.consumers.info(streamNameFor('crash.in'), 'crash-worker');
        return c.num_pending === 0 && c.num_ack_pending === 0;
      }, 20_000);
      expect(done, second.stderr()).toBe(true);
    } finally {
      await endConsumer(second, 'SIGTERM');
    }

    const records = await inspector.records(outStream);
    const seen = new Map<number, number>();
    for (const r of records) {
      expect(r).not.toHaveProperty('correlation_type');
      expect(r.rule_title).toBe('Crash Test Event');
      const { seq } = (r as DetectionResult).event as { seq: number };
      seen.set(seq, (seen.get(seq) ?? 0) + 1);
    }
    const lost = Array.from({ length: N }, (_, s) => s).filter((s) => !seen.has(s));
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
    console.info(
      `crash test: ${N} inputs, ${atKill} results before SIGKILL, ${records.length} results in total, ${duplicates} duplicates, ${lost.length} lost`,
    );
    expect(lost).toEqual([]);
    expect(records.length).toBe(N + duplicates);
    expect(seen.size).toBe(N);
  });
});
