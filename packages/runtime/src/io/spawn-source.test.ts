import { describe, expect, it } from 'vitest';
import { ArraySource, BatchArraySource } from '../../test/helpers.js';
import type { EventSource, RawEvent } from './io-types.js';
import { NOOP_ACK } from './io-types.js';
import { spawnSource } from './spawn-source.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** An endless source that counts how often it was read. */
class EndlessSource implements EventSource {
  reads = 0;
  closed = false;
  async recv(): Promise<RawEvent | null> {
    if (this.closed) return null;
    return { payload: `{"n":${this.reads++}}`, ackToken: NOOP_ACK };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('spawnSource', () => {
  it('uses recvMany when the source has it, asking for no more than the channel can hold', async () => {
    const src = new BatchArraySource(['a', 'b', 'c', 'd', 'e']);
    const { channel, done } = spawnSource(src, { capacity: 2 });
    const got: string[] = [];
    for (let ev = await channel.recv(); ev; ev = await channel.recv()) got.push(ev.payload);
    await done;
    expect(got).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(src.recvCalls).toBe(0);
    expect(src.asked.length).toBeGreaterThan(0);
    expect(Math.max(...src.asked)).toBeLessThanOrEqual(2);
  });

  it('delivers every event in order and closes the channel at the end', async () => {
    const src = new ArraySource(['a', 'b', 'c']);
    const { channel, done } = spawnSource(src, { capacity: 2 });
    const got: string[] = [];
    for (let ev = await channel.recv(); ev; ev = await channel.recv()) got.push(ev.payload);
    await done;
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('stops reading the source while the consumer is stalled: memory bounded by capacity', async () => {
    const src = new EndlessSource();
    let backPressure = 0;
    let depth = 0;
    let maxDepth = 0;
    const { channel, stop } = spawnSource(src, {
      capacity: 8,
      metrics: {
        onBackPressure: () => backPressure++,
        onInputQueueDepthChange: (d) => {
          depth += d;
          maxDepth = Math.max(maxDepth, depth);
        },
      },
    });
    for (let i = 0; i < 100; i++) await tick();
    expect(channel.size).toBe(8);
    expect(src.reads).toBe(9); // 8 buffered + 1 held by the waiting send
    expect(backPressure).toBe(1);
    expect(depth).toBe(8);

    // Draining some lets exactly that many more in.
    for (let i = 0; i < 5; i++) await channel.recv();
    for (let i = 0; i < 100; i++) await tick();
    expect(src.reads).toBe(14);
    expect(channel.size).toBe(8);
    expect(maxDepth).toBe(8);

    const stopping = stop();
    let drained = 0;
    while (await channel.recv()) drained++;
    await stopping;
    expect(drained).toBe(9);
    expect(src.closed).toBe(true);
    expect(depth).toBe(0);
  });

  it('propagates a source failure through done and still closes the channel', async () => {
    const failing: EventSource = { recv: () => Promise.reject(new Error('boom')), close: async () => {} };
    const { channel, done } = spawnSource(failing, { capacity: 1 });
    await expect(done).rejects.toThrow('boom');
    expect(await channel.recv()).toBeUndefined();
  });
});
