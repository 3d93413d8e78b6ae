// Decoders for BinXML value types (FILETIME, SYSTEMTIME, SID, GUID, hex integers, ...) into evtx_dump JSON values.
// Pure functions over a byte range; they never allocate per byte and never read outside [start, end).

/** A JSON scalar as evtx_dump renders a BinXML value. */
export type JsonScalar = string | number | boolean | null;

const TICKS_PER_SECOND = 10_000_000n;
/** Seconds between 1601-01-01 (FILETIME epoch) and 1970-01-01 (Unix epoch). */
const FILETIME_UNIX_OFFSET_SECONDS = 11_644_473_600n;
const TWO_POW_32 = 4_294_967_296;
/** Unsigned 64-bit values whose high word is below this fit a double exactly (2^53). */
const SAFE_HIGH_WORD = 0x20_0000;

const HEX_UPPER: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Byte order of a GUID's text form: Data1-3 are little-endian, Data4 is a byte string. */
const GUID_BYTE_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] as const;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => pad(i, 2));
const SECONDS_PER_DAY = 86_400;
/** Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar (shifts the civil-date algorithm). */
const EPOCH_SHIFT_DAYS = 719_468;
const DAYS_PER_ERA = 146_097;

/** The last date rendered: records of a chunk are written within seconds, so consecutive times share their day. */
let cachedDay = Number.NaN;
let cachedDate = '';

/** `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's civil-from-days algorithm). */
function formatDay(days: number): string {
  if (days === cachedDay) return cachedDate;
  const z = days + EPOCH_SHIFT_DAYS;
  const era = Math.floor(z / DAYS_PER_ERA);
  const doe = z - era * DAYS_PER_ERA;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  cachedDay = days;
  cachedDate = `${pad(year, 4)}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}`;
  return cachedDate;
}

/** Formats seconds since the Unix epoch plus microseconds as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (evtx_dump's form). */
function formatTimestamp(unixSeconds: number, micros: number): string {
  const days = Math.floor(unixSeconds / SECONDS_PER_DAY);
  const inDay = unixSeconds - days * SECONDS_PER_DAY;
  const hour = Math.floor(inDay / 3600);
  const minute = Math.floor((inDay % 3600) / 60);
  const second = inDay % 60;
  return `${formatDay(days)}T${TWO_DIGITS[hour]!}:${TWO_DIGITS[minute]!}:${TWO_DIGITS[second]!}.${pad(micros, 6)}Z`;
}

/** Ticks of 100 ns per second, as a double (exact). */
const TICKS_PER_SECOND_NUMBER = 10_000_000;
/** 2^32 = 429 * 10^7 + 4_967_296: splits `high * 2^32` into whole seconds and leftover ticks. */
const HIGH_WORD_SECONDS = 429;
const HIGH_WORD_TICKS = 4_967_296;
const FILETIME_UNIX_OFFSET_NUMBER = 11_644_473_600;
/** Below this high word, `high * HIGH_WORD_TICKS + low` stays under 2^53 (exact in doubles): until about year 26,000. */
const EXACT_HIGH_WORD_LIMIT = Math.floor((2 ** 53 - TWO_POW_32) / HIGH_WORD_TICKS);

/** Renders a FILETIME (100 ns ticks since 1601, as two little-endian words) as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function formatFiletime(low: number, high: number): string {
  let seconds: number;
  let ticks: number;
  if (high < EXACT_HIGH_WORD_LIMIT) {
    const rest = high * HIGH_WORD_TICKS + low;
    seconds = high * HIGH_WORD_SECONDS + Math.floor(rest / TICKS_PER_SECOND_NUMBER) - FILETIME_UNIX_OFFSET_NUMBER;
    ticks = rest % TICKS_PER_SECOND_NUMBER;
  } else {
    const all = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    seconds = Number(all / TICKS_PER_SECOND - FILETIME_UNIX_OFFSET_SECONDS);
    ticks = Number(all % TICKS_PER_SECOND);
  }
  // Sub-microsecond ticks are truncated, as evtx_dump does.
  return formatTimestamp(seconds, Math.floor(ticks / 10));
}

/** Reads a FILETIME at `offset` and renders it like {@link formatFiletime}. */
export function readFiletime(buf: Buffer, offset: number): string {
  return formatFiletime(buf.readUInt32LE(offset), buf.readUInt32LE(offset + 4));
}

/**
 * Renders a 16-byte SYSTEMTIME at `offset` (year, month, weekday, day, hour, minute, second, milliseconds) as
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ`; out-of-range fields are printed as stored so a damaged value stays visible.
 */
export function readSystemtime(buf: Buffer, offset: number): string {
  const year = buf.readUInt16LE(offset);
  const month = buf.readUInt16LE(offset + 2);
  const day = buf.readUInt16LE(offset + 6);
  const hour = buf.readUInt16LE(offset + 8);
  const minute = buf.readUInt16LE(offset + 10);
  const second = buf.readUInt16LE(offset + 12);
  const millis = buf.readUInt16LE(offset + 14);
  const whole = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
  return `${whole}.${pad(millis * 1000, 6)}Z`;
}

