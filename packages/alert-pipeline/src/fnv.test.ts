import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a64Hex } from './fnv.js';

/** The definition of spec 08 §5, with BigInt, as the reference. */
function reference(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

describe('fnv1a64Hex', () => {
  it('matches the published FNV-1a 64 vectors', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });

  it('agrees with the BigInt definition on any text, non-ASCII and lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(fnv1a64Hex(text)).toBe(reference(text));
      }),
      { numRuns: 500 },
    );
    for (const text of ['é', '日本', '😀', '\ud800x', 'x\udc00']) expect(fnv1a64Hex(text)).toBe(reference(text));
  });
});
