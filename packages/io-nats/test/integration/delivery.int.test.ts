// Spec 06 §6.2 tests 7–10 and 12: redelivery, replay policies, consumer groups, the feedback guard, the DLQ.

import { DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { DeadLetterWriter, type RawEvent } from '@tsigma/runtime';
import { describe, expect, it } from 'vitest';
import {
  assertNoFeedbackLoop,
  connectNats,
  NatsConfigError,
  NatsPublishError,
  streamNameFor,
  NatsSource,
  type NatsSourceOptions,
  type ReplayPolicy,
} from '../../src/index.js';
import { buildProcessor, JSON_FORMAT, RULE_WHOAMI, writeRules } from '../helpers/fixtures.js';
import { useNatsServer } from '../helpers/harness.js';
import { recordingLogger } from '../helpers/logger.js';
import { natsServerAvailable, recvWithin } from '../helpers/nats-server.js';

const run = natsServerAvailable();

describe.skipIf(!run)('NATS delivery guarantees (spec 06 §6.2)', () => {
  const nats = useNatsServer();
  const { sink } = nats;
  async function source(subject: string, replay?: ReplayPolicy, group?: string, opts?: NatsSourceOptions): Promise<NatsSource> {
    const s = await NatsSource.connect(nats.cfg, subject, replay, group, opts);
    nats.onCleanup(() => s.close());
    return s;
  }
  /** Receives until `quietMs` pass without a message, acking each; returns the payloads in order. */
  async function takeAll(src: NatsSource, quietMs = 500): Promise<string[]> {
    const out: string[] = [];
    for (let raw = await recvWithin(src, 3000); raw !== null; raw = await recvWithin(src, quietMs)) {
      out.push(raw.payload);
      await raw.ackToken.ack();
    }
    return out;
  }

  it('7. an unacked message comes back after ack_wait once its source closed, and not after the ack', async () => {
    const subject = 'redeliver.events';
    const input = await sink(subject);
    await input.sendRaw('{"n":1}');
    const opts = { ackWaitMs: 1000 };
    const first = await source(subject, { kind: 'resume' }, 'redeliver', opts);
    const raw = await recvWithin(first, 3000);
    expect(raw?.payload).toBe('{"n":1}');
    await first.close();

    const second = await source(subject, { kind: 'resume' }, 'redeliver', opts);
    const started = Date.now();
    const again = await recvWithin(second, 5000);
    expect(again?.payload).toBe('{"n":1}');
    expect(second.redelivered).toBe(1);
    expect(again!.ackToken.position?.()).toMatchObject({ streamSeq: 1 });
    expect(again!.ackToken.position?.()?.timestampSec).toBeCloseTo(Date.now() / 1000, -1);
    // Redelivery waits for ack_wait measured from the first delivery; it cannot arrive before ~1 s in total.
    expect(Date.now() - started).toBeLessThan(4000);
    await again!.ackToken.ack();
    expect(await recvWithin(second, 2000)).toBeNull();
  });

  it('7b. in-progress signals keep an outstanding token from being redelivered while the source lives', async () => {
    const subject = 'inprogress.events';
    const input = await sink(subject);
    await input.sendRaw('{"slow":true}');
    const src = await source(subject, { kind: 'resume' }, 'inprogress', { ackWaitMs: 1000 });
    const raw = await recvWithin(src, 3000);
    expect(raw).not.toBeNull();
    // Three ack_waits without an ack: without working() signals the server would redeliver at least twice.
    expect(await recvWithin(src, 3000)).toBeNull();
    await raw!.ackToken.ack();
    expect(src.redelivered).toBe(0);
  });

  it('nak(delay) asks for redelivery after the delay, without waiting for ack_wait', async () => {
    const subject = 'nak.events';
    const input = await sink(subject);
    await input.sendRaw('{"retry":true}');
    const src = await source(subject, { kind: 'resume' }, 'naker', { ackWaitMs: 30_000 });
    const raw = await recvWithin(src, 3000);
    expect(raw).not.toBeNull();
    await raw!.ackToken.nak?.(200);
    const again = await recvWithin(src, 3000);
    expect(again?.payload).toBe('{"retry":true}');
    expect(src.redelivered).toBe(1);
    await again!.ackToken.ack();
  });

  it('acks made together share one confirmation, and every one of them was handled when it resolves', async () => {
    const subject = 'batchack.events';
    const input = await sink(subject);
    await input.sendRawMany(Array.from({ length: 50 }, (_, n) => `{"n":${n}}`));
    const src = await source(subject, { kind: 'resume' }, 'batchacker', { ackWaitMs: 1000, batch: 20 });
    const got: RawEvent[] = [];
    while (got.length < 50) got.push(...(await src.recvMany(50 - got.length)));
    expect(got.map((e) => e.origin)).toEqual(Array.from({ length: 50 }, (_, n) => `nats:${subject}#${n + 1}`));
    // Only the last ack of the tick asks for a reply; the server handles one connection's acks in order.
    await Promise.all(got.map((e) => e.ackToken.ack()));
    const nc = await connectNats(nats.cfg);
    try {
      const info = await (await jetstreamManager(nc)).consumers.info(streamNameFor(subject), 'batchacker');
      expect(info.num_ack_pending).toBe(0);
      expect(info.ack_floor.stream_seq).toBe(50);
    } finally {
      await nc.close();
    }
    expect(await recvWithin(src, 2000)).toBeNull();
    expect(src.redelivered).toBe(0);
  });

  it('a deleted durable: the pull is refused (409/503 status), logged once, and pulling resumes once it exists again', async () => {
    const subject = 'gone.events';
    const input = await sink(subject);
    await input.sendRaw('{"n":1}');
    const logger = recordingLogger();
    const src = await source(subject, { kind: 'resume' }, 'gone', { logger });
    const first = await recvWithin(src, 3000);
    await first!.ackToken.ack();
    const nc = await connectNats(nats.cfg);
    try {
      const jsm = await jetstreamManager(nc);
      const config = (await jsm.consumers.info(streamNameFor(subject), 'gone')).config;
      await jsm.consumers.delete(streamNameFor(subject), 'gone');
      expect(await recvWithin(src, 2500)).toBeNull();
      const retries = logger.entries.filter((e) => e.level === 'warn' && e.message === 'pull failed, retrying');
      expect(retries).toHaveLength(1);
      expect(retries[0]!.fields).toMatchObject({ subject, stream: streamNameFor(subject), consumer: 'gone' });
      expect(retries[0]!.fields?.reason).toMatch(/409|503/);
      // Start after what is stored, so the next delivery is the message published below.
      await jsm.consumers.add(streamNameFor(subject), { ...config, deliver_policy: DeliverPolicy.New });
      await input.sendRaw('{"n":2}');
      // A pull sent while the durable was gone gets no answer at all; it is given up after two missed
      // heartbeats (~4 s) and the next one reaches the new durable.
      const again = await recvWithin(src, 10_000);
      expect(again?.payload).toBe('{"n":2}');
      await again!.ackToken.ack();
    } finally {
      await nc.close();
    }
  });

  it('max_deliver: after maxDeliver unacked deliveries the message is not delivered again', async () => {
    const subject = 'maxdeliver.events';
    const input = await sink(subject);
    await input.sendRaw('{"poison":true}');
    const opts = { ackWaitMs: 1000, maxDeliver: 2 };
    for (let delivery = 1; delivery <= 2; delivery++) {
      const src = await source(subject, { kind: 'resume' }, 'maxdeliver', opts);
      const raw = await recvWithin(src, 4000);
      expect(raw?.payload, `delivery ${delivery}`).toBe('{"poison":true}');
      await src.close();
    }
    const last = await source(subject, { kind: 'resume' }, 'maxdeliver', opts);
    expect(await recvWithin(last, 2500)).toBeNull();
  });

  it('resume reuses a durable and updates ack_wait and max_ack_pending when they differ', async () => {
    const subject = 'reconcile.events';
    await sink(subject);
    await (await source(subject, { kind: 'resume' }, 'reconciler', { ackWaitMs: 5000, maxAckPending: 10 })).close();
    await source(subject, { kind: 'resume' }, 'reconciler', { ackWaitMs: 7000, maxAckPending: 20 });
    const nc = await connectNats(nats.cfg);
    try {
      const info = await (await jetstreamManager(nc)).consumers.info(streamNameFor(subject), 'reconciler');
      expect(info.config.ack_wait).toBe(7000 * 1_000_000);
      expect(info.config.max_ack_pending).toBe(20);
      expect(info.config.filter_subject).toBe(subject);
    } finally {
      await nc.close();
    }
  });

  it('8. replay from sequence, time and all, then resume has nothing new', async () => {
    const subject = 'replay.events';
    const input = await sink(subject);
    let between = new Date();
    for (let i = 1; i <= 5; i++) {
      if (i === 3) {
        // A time strictly after message 2's stored timestamp and before message 3's.
        await new Promise((r) => setTimeout(r, 20));
        between = new Date();
        await new Promise((r) => setTimeout(r, 20));
      }
      await input.sendRaw(`{"n":${i}}`);
    }
    const all = ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}'];
    const take = async (replay: ReplayPolicy): Promise<string[]> => {
      const src = await source(subject, replay, 'replayer');
      const got = await takeAll(src);
      await src.close();
      return got;
    };
    expect(await take({ kind: 'resume' })).toEqual(all);
    expect(await take({ kind: 'sequence', seq: 3 })).toEqual(all.slice(2));
    expect(await take({ kind: 'time', at: between })).toEqual(all.slice(2));
    expect(await take({ kind: 'all' })).toEqual(all);
    expect(await take({ kind: 'resume' })).toEqual([]);
  });

  it('8b. latest starts at the last existing message', async () => {
    const subject = 'latest.events';
    const input = await sink(subject);
    for (let i = 1; i <= 3; i++) await input.sendRaw(`{"n":${i}}`);
    const src = await source(subject, { kind: 'latest' }, 'latest');
    expect(await takeAll(src)).toEqual(['{"n":3}']);
  });

  it('9. a consumer group spreads 20 messages so each is received exactly once', async () => {
    const subject = 'group.events';
    const input = await sink(subject);
    // Small pulls so both members get a share instead of the first one taking everything in one batch.
    const a = await source(subject, { kind: 'resume' }, 'workers', { batch: 2 });
    const b = await source(subject, { kind: 'resume' }, 'workers', { batch: 2 });
    for (let i = 0; i < 20; i++) await input.sendRaw(`{"n":${i}}`);
    const [fromA, fromB] = await Promise.all([takeAll(a, 1000), takeAll(b, 1000)]);
    const seen = [...fromA, ...fromB].map((p) => (JSON.parse(p) as { n: number }).n).sort((x, y) => x - y);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('send() publishes one compact JSON message per result, in order', async () => {
    const subject = 'sendresults.out';
    const out = await sink(subject);
    const header = { rule_id: null, level: null, author: null, tags: [], matched_selections: ['selection'], matched_fields: [] };
    await out.send([
      { rule_title: 'first', ...header },
      { rule_title: 'second', ...header },
    ]);
    await out.send([]);
    const got = await takeAll(await source(subject, { kind: 'all' }, 'sendresults'));
    expect(got.map((p) => (JSON.parse(p) as { rule_title: string }).rule_title)).toEqual(['first', 'second']);
    expect(got[0]).toBe(JSON.stringify({ rule_title: 'first', ...header }));
  });

  it('send() rejects a result JSON.stringify cannot serialize with a NatsPublishError naming the subject', async () => {
    const subject = 'sendresults.deep';
    const out = await sink(subject);
    // 5,000 levels: JSON.stringify throws RangeError (stack exhausted), which must not escape as such.
    let event: unknown = {};
    for (let i = 0; i < 5000; i++) event = { nested: event };
    const header = { rule_id: null, level: null, author: null, tags: [], matched_selections: ['selection'], matched_fields: [] };
    const err = await out
      .send([
        { rule_title: 'fine', ...header },
        { rule_title: 'deep', ...header, event },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(NatsPublishError);
    expect(err).toMatchObject({ subject, index: 1 });
    expect((err as Error).message).toContain(subject);
    expect((err as Error).cause).toBeInstanceOf(RangeError);
    // The result before it was stored; the sink stays usable.
    await out.send([{ rule_title: 'after', ...header }]);
    const got = await takeAll(await source(subject, { kind: 'all' }, 'sendresults-deep'));
    expect(got.map((p) => (JSON.parse(p) as { rule_title: string }).rule_title)).toEqual(['fine', 'after']);
  });

  it('10. feedback guard: input events.> with output events.detections is a config error naming both', () => {
    const attempt = (): void => assertNoFeedbackLoop('events.>', ['events.detections']);
    expect(attempt).toThrow(NatsConfigError);
    try {
      attempt();
    } catch (err) {
      expect((err as NatsConfigError).code).toBe('feedback_loop');
      expect((err as NatsConfigError).options).toEqual(['events.>', 'events.detections']);
    }
    expect(() => assertNoFeedbackLoop('events.*', ['events.detections.high'])).not.toThrow();
  });

  it('12. an unparseable event goes to the DLQ subject and its source message is acked', async () => {
    const subject = 'dlqtest.events';
    const r = await writeRules({ 'whoami.yml': RULE_WHOAMI });
    nats.onCleanup(r.remove);
    const processor = await buildProcessor(r.dir);
    const input = await sink(subject);
    const dlq = new DeadLetterWriter(await sink('dlq.tsigma'));
    await input.sendRaw('NOT JSON');

    const src = await source(subject, { kind: 'resume' }, 'dlq-worker', { ackWaitMs: 1000 });
    const raw = await recvWithin(src, 3000);
    expect(raw).not.toBeNull();
    const outcome = processor.processBatchWithFormatDetailed([raw!.payload], JSON_FORMAT);
    expect(outcome.parseErrors).toHaveLength(1);
    const origin = raw!.origin;
    await dlq.write({
      originalEvent: raw!.payload,
      category: 'parse error',
      detail: outcome.parseErrors[0]!.error,
      ...(origin ? { origin } : {}),
    });
    await raw!.ackToken.ack();

    const dlqSrc = await source('dlq.tsigma', { kind: 'all' }, 'dlq-reader');
    const entries = await takeAll(dlqSrc);
    expect(entries).toHaveLength(1);
    const entry = JSON.parse(entries[0]!) as { original_event: string; error: string; origin?: string };
    expect(entry.original_event).toBe('NOT JSON');
    expect(entry.error).toMatch(/^parse error: /);
    expect(entry.origin).toBe('nats:dlqtest.events#1');
    // Acked: nothing comes back after ack_wait (1 s) has passed twice.
    expect(await recvWithin(src, 2000)).toBeNull();
  });
});
