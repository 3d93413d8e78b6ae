import { describe, expect, it } from 'vitest';
import { PullBuffer } from './pull-buffer.js';

const msg = (n: number): { reply: string } => ({ reply: `$JS.ACK.s.c.1.${n}.${n}.0.0` });

/** Takes everything buffered; returns the numbers of the messages (the stream sequence in their reply). */
function drain(buffer: PullBuffer<{ reply: string }>): number[] {
  const out: number[] = [];
  for (let m = buffer.take(); m !== undefined; m = buffer.take()) out.push(Number(m.reply.split('.')[5]));
  return out;
}

describe('PullBuffer', () => {
  it('hands messages out oldest first and says when the server last heard about each', () => {
    const buffer = new PullBuffer<{ reply: string }>();
    buffer.push(msg(1), 100);
    buffer.push(msg(2), 200);
    expect(buffer.size).toBe(2);
    expect(buffer.take()).toEqual(msg(1));
    expect(buffer.takenHeardAt).toBe(100);
    expect(buffer.take()).toEqual(msg(2));
    expect(buffer.takenHeardAt).toBe(200);
    expect(buffer.take()).toBeUndefined();
    expect(buffer.size).toBe(0);
  });

  it('signals only messages the server has not heard about since `before`, and counts them as heard now', () => {
    const buffer = new PullBuffer<{ reply: string }>();
    buffer.push(msg(1), 0);
    buffer.push(msg(2), 400);
    const signalled: string[] = [];
    buffer.signalUnheardSince(100, 600, (reply) => signalled.push(reply));
    expect(signalled).toEqual([msg(1).reply]);
    // Run again at once: nothing is due, however often the timer looks.
    buffer.signalUnheardSince(100, 610, (reply) => signalled.push(reply));
    expect(signalled).toHaveLength(1);
    // The hand-out carries the signal's time on, not the delivery's.
    buffer.take();
    expect(buffer.takenHeardAt).toBe(600);
    buffer.take();
    expect(buffer.takenHeardAt).toBe(400);
  });

  it('keeps every buffered message heard about at most 3/4 of ack_wait apart, at most once per half, with the source cadence', () => {
    // NatsSource's timer: every ack_wait / 4, signalling what was not heard about for ack_wait / 2.
    const ackWait = 1000;
    const buffer = new PullBuffer<{ reply: string }>();
    const heard = new Map<string, number[]>();
    const arrivals = [0, 130, 260, 249, 251, 999];
    for (const [i, at] of arrivals.entries()) {
      buffer.push(msg(i), at);
      heard.set(msg(i).reply, [at]);
    }
    for (let now = 250; now <= 10_000; now += ackWait / 4) {
      buffer.signalUnheardSince(now - ackWait / 2, now, (reply) => heard.get(reply)?.push(now));
    }
    for (const times of heard.values()) {
      const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
      expect(Math.max(...gaps)).toBeLessThanOrEqual((ackWait * 3) / 4);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(ackWait / 2);
    }
  });

  it('stays in order and keeps signal times with their messages when taken slots are dropped (never empty)', () => {
    // A slow caller with a backlog: the next pull lands before the buffer empties, so it never resets itself.
    const buffer = new PullBuffer<{ reply: string }>();
    const taken: number[] = [];
    let next = 0;
    for (let round = 0; round < 500; round++) {
      for (let i = 0; i < 10; i++, next++) buffer.push(msg(next), next);
      for (let i = 0; i < 9; i++) taken.push(Number(buffer.take()?.reply.split('.')[5]));
    }
    expect(taken).toEqual(Array.from({ length: 4500 }, (_, n) => n));
    expect(buffer.size).toBe(500);
    // Taken messages are let go of: the array holds at most the buffered ones plus one compaction's worth, not
    // all 5,000 ever pushed. (A peek at a private field: memory is the point, and nothing public shows it.)
    expect((buffer as unknown as { messages: unknown[] }).messages.length).toBeLessThan(500 + 2048);
    // Every remaining message still has its own time: those delivered at 4800 or later are not due.
    const signalled: string[] = [];
    buffer.signalUnheardSince(4799, 5000, (reply) => signalled.push(reply));
    expect(signalled).toEqual(Array.from({ length: 300 }, (_, n) => msg(4500 + n).reply));
    expect(drain(buffer)).toEqual(Array.from({ length: 500 }, (_, n) => 4500 + n));
  });

  it('clear() drops every message, and nothing is signalled for them afterwards', () => {
    const buffer = new PullBuffer<{ reply: string }>();
    buffer.push(msg(1), 0);
    buffer.clear();
    const signalled: string[] = [];
    buffer.signalUnheardSince(1000, 2000, (reply) => signalled.push(reply));
    expect(signalled).toEqual([]);
    expect(buffer.take()).toBeUndefined();
  });
});
