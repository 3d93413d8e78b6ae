// Event time for correlation windows (spec 03 §3, spec 02 §5 time parsing): reads an event's timestamp
// fields and converts them to integer epoch seconds. It never reads the wall clock itself.

import type { FieldSource } from './field-values.js';

/** Numbers above this are epoch milliseconds rather than seconds (spec 02 §5). */
const EPOCH_MILLIS_THRESHOLD = 1e12;

const SECONDS_PER_MINUTE = 60;
const MINUTES_PER_HOUR = 60;

// Date-time with `T`, `t` or a space; optional fraction; optional `Z` or numeric offset (RFC 3339).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Converts a timestamp value to integer epoch seconds, or `undefined` when it does not parse.
 * Numbers are seconds (milliseconds above 10^12); strings are RFC 3339 or naive UTC date-times.
 */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const secs = value > EPOCH_MILLIS_THRESHOLD ? Math.trunc(value / 1000) : Math.trunc(value);
    return secs < 0 ? 0 : secs;
  }
  if (typeof value !== 'string') return undefined;
  const m = DATE_TIME.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] ?? 0)) return undefined;
  if (month === 2 && day === 29 && !isLeapYear(year)) return undefined;
  // Second 60 is a leap second in RFC 3339; it folds into the next minute.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let secs = Math.floor(Date.UTC(year, month - 1, day, hour, minute, second) / 1000);
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9]);
    const offsetMinutes = Number(m[10]);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    const offset = (offsetHours * MINUTES_PER_HOUR + offsetMinutes) * SECONDS_PER_MINUTE;
    secs += m[8] === '+' ? -offset : offset;
  }
  return secs < 0 ? 0 : secs;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Returns the time of the first field in `fields` that is present and parses, else `undefined`. */
export function extractEventTime(event: FieldSource, fields: readonly string[]): number | undefined {
  for (const field of fields) {
    const value = event.get(field);
    if (value === undefined) continue;
    const secs = parseEventTime(value);
    if (secs !== undefined) return secs;
  }
  return undefined;
}

/** Fraction of a second in an RFC 3339 text, as milliseconds (digits past the third are dropped). */
const FRACTION = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}\.(\d+)/;
/** UTC text already in the shape results show, up to the fraction's length: rewritten without a Date. */
const UTC_TEXT = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?[Zz]$/;

/**
 * The time of the first field in `fields` that parses: epoch seconds as {@link extractEventTime} reads them, and
 * the same instant as ISO 8601 UTC with milliseconds (what results show as `event_time`; the fraction of a second
 * is kept). One read of the fields for both.
 */
export function extractEventTimeAndText(event: FieldSource, fields: readonly string[]): { secs: number; text: string } | undefined {
  for (const field of fields) {
    const value = event.get(field);
    if (value === undefined) continue;
    const secs = parseEventTime(value);
    if (secs === undefined) continue;
    if (typeof value === 'string') {
      const utc = UTC_TEXT.exec(value);
      if (utc !== null) return { secs, text: `${utc[1]}T${utc[2]}.${(utc[3] ?? '').slice(0, 3).padEnd(3, '0')}Z` };
    }
    let millis = secs * 1000;
    if (typeof value === 'number') millis = value > EPOCH_MILLIS_THRESHOLD ? Math.trunc(value) : Math.trunc(value * 1000);
    else if (typeof value === 'string') millis += Number((FRACTION.exec(value)?.[1] ?? '').slice(0, 3).padEnd(3, '0'));
    const date = new Date(Math.max(0, millis));
    return Number.isNaN(date.getTime()) ? undefined : { secs, text: date.toISOString() };
  }
  return undefined;
}
