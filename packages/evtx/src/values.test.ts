// Unit tests of the value decoders (FILETIME, SYSTEMTIME, SID, GUID, hex and 64-bit integers, floats, strings).

import { describe, expect, it } from 'vitest';
import {
  formatBinary,
  formatFiletime,
  formatHex32,
  formatHex64,
  readAnsi,
  readFiletime,
  readGuid,
  readInt64,
  readReal32,
  readReal64,
  readSid,
  readStringList,
  readSystemtime,
  readUInt64,
  readUtf16,
  sidLength,
} from './values.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function u64(value: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(value);
  return buf;
}

describe('FILETIME', () => {
  it('renders 100 ns ticks since 1601 with microseconds, truncating sub-microsecond ticks', () => {
    // 2025-10-25T17:38:32.0069262Z
    const ticks = 116_444_736_000_000_000n + 1_761_413_912n * 10_000_000n + 69_262n;
    expect(readFiletime(u64(ticks), 0)).toBe('2025-10-25T17:38:32.006926Z');
  });

  it('renders the epochs and leap days', () => {
    expect(formatFiletime(0, 0)).toBe('1601-01-01T00:00:00.000000Z');
    expect(readFiletime(u64(116_444_736_000_000_000n), 0)).toBe('1970-01-01T00:00:00.000000Z');
    const leap = 116_444_736_000_000_000n + 951_782_400n * 10_000_000n; // 2000-02-29
    expect(readFiletime(u64(leap), 0)).toBe('2000-02-29T00:00:00.000000Z');
  });

  it('agrees with Date for many instants, and renders values past the exact-double range', () => {
    for (let i = 0; i < 2_000; i++) {
      const ms = Math.floor((i * 7_919_993_117) % 4_102_444_800_000); // 1970..2100
      const ticks = BigInt(ms) * 10_000n + 116_444_736_000_000_000n + BigInt(i % 10_000);
      const micros = String(ms % 1000).padStart(3, '0') + String(Math.floor((i % 10_000) / 10)).padStart(3, '0');
      expect(readFiletime(u64(ticks), 0)).toBe(`${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`);
    }
    expect(readFiletime(u64(0x7fff_ffff_ffff_ffffn), 0)).toBe('30828-09-14T02:48:05.477580Z');
  });

  it('splits the two words exactly on both sides of the double-precision limit', () => {
    const reference = (low: number, high: number): string => {
      const ticks = (BigInt(high) << 32n) | BigInt(low);
      const ms = Number(ticks / 10_000n - 11_644_473_600_000n);
      const micros = String(Number((ticks % 10_000_000n) / 10n)).padStart(6, '0');
      const iso = new Date(ms).toISOString();
      return `${iso.slice(0, iso.indexOf('.'))}.${micros}Z`.replace(/^\+0*/, '');
    };
    for (const high of [0x01d3_0000, 1_813_299_419, 1_813_299_420, 1_813_299_421, 0x7000_0000]) {
      for (const low of [0, 1, 9_999_999, 0xffff_ffff]) expect(formatFiletime(low, high)).toBe(reference(low, high));
    }
  });
});

describe('SYSTEMTIME', () => {
  it('renders year, month, day, time and milliseconds', () => {
    // 2017-07-12 (weekday 3) 17:16:28.214
    expect(readSystemtime(hex('e107 0700 0300 0c00 1100 1000 1c00 d600'), 0)).toBe('2017-07-12T17:16:28.214000Z');
  });

  it('prints out-of-range fields as stored instead of failing', () => {
    expect(readSystemtime(Buffer.alloc(16), 0)).toBe('0000-00-00T00:00:00.000000Z');
  });
});

describe('SID', () => {
  it('renders well-known and domain SIDs', () => {
    const system = hex('0101 000000000005 12000000');
    expect(readSid(system, 0, system.length)).toBe('S-1-5-18');
    expect(sidLength(system, 0)).toBe(12);
    const domain = hex('0105 000000000005 15000000 3f345598 3bacda47 e14816e8 e9030000');
    expect(readSid(domain, 0, domain.length)).toBe('S-1-5-21-2555720767-1205513275-3893774561-1001');
  });

  it('renders the valid prefix of an incomplete SID', () => {
    const truncated = hex('0105 000000000005 15000000 3f34');
    expect(readSid(truncated, 0, truncated.length)).toBe('S-1-5-21');
    expect(readSid(truncated, 0, 4)).toBe('');
  });
});

