import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonLine, quoteInexactNumbers } from './json-line.js';

describe('numbers a double cannot hold (issue 12)', () => {
  it('keep their text, as strings, instead of rounding to a neighbour or becoming null', () => {
    expect(parseJsonLine('{"id": 9007199254740993, "big": -123456789012345678901, "x": 1e400, "tiny": 1e-400}', false)).toEqual({
      id: '9007199254740993',
      big: '-123456789012345678901',
      x: '1e400',
      tiny: '1e-400',
    });
    // Exact numbers stay numbers, long digit runs inside strings stay as they are.
    expect(
      parseJsonLine('{"n": 9007199254740991, "f": 1.5e300, "zero": 0e-999, "s": "12345678901234567890 \\" 1e400", "a": [1e400]}', false),
    ).toEqual({
      n: 9007199254740991,
      f: 1.5e300,
      zero: 0,
      s: '12345678901234567890 " 1e400',
      a: ['1e400'],
    });
  });

  it('changes nothing in JSON whose numbers are exact (no integer at or past 2^53)', () => {
    const unsafe = (v: unknown): boolean =>
      typeof v === 'number'
        ? Number.isInteger(v) && !Number.isSafeInteger(v)
        : v !== null && typeof v === 'object' && Object.values(v).some(unsafe);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fc.pre(!unsafe(value));
        const text = JSON.stringify(value);
        expect(quoteInexactNumbers(text)).toBe(text);
      }),
    );
  });

  it('quotes every integer beyond 2^53, wherever it sits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }), fc.boolean(), fc.string(), (n, negative, key) => {
        const digits = (negative ? -n : n).toString();
        const text = `{${JSON.stringify(key)}: [${digits}, "x"]}`;
        expect(JSON.parse(quoteInexactNumbers(text))).toEqual({ [key]: [digits, 'x'] });
      }),
    );
  });
});
