import { describe, expect, it } from 'vitest';
import { BoundedChannel } from './bounded-channel.js';
import { RuntimeError } from '../errors.js';

describe('BoundedChannel', () => {
  it('delivers in FIFO order and ends with undefined after close and drain', async () => {
    const ch = new BoundedChannel<number>(3);
    await ch.send(1);
    await ch.send(2);
    expect(ch.trySend(3)).toBe(true);
    expect(ch.trySend(4)).toBe(false);
    expect(ch.size).toBe(3);
    ch.close();
    expect(await ch.recv()).toBe(1);
    expect(await ch.recv()).toBe(2);
    expect(await ch.recv()).toBe(3);
    expect(await ch.recv()).toBeUndefined();
    expect(ch.trySend(5)).toBe(false);
    await expect(ch.send(5)).rejects.toMatchObject({ code: 'channel_closed' });
  });

  it('makes send wait until a value is received, never exceeding capacity', async () => {
    const ch = new BoundedChannel<number>(2);
    const order: string[] = [];
    const producer = (async () => {
      for (let i = 0; i < 10; i++) {
        await ch.send(i);
        order.push(`sent ${i}`);
        expect(ch.size).toBeLessThanOrEqual(2);
      }
      ch.close();
    })();
    const got: number[] = [];
    for (let v = await ch.recv(); v !== undefined; v = await ch.recv()) {
      expect(ch.size).toBeLessThanOrEqual(2);
      got.push(v);
    }
    await producer;
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('hands a value straight to a waiting receiver', async () => {
    const ch = new BoundedChannel<string>(1);
    const pending = ch.recv();
    expect(ch.trySend('x')).toBe(true);
    expect(ch.size).toBe(0);
    expect(await pending).toBe('x');
  });

  it('resolves waiting receivers with undefined and rejects waiting senders on close', async () => {
    const ch = new BoundedChannel<number>(1);
    await ch.send(1);
    const blocked = ch.send(2);
    ch.close();
    await expect(blocked).rejects.toBeInstanceOf(RuntimeError);
    expect(await ch.recv()).toBe(1);
    expect(await ch.recv()).toBeUndefined();
    const waiting = new BoundedChannel<number>(1);
    const w = waiting.recv();
    waiting.close();
    expect(await w).toBeUndefined();
  });

  it('reports depth changes that always sum to the buffered size', async () => {
    let depth = 0;
    const ch = new BoundedChannel<number>(4, (d) => (depth += d));
    for (let i = 0; i < 4; i++) await ch.send(i);
    const blocked = ch.send(4);
    expect(depth).toBe(4);
    await ch.recv();
    await blocked;
    expect(depth).toBe(ch.size);
    while (ch.size > 0) await ch.recv();
    expect(depth).toBe(0);
  });

  it('recvMany waits for one value, then takes what is buffered up to max, admitting waiting senders', async () => {
    let depth = 0;
    const ch = new BoundedChannel<number>(3, (d) => (depth += d));
    const first = ch.recvMany(10);
    ch.trySend(1);
    ch.trySend(2);
    ch.trySend(3);
    expect(await first).toEqual([1, 2, 3]);
    for (let i = 4; i <= 6; i++) ch.trySend(i);
    const blocked = ch.send(7);
    expect(await ch.recvMany(2)).toEqual([4, 5]);
    await blocked;
    expect(depth).toBe(ch.size);
    ch.close();
    expect(await ch.recvMany(10)).toEqual([6, 7]);
    expect(await ch.recvMany(10)).toBeUndefined();
    expect(depth).toBe(0);
  });

  it('recvMany with weights bounds the sum of weights, always taking at least one value', async () => {
    const ch = new BoundedChannel<number>(10);
    for (const w of [100, 100, 100, 1, 500, 3]) ch.trySend(w);
    const weigh = (w: number): number => w;
    expect(await ch.recvMany(250, weigh)).toEqual([100, 100, 100]);
    expect(await ch.recvMany(250, weigh)).toEqual([1, 500]);
    expect(await ch.recvMany(2, weigh)).toEqual([3]);
    // A first value handed over directly (the receiver was waiting) counts too.
    const waiting = ch.recvMany(150, weigh);
    ch.trySend(120);
    ch.trySend(40);
    ch.trySend(40);
    expect(await waiting).toEqual([120, 40]);
    expect(await ch.recvMany(1000, weigh)).toEqual([40]);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new BoundedChannel(0)).toThrow(RangeError);
  });
});
