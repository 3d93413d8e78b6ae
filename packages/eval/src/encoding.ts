// Value encodings of the `wide`/`utf16*`, `base64` and `base64offset` modifiers (spec 02 §5).
// Pure byte arithmetic on rule literals at compile time; events are never decoded.

/** Which byte encoding a literal is turned into before Base64. */
export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'utf16';

/** The bytes of `text` in `enc` (`utf16` = `FF FE` BOM + UTF-16LE). */
export function encodeText(text: string, enc: TextEncoding): Uint8Array {
  if (enc === 'utf8') return new TextEncoder().encode(text);
  const bom = enc === 'utf16' ? 2 : 0;
  const out = new Uint8Array(bom + text.length * 2);
  if (bom > 0) {
    out[0] = 0xff;
    out[1] = 0xfe;
  }
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const hi = unit >> 8;
    const lo = unit & 0xff;
    out[bom + 2 * i] = enc === 'utf16be' ? hi : lo;
    out[bom + 2 * i + 1] = enc === 'utf16be' ? lo : hi;
  }
  return out;
}

/** Bytes as a string of Latin-1 characters (what a UTF-16 modifier alone matches). */
export function bytesAsLatin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Standard padded Base64. */
export function base64(bytes: Uint8Array): string {
  return btoa(bytesAsLatin1(bytes));
}

// Characters dropped at the front for shift 0, 1, 2, and at the end by (len + shift) mod 3.
const OFFSET_LEAD = [0, 2, 3];
const OFFSET_TRAIL = [0, 3, 2];

/**
 * The three Base64 fragments that appear whatever the value's offset inside a larger encoded blob.
 * `whoami` gives `d2hvYW1p`, `dob2Fta`, `3aG9hbW`.
 */
export function base64OffsetFragments(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const enc = base64(padded);
    const lead = OFFSET_LEAD[shift] as number;
    const trail = OFFSET_TRAIL[(bytes.length + shift) % 3] as number;
    out.push(enc.slice(lead, enc.length - trail));
  }
  return out;
}
