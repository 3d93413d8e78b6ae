// Recognizes syslog timestamps (RFC 3339 as used by RFC 5424, and the RFC 3164 `Mmm dd hh:mm:ss` form) and
// renders them as RFC 3339 with a numeric offset (spec 05 §4.2). Pure: the current time is passed in.

/** A timestamp found at some position of a line: its rendering and the index just past it. */
interface FoundTimestamp {
  rendered: string;
  end: number;
}

const RFC3339 = /(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))/y;
const BSD = /([A-Za-z]{3}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)/y;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Nanosecond precision is the finest a rendered timestamp keeps; further digits are cut. */
const MAX_FRACTION_DIGITS = 9;

/** Reads an RFC 3339 timestamp starting exactly at `start`, keeping its offset; undefined if none is there. */
export function readRfc3339(text: string, start: number): FoundTimestamp | undefined {
  RFC3339.lastIndex = start;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m as unknown as string[];
  if (!validDateTime(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s))) return undefined;
  if (!z && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  const offset = z ? '+00:00' : `${sign}${oh}:${om}`;
  return { rendered: `${y}-${mo}-${d}T${h}:${mi}:${s}${renderFraction(frac)}${offset}`, end: RFC3339.lastIndex };
}

/**
 * Reads an RFC 3164 timestamp (`Oct 11 22:14:15`, day possibly space-padded) starting at `start`.
 * The year is the current UTC year, moved by one when the message month and the current month straddle
 * New Year; the wall time is read in `tzOffsetMinutes`.
 */
export function readBsdTimestamp(text: string, start: number, nowMs: number, tzOffsetMinutes: number): FoundTimestamp | undefined {
  BSD.lastIndex = start;
  const m = BSD.exec(text);
  if (!m) return undefined;
  const [, mon, d, h, mi, s] = m as unknown as string[];
  const month = MONTHS.indexOf(mon!.toLowerCase());
  if (month < 0) return undefined;
  const now = new Date(nowMs);
  let year = now.getUTCFullYear();
  if (month === 0 && now.getUTCMonth() === 11) year += 1;
  else if (month === 11 && now.getUTCMonth() === 0) year -= 1;
  if (!validDateTime(year, month + 1, Number(d), Number(h), Number(mi), Number(s))) return undefined;
  const date = `${String(year).padStart(4, '0')}-${pad2(month + 1)}-${d!.padStart(2, '0')}`;
  return { rendered: `${date}T${h}:${mi}:${s}${renderOffset(tzOffsetMinutes)}`, end: BSD.lastIndex };
}

/** Renders minutes east of UTC as `+HH:MM`. */
function renderOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/**
 * Fractional seconds are shown only when non-zero, in groups of 3, 6 or 9 digits (the same widths rsigma's
 * chrono rendering picks), so `.5` becomes `.500` and `.000` disappears.
 */
function renderFraction(digits: string | undefined): string {
  if (digits === undefined) return '';
  const nine = digits.slice(0, MAX_FRACTION_DIGITS).padEnd(MAX_FRACTION_DIGITS, '0');
  if (nine === '000000000') return '';
  if (nine.endsWith('000000')) return `.${nine.slice(0, 3)}`;
  if (nine.endsWith('000')) return `.${nine.slice(0, 6)}`;
  return `.${nine}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Range check of a calendar date and time; second 60 is a leap second, which RFC 3339 allows. */
function validDateTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
