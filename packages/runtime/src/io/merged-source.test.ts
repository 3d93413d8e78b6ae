import { describe, expect, it } from 'vitest';
import { NOOP_ACK } from './io-types.js';
import { MergedSource } from './merged-source.js';
import { PushSource } from './push-source.js';

const ev = (payload: string) => ({ payload, ackToken: NOOP_ACK });

describe('MergedSource', () => {
  it('hands out whichever source has events, keeps each order, and ends when all ended', async () => {
    const a = new PushSource(10);
    const b = new PushSource(10);
    const merged = new MergedSource([a, b]);
    await b.push([ev('b1'), ev('b2')]);
    expect((await merged.recvMany(10))?.map((e) => e.payload)).toEqual(['b1', 'b2']);
    const waiting = merged.recvMany(10);
    await a.push([ev('a1')]);
    expect((await waiting)?.map((e) => e.payload)).toEqual(['a1']);
    await a.close();
    await b.push([ev('b3')]);
    expect((await merged.recvMany(10))?.map((e) => e.payload)).toEqual(['b3']);
    await b.close();
    expect(await merged.recvMany(10)).toBeNull();
  });

  it('stopReceiving ends a pending read', async () => {
    const merged = new MergedSource([new PushSource(1), new PushSource(1)]);
    const pending = merged.recv();
    await merged.stopReceiving();
    expect(await pending).toBeNull();
  });
});
