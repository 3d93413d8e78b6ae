// Unit tests of the CRC-32 helpers: check value and chaining, portable against native.

import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from './crc32.js';

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    expect(crc32Portable(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('continues across pieces like the native function', () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
    const whole = crc32Portable(bytes);
    expect(crc32Portable(bytes.subarray(400), crc32Portable(bytes.subarray(0, 400)))).toBe(whole);
    expect(crc32(bytes.subarray(400), crc32(bytes.subarray(0, 400)))).toBe(whole);
    expect(crc32Portable(new Uint8Array())).toBe(0);
  });
});
