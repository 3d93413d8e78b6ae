import { describe, expect, it } from 'vitest';
import { encodeAll } from './nats-sink.js';

describe('encodeAll', () => {
  it('encodes each string to the same bytes as TextEncoder, ASCII and multi-byte alike', () => {
    const strings = ['{"a":1}', '', 'héllo wörld', '😀'.repeat(40), 'x'.repeat(1000), '日本語のイベント'];
    const te = new TextEncoder();
    expect(encodeAll(strings).map((b) => [...b])).toEqual(strings.map((s) => [...te.encode(s)]));
  });

  it('returns views that do not overlap, so each payload stays intact', () => {
    const out = encodeAll(['abc', 'déf', 'ghi']);
    expect(out.map((b) => new TextDecoder().decode(b))).toEqual(['abc', 'déf', 'ghi']);
  });
});
