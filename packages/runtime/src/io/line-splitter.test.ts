import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../input/decode-line.js';
import { LineSplitter } from './line-splitter.js';

/** Lines of `bytes` pushed in pieces of `size` bytes, and the work it took. */
function split(bytes: Buffer, size: number): { lines: string[]; work: number } {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += size) lines.push(...splitter.push(bytes.subarray(i, i + size)));
  const last = splitter.end();
  if (last !== undefined) lines.push(last);
  return { lines, work: splitter.charsScanned };
}

describe('LineSplitter', () => {
  it('splits LF and CRLF lines, with multi-byte characters cut by chunk boundaries', () => {
    const text = 'é1\r\n\r\n😀 two\nthree\r';
    for (const size of [1, 2, 3, 5, 64]) {
      expect(split(Buffer.from(text), size).lines, `chunk size ${size}`).toEqual(['é1', '', '😀 two', 'three']);
    }
  });

  it('cuts a line above the limit to one character more than the limit, wherever its chunks end', () => {
    const long = 'x'.repeat(MAX_LINE_BYTES + 5000);
    for (const size of [65_536, 1000]) {
      const { lines } = split(Buffer.from(`a\n${long}\nb`), size);
      expect(lines.map((l) => l.length)).toEqual([1, MAX_LINE_BYTES + 1, 1]);
    }
  });

  it('does linear work on a long line that arrives a few bytes at a time', () => {
    const line = (n: number): string => `{"blob":"${'y'.repeat(n)}"}`;
    const small = split(Buffer.from(`${line(200_000)}\n{"n":1}\n`), 16);
    const large = split(Buffer.from(`${line(400_000)}\n{"n":1}\n`), 16);
    expect(small.lines).toEqual([line(200_000), '{"n":1}']);
    expect(large.lines).toEqual([line(400_000), '{"n":1}']);
    expect(small.work).toBeLessThanOrEqual(3 * line(200_000).length);
    expect(large.work).toBeLessThanOrEqual(2.1 * small.work);
  });
});
