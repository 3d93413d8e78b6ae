import { describe, expect, it } from 'vitest';
import { NOOP_ACK } from './io-types.js';
import { PushSource } from './push-source.js';

const ev = (payload: string) => ({ payload, ackToken: NOOP_ACK });

describe('PushSource', () => {
  it('hands out pushed events in order and ends after close', async () => {
    const source = new PushSource(4);
    await source.push([ev('a'), ev('b')]);
    await source.close();
    expect((await source.recvMany(10))?.map((e) => e.payload)).toEqual(['a', 'b']);
    expect(await source.recv()).toBeNull();
    await expect(source.push([ev('c')])).rejects.toThrow();
  });

  it('makes a push wait for room and counts the back-pressure once per call', async () => {
    let waits = 0;
    const source = new PushSource(1, { onBackPressure: () => waits++ });
    let done = false;
    const pushing = source.push([ev('a'), ev('b'), ev('c')]).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    expect(waits).toBe(1);
    const got: string[] = [];
    while (got.length < 3) got.push(...((await source.recvMany(10)) ?? []).map((e) => e.payload));
    await pushing;
    expect(got).toEqual(['a', 'b', 'c']);
  });
});