describe('GUID', () => {
  it('renders mixed-endian fields uppercase without braces', () => {
    const guid = hex('5f387057 2ac2 e043 bf4c 06f5698ffbd9');
    expect(readGuid(guid, 0)).toBe('5770385F-C22A-43E0-BF4C-06F5698FFBD9');
  });
});

describe('hex integers', () => {
  it('renders lowercase 0x without leading zeros', () => {
    expect(formatHex32(0)).toBe('0x0');
    expect(formatHex32(0x7eec)).toBe('0x7eec');
    expect(formatHex32(-1)).toBe('0xffffffff');
    expect(formatHex64(0x529ae3, 0)).toBe('0x529ae3');
    expect(formatHex64(0, 0x8000_0000)).toBe('0x8000000000000000');
    expect(formatHex64(0x10, 0x80_2000)).toBe('0x80200000000010');
  });
});

describe('64-bit integers', () => {
  it('are numbers up to 2^53 and decimal strings beyond', () => {
    expect(readUInt64(u64(2_251_799_813_691_708n), 0)).toBe(2_251_799_813_691_708);
    expect(readUInt64(u64(2n ** 53n - 1n), 0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(readUInt64(u64(2n ** 53n), 0)).toBe('9007199254740992');
    expect(readUInt64(u64(2n ** 64n - 1n), 0)).toBe('18446744073709551615');
    expect(readInt64(u64(2n ** 64n - 1n), 0)).toBe(-1);
    expect(readInt64(u64(2n ** 63n), 0)).toBe('-9223372036854775808');
    expect(readInt64(u64(123n), 0)).toBe(123);
  });
});

describe('floats', () => {
  it('print a float32 with its shortest exact decimal', () => {
    const buf = Buffer.alloc(4);
    buf.writeFloatLE(0.1);
    expect(readReal32(buf, 0)).toBe(0.1);
    buf.writeFloatLE(1.5);
    expect(readReal32(buf, 0)).toBe(1.5);
    buf.writeFloatLE(Number.NaN);
    expect(readReal32(buf, 0)).toBeNull();
  });

  it('print a float64 as is, non-finite values as null', () => {
    const buf = Buffer.alloc(8);
    buf.writeDoubleLE(0.1);
    expect(readReal64(buf, 0)).toBe(0.1);
    buf.writeDoubleLE(Number.POSITIVE_INFINITY);
    expect(readReal64(buf, 0)).toBeNull();
  });
});

describe('strings and binary', () => {
  it('cut UTF-16 at the first NUL and trim trailing whitespace', () => {
    expect(readUtf16(Buffer.from('abc \0junk', 'utf16le'), 0, 18)).toBe('abc');
    expect(readUtf16(Buffer.from('  a b  ', 'utf16le'), 0, 14)).toBe('  a b');
    expect(readUtf16(Buffer.from('x\r\n', 'utf16le'), 0, 6)).toBe('x');
    expect(readUtf16(Buffer.alloc(4), 0, 4)).toBe('');
    expect(readUtf16(Buffer.from('ab', 'utf16le'), 0, 3)).toBe('a');
  });

  it('decode ANSI strings and string lists', () => {
    expect(readAnsi(Buffer.from('caf\xe9 \0x', 'latin1'), 0, 7)).toBe('café');
    expect(readStringList(Buffer.from('a\0b \0\0', 'utf16le'), 0, 12, true)).toEqual(['a', 'b']);
    expect(readStringList(Buffer.from('a\0\0c', 'latin1'), 0, 4, false)).toEqual(['a', '', 'c']);
  });

  it('renders binary as uppercase hex', () => {
    expect(formatBinary(hex('e10707ff'), 0, 4)).toBe('E10707FF');
    expect(formatBinary(hex('e10707ff'), 1, 1)).toBe('');
  });
});
