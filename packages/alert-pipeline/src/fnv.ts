// FNV-1a 64-bit over UTF-8 (spec 08 §5): fingerprints, group_by incident ids and static silence ids.
// Computed on two 32-bit halves with plain numbers: the same digits as the BigInt definition, several times faster.

const TWO_32 = 4_294_967_296;

/**
 * The 16 lowercase hex digits of FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) of `text` as UTF-8.
 *
 * @example fnv1a64Hex('') // 'cbf29ce484222325'
 */
export function fnv1a64Hex(text: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const step = (byte: number): void => {
    lo = (lo ^ byte) >>> 0;
    // h * (2^40 + 0x1b3) mod 2^64: the low half times 0x1b3 carries into the high half, and h << 40 adds lo << 8 there.
    const low = lo * 0x1b3;
    const carry = Math.floor(low / TWO_32);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      step(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    // A lone surrogate encodes as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      step(0xc0 | (c >> 6));
      step(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      step(0xe0 | (c >> 12));
      step(0x80 | ((c >> 6) & 0x3f));
      step(0x80 | (c & 0x3f));
    } else {
      step(0xf0 | (c >> 18));
      step(0x80 | ((c >> 12) & 0x3f));
      step(0x80 | ((c >> 6) & 0x3f));
      step(0x80 | (c & 0x3f));
    }
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