/** Renders a GUID (little-endian Data1-3, then 8 bytes) uppercase without braces. */
export function readGuid(buf: Buffer, offset: number): string {
  let out = '';
  for (let i = 0; i < GUID_BYTE_ORDER.length; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX_UPPER[buf[offset + GUID_BYTE_ORDER[i]!]!]!;
  }
  return out;
}

/**
 * Renders a SID occupying `[offset, end)` as `S-R-A-S1-S2...`. Sub-authorities that do not fit in the range are
 * left out, so an incomplete SID (seen in damaged logs) still renders its valid prefix.
 */
export function readSid(buf: Buffer, offset: number, end: number): string {
  if (end - offset < 8) return '';
  const revision = buf[offset]!;
  const count = buf[offset + 1]!;
  const authority = buf.readUIntBE(offset + 2, 6);
  let out = `S-${revision}-${authority}`;
  const available = Math.min(count, Math.floor((end - offset - 8) / 4));
  for (let i = 0; i < available; i++) out += `-${buf.readUInt32LE(offset + 8 + i * 4)}`;
  return out;
}

/** Byte length of the SID at `offset` according to its sub-authority count. */
export function sidLength(buf: Buffer, offset: number): number {
  return 8 + 4 * buf[offset + 1]!;
}

/** Renders an unsigned 32-bit value as lowercase `0x...`. */
export function formatHex32(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/** Renders an unsigned 64-bit value given as two words as lowercase `0x...` without leading zeros. */
export function formatHex64(low: number, high: number): string {
  if (high === 0) return formatHex32(low);
  return `0x${(high >>> 0).toString(16)}${(low >>> 0).toString(16).padStart(8, '0')}`;
}

/** Unsigned 64-bit little-endian integer: a number when exact (below 2^53), else its decimal string. */
export function readUInt64(buf: Buffer, offset: number): number | string {
  const low = buf.readUInt32LE(offset);
  const high = buf.readUInt32LE(offset + 4);
  if (high < SAFE_HIGH_WORD) return high * TWO_POW_32 + low;
  return buf.readBigUInt64LE(offset).toString();
}

/** Signed 64-bit little-endian integer: a number when exact (|v| < 2^53), else its decimal string. */
export function readInt64(buf: Buffer, offset: number): number | string {
  const low = buf.readUInt32LE(offset);
  const high = buf.readInt32LE(offset + 4);
  if (high >= -SAFE_HIGH_WORD && high < SAFE_HIGH_WORD) {
    const value = high * TWO_POW_32 + low;
    if (Number.isSafeInteger(value)) return value;
  }
  return buf.readBigInt64LE(offset).toString();
}

/**
 * Float32 with the shortest decimal that reads back to the same float (as serde_json prints an `f32`); NaN and
 * infinities are null, as in JSON.
 */
export function readReal32(buf: Buffer, offset: number): number | null {
  const value = buf.readFloatLE(offset);
  if (!Number.isFinite(value)) return null;
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** Float64; NaN and infinities are null, as in JSON. */
export function readReal64(buf: Buffer, offset: number): number | null {
  const value = buf.readDoubleLE(offset);
  return Number.isFinite(value) ? value : null;
}

/** Uppercase hex of `[start, end)`, as evtx_dump renders binary values. */
export function formatBinary(buf: Buffer, start: number, end: number): string {
  return buf.toString('hex', start, end).toUpperCase();
}

/** Characters Rust's `char::is_whitespace` accepts; evtx_dump's JSON trims them from the end of string values. */
const TRAILING_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;

function trimEnd(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  // Fast path: most values end in a visible ASCII character.
  if (last > 0x20 && last < 0x7f) return text;
  return text.replace(TRAILING_SPACE, '');
}

/** UTF-16LE string value of `[start, end)`: cut at the first NUL character, trailing whitespace trimmed. */
export function readUtf16(buf: Buffer, start: number, end: number): string {
  let stop = start;
  while (stop + 1 < end && (buf[stop] !== 0 || buf[stop + 1] !== 0)) stop += 2;
  return stop === start ? '' : trimEnd(buf.toString('utf16le', start, stop));
}

/** Single-byte (ANSI) string value of `[start, end)`: cut at the first NUL byte, trailing whitespace trimmed. */
export function readAnsi(buf: Buffer, start: number, end: number): string {
  let stop = start;
  while (stop < end && buf[stop] !== 0) stop++;
  return stop === start ? '' : trimEnd(buf.toString('latin1', start, stop));
}

/** NUL-separated list of strings in `[start, end)` (UTF-16LE or single-byte), each trimmed like a single value. */
export function readStringList(buf: Buffer, start: number, end: number, utf16: boolean): string[] {
  const text = utf16 ? buf.toString('utf16le', start, end - ((end - start) & 1)) : buf.toString('latin1', start, end);
  const items = text.split('\0');
  while (items.length > 0 && items[items.length - 1] === '') items.pop();
  return items.map(trimEnd);
}
