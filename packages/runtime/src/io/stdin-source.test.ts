import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StdinSource } from './stdin-source.js';

async function drain(src: StdinSource): Promise<string[]> {
  const out: string[] = [];
  for (let ev = await src.recv(); ev; ev = await src.recv()) out.push(ev.payload);
  return out;
}

describe('StdinSource', () => {
  it('yields non-blank lines (LF and CRLF), the unterminated last line, then null', async () => {
    const src = new StdinSource(Readable.from(['{"a":1}\r\n\n  \n{"b"', ':2}\nlast']));
    expect(await drain(src)).toEqual(['{"a":1}', '{"b":2}', 'last']);
    expect(await src.recv()).toBeNull();
  });

  it('numbers origins by input line and acks as a no-op', async () => {
    const src = new StdinSource(Readable.from(['x\n\ny\n']), 'stdin');
    const a = await src.recv();
    const b = await src.recv();
    expect([a?.origin, b?.origin]).toEqual(['stdin:1', 'stdin:3']);
    await expect(a?.ackToken.ack()).resolves.toBeUndefined();
  });

  it('recvMany returns what one chunk holds, up to max, skipping blank lines; null at the end', async () => {
    const src = new StdinSource(Readable.from(['a\n \nb\nc\n', 'd\n']), 'in');
    const first = await src.recvMany(2);
    expect(first?.map((e) => [e.payload, e.origin])).toEqual([
      ['a', 'in:1'],
      ['b', 'in:3'],
    ]);
    expect((await src.recvMany(10))?.map((e) => e.payload)).toEqual(['c']);
    expect((await src.recvMany(10))?.map((e) => e.payload)).toEqual(['d']);
    expect(await src.recvMany(10)).toBeNull();
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const bytes = Buffer.from('héllo wörld\n');
    const src = new StdinSource(Readable.from([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)]));
    expect(await drain(src)).toEqual(['héllo wörld']);
  });

  it('waits for data on a live stream and returns null after close()', async () => {
    const input = new PassThrough();
    const src = new StdinSource(input);
    const first = src.recv();
    input.write('late line\n');
    expect((await first)?.payload).toBe('late line');
    const pending = src.recv();
    await src.close();
    expect(await pending).toBeNull();
  });

  it('stops reading the stream while the consumer is behind', async () => {
    const input = new PassThrough({ highWaterMark: 1024 });
    const src = new StdinSource(input);
    const line = 'x'.repeat(99) + '\n';
    let written = 0;
    const producer = (async () => {
      for (; written < 1000; written++) {
        if (!input.write(line)) await new Promise((r) => input.once('drain', r));
      }
      input.end();
    })();
    for (let i = 0; i < 5; i++) expect((await src.recv())?.payload).toBe('x'.repeat(99));
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    // Only what fits in the stream's buffers plus one pulled chunk was produced: the producer is held back.
    expect(written).toBeLessThan(60);
    let rest = 5;
    while (await src.recv()) rest++;
    await producer;
    expect(rest).toBe(1000);
  });
});
