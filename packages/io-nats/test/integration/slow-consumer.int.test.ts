// Issue 12 item 8: a slow consumer of recv()/recvMany() must not see redeliveries while the source lives. Messages
// pulled ahead and still buffered, and messages handed out but not acked, are both kept alive with +WPI signals.

import type { Msg } from '@nats-io/transport-node';
import type { RawEvent } from '@tsigma/runtime';
import { describe, it, type ExpectStatic } from 'vitest';
import { NatsSource, streamNameFor, type NatsSourceOptions } from '../../src/index.js';
import { inspect, type Inspector } from '../helpers/consumer-process.js';
import { useNatsServer } from '../helpers/harness.js';
import { natsServerAvailable, recvWithin } from '../helpers/nats-server.js';

const run = natsServerAvailable();

/**
 * Short enough that the buffer below holds several ack_waits of work, long enough that the source's signals
 * (every ack_wait / 2, checked every ack_wait / 4) keep a wide margin on a busy 2-core machine.
 */
const ACK_WAIT_MS = 2000;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a subscriber on the stream's `$JS.ACK` subjects saw, per ack subject, in the order the source sent it. */
interface AckTraffic {
  bySubject: Map<string, string[]>;
  total(payload: string): number;
  stop(): Promise<void>;
}

/** Listens to the acks and in-progress signals the source sends for `stream`; they are plain core publishes. */
async function watchAckTraffic(ins: Inspector, stream: string): Promise<AckTraffic> {
  const bySubject = new Map<string, string[]>();
  const sub = ins.nc.subscribe(`$JS.ACK.${stream}.>`, {
    callback: (err, msg: Msg) => {
      if (err !== null) return;
      const seen = bySubject.get(msg.subject) ?? [];
      seen.push(msg.string());
      bySubject.set(msg.subject, seen);
    },
  });
  // The subscription must be in place on the server before the source starts sending.
  await ins.nc.flush();
  return {
    bySubject,
    total: (payload) => [...bySubject.values()].reduce((n, seen) => n + seen.filter((p) => p === payload).length, 0),
    stop: async () => {
      await ins.nc.flush();
      sub.unsubscribe();
    },
  };
}

describe.skipIf(!run)('a slow consumer gets no redeliveries while its source lives (issue 12 item 8)', () => {
  const nats = useNatsServer();

  /**
   * Publishes `messages` events to `subject`, lets `consume` work through all of them slowly with a source pulling
   * `batch` at a time (so it buffers up to two batches ahead), then checks what a live source promises: every
   * event exactly once, no redelivery (client and server counters), nothing pending, no in-progress signal after a
   * message's ack, and no signal at all once everything is acked.
   */
  async function expectNoRedelivery(
    expect: ExpectStatic,
    subject: string,
    { messages, batch }: { messages: number; batch: number },
    consume: (src: NatsSource, handled: number[]) => Promise<void>,
  ): Promise<void> {
    const input = await nats.sink(subject);
    await input.sendRawMany(Array.from({ length: messages }, (_, n) => `{"n":${n}}`));
    const stream = streamNameFor(subject);
    const ins = await inspect(nats.server.url);
    nats.onCleanup(() => ins.close());
    const traffic = await watchAckTraffic(ins, stream);
    const opts: NatsSourceOptions = { ackWaitMs: ACK_WAIT_MS, batch };
    const src = await NatsSource.connect(nats.cfg, subject, { kind: 'resume' }, 'slow', opts);
    nats.onCleanup(() => src.close());

    const handled: number[] = [];
    while (new Set(handled).size < messages) await consume(src, handled);
    // Redeliveries of anything held too long arrive within one more ack_wait of the last ack (a protocol
    // timeout, not a race); take them all, so the counts below are the whole damage.
    for (let late = await recvWithin(src, ACK_WAIT_MS * 1.5); late !== null; late = await recvWithin(src, ACK_WAIT_MS * 1.5)) {
      await handle([late], handled, 0);
    }

    const duplicates = handled.filter((n, i) => handled.indexOf(n) !== i);
    expect({ duplicates, redelivered: src.redelivered }).toEqual({ duplicates: [], redelivered: 0 });
    expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: messages }, (_, n) => n));
    const consumer = await ins.jsm.consumers.info(stream, 'slow');
    expect(consumer.num_redelivered).toBe(0);
    expect(consumer.num_ack_pending).toBe(0);
    expect(consumer.ack_floor.stream_seq).toBe(messages);

    await traffic.stop();
    // Every delivery was signalled only until its +ACK, the last thing sent for it (the quiet wait above spans
    // several runs of the signal timer). Messages held for long were signalled: the fix is what kept them.
    for (const [ackSubject, seen] of traffic.bySubject) expect(seen.indexOf('+ACK'), ackSubject).toBe(seen.length - 1);
    expect(traffic.total('+ACK')).toBe(messages);
    expect(traffic.total('+WPI')).toBeGreaterThan(0);
  }

  /** Records the event's number, waits like a slow sink, then acks: at-least-once order. */
  async function handle(events: RawEvent[], handled: number[], sinkMs: number): Promise<void> {
    for (const ev of events) handled.push((JSON.parse(ev.payload) as { n: number }).n);
    await pause(sinkMs);
    await Promise.all(events.map((ev) => ev.ackToken.ack()));
  }

  /** One recvMany(max) handled by a sink taking `sinkMs`. */
  const slowBatches =
    (max: number, sinkMs: number) =>
    async (src: NatsSource, handled: number[]): Promise<void> => {
      const events = await src.recvMany(max);
      if (events.length === 0) throw new Error('source closed');
      await handle(events, handled, sinkMs);
    };

  // Concurrent (each on its own stream): they mostly wait, and one after the other they would take over 30 s.
  it.concurrent('recv() one at a time with a 150 ms sink: messages waiting in the pull buffer are kept alive', async ({ expect }) => {
    // The sink. The buffer holds up to 40 messages = 6 s of work, three ack_waits.
    await expectNoRedelivery(expect, 'slow.recv', { messages: 40, batch: 20 }, async (src, handled) => {
      const ev = await recvWithin(src, 5000);
      if (ev === null) throw new Error(`nothing received after ${handled.length} events`);
      await handle([ev], handled, 150);
    });
  });

  it.concurrent('recvMany(5) with a 600 ms sink: messages waiting in the pull buffer are kept alive', async ({ expect }) => {
    // 8 batches of 5 = 4.8 s of work for what the source buffers, over two ack_waits.
    await expectNoRedelivery(expect, 'slow.many', { messages: 40, batch: 20 }, slowBatches(5, 600));
  });

  it.concurrent(
    'recvMany(5) with a 1.5 s sink: a message that waited in the buffer keeps its signals once handed out',
    async ({ expect }) => {
      // Each batch is held 3/4 of ack_wait after hand-out, having waited up to 4.5 s in the buffer: its ack token
      // must go on from the buffer's last signal, not from the hand-out, which the server knows nothing about.
      await expectNoRedelivery(expect, 'slow.held', { messages: 20, batch: 10 }, slowBatches(5, 1500));
    },
  );
});
