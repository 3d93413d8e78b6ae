import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutText, jsonPrefix, renderTable } from './output-format.js';

/** An object nested `depth` levels: deeper than JSON.stringify's stack can take. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
}

describe('jsonPrefix', () => {
  it('is JSON.stringify when that fits the limit, and an exact prefix longer than the limit when not', () => {
    const values = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.array(fc.string({ unit: 'binary' })),
      fc.dictionary(fc.string(), fc.string({ unit: 'binary' })),
    );
    fc.assert(
      fc.property(values, fc.integer({ min: 0, max: 60 }), (value, limit) => {
        const full = JSON.stringify(value);
        const prefix = jsonPrefix(value, limit);
        if (full.length <= limit) expect(prefix).toBe(full);
        else {
          expect(prefix.length).toBeGreaterThan(limit);
          expect(full.startsWith(prefix.slice(0, limit + 1))).toBe(true);
        }
      }),
    );
  });

  it('renders a value nested too deeply for JSON.stringify, reading only as far as the limit', () => {
    const deep = nested(100_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(cutText(jsonPrefix(deep, 20), 20)).toBe('{"n":{"n":{"n":{"n"…');
  });
});

describe('renderTable', () => {
  it('renders more rows than a function can take as arguments', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [String(i), 'x']);
    const text = renderTable(['N', 'X'], rows);
    expect(text.split('\n')[1]).toBe('     0  x');
  });
});
