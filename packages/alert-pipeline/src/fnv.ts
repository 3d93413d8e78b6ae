// FNV-1a 64-bit over UTF-8 (spec 08 §5): fingerprints, group_by incident ids and static silence ids.
// Computed on four 16-bit limbs with small-integer arithmetic: the same digits as the BigInt definition, and
// fast enough for the per-result fingerprint (BigInt arithmetic costs several times more).

/**
 * The 16 lowercase hex digits of FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) of `text` as UTF-8.
 *
 * @example fnv1a64Hex('') // 'cbf29ce484222325'
 */
export function fnv1a64Hex(text: string): string {
  // h = h3:h2:h1:h0, 16 bits each. The prime is 2^40 + 0x1b3: h * prime = h * 0x1b3 + (h << 40), and h << 40 adds
  // h0 << 8 to limb 2 and h1 << 8 to limb 3. Every intermediate stays below 2^27.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    let bytes: number;
    let count: number;
    if (c < 0x80) {
      // ASCII, the common case: one step, inlined.
      h0 ^= c;
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
      const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
      h0 = t0 & 0xffff;
      h1 = t1 & 0xffff;
      h2 = t2 & 0xffff;
      h3 = t3 & 0xffff;
      continue;
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      // A lone surrogate encodes as U+FFFD, as TextEncoder does.
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      // Up to four UTF-8 bytes packed first byte lowest; `count` says how many.
      if (c < 0x800) {
        bytes = 0xc0 | (c >> 6) | ((0x80 | (c & 0x3f)) << 8);
        count = 2;
      } else if (c < 0x10000) {
        bytes = 0xe0 | (c >> 12) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
        count = 3;
      } else {
        bytes = 0xf0 | (c >> 18) | ((0x80 | ((c >> 12) & 0x3f)) << 8) | ((0x80 | ((c >> 6) & 0x3f)) << 16) | ((0x80 | (c & 0x3f)) << 24);
        count = 4;
      }
    }
    for (let k = 0; k < count; k++) {
      h0 ^= (bytes >>> (k * 8)) & 0xff;
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
      const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
      h0 = t0 & 0xffff;
      h1 = t1 & 0xffff;
      h2 = t2 & 0xffff;
      h3 = t3 & 0xffff;
    }
  }
  // One flat string (a chain of concatenations would leave a rope behind every stored fingerprint).
  return String.fromCharCode(
    digit(h3 >> 12),
    digit((h3 >> 8) & 15),
    digit((h3 >> 4) & 15),
    digit(h3 & 15),
    digit(h2 >> 12),
    digit((h2 >> 8) & 15),
    digit((h2 >> 4) & 15),
    digit(h2 & 15),
    digit(h1 >> 12),
    digit((h1 >> 8) & 15),
    digit((h1 >> 4) & 15),
    digit(h1 & 15),
    digit(h0 >> 12),
    digit((h0 >> 8) & 15),
    digit((h0 >> 4) & 15),
    digit(h0 & 15),
  );
}

/** The char code of one lowercase hex digit. */
function digit(n: number): number {
  return n < 10 ? 48 + n : 87 + n;
}
