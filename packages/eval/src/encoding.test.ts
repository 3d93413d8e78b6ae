import { describe, expect, it } from 'vitest';
import { base64, base64OffsetFragments, bytesAsLatin1, encodeText } from './encoding.js';

describe('encodings', () => {
  it('computes base64offset fragments', () => {
    expect(base64OffsetFragments(encodeText('whoami', 'utf8'))).toEqual(['d2hvYW1p', 'dob2Fta', '3aG9hbW']);
    expect(base64OffsetFragments(encodeText('whoami', 'utf16le'))).toEqual(['dwBoAG8AYQBtAGkA', 'cAaABvAGEAbQBpA', '3AGgAbwBhAG0AaQ']);
  });

  it('encodes UTF-16 variants', () => {
    expect(bytesAsLatin1(encodeText('ab', 'utf16le'))).toBe('a\0b\0');
    expect(bytesAsLatin1(encodeText('ab', 'utf16be'))).toBe('\0a\0b');
    expect(bytesAsLatin1(encodeText('a', 'utf16'))).toBe('\xff\xfea\0');
    expect(base64(encodeText('whoami', 'utf8'))).toBe('d2hvYW1p');
  });
});
