// Decodes one JSON line (spec 05 §4.1). Pure: no I/O, no clock.

import { isTooDeep, MAX_EVENT_DEPTH } from './event-depth.js';
import { ParseFailure } from './parse-failure.js';

/**
 * Parses `line` as JSON. The top-level value must be an object, unless `hasFilter` is set: an EventFilter
 * can then select objects out of an array or scalar, so any JSON value is accepted. A value nested deeper than
 * MAX_EVENT_DEPTH is refused (`event_too_deep`).
 */
export function parseJsonLine(line: string, hasFilter: boolean): unknown {
  let value: unknown;
  try {
    value = JSON.parse(line);
    // Rare enough to test for after the fact: a number JSON.parse would round (an integer past 2^53) or lose (an
    // exponent past the double range) is read again, keeping those numbers' text, as strings.
    if (MAY_HOLD_INEXACT_NUMBER.test(line)) value = JSON.parse(quoteInexactNumbers(line));
  } catch (error) {
    return new ParseFailure('json_syntax', (error as SyntaxError).message);
  }
  if (isTooDeep(line, value)) return tooDeepFailure();
  if (hasFilter || isJsonObject(value)) return value;
  return new ParseFailure('json_not_object', `expected a JSON object, got ${describeJsonValue(value)}`);
}

/** Sixteen digits in a row, or an exponent of three digits: the only texts that can hold an inexact number. */
const MAY_HOLD_INEXACT_NUMBER = /\d{16}|[eE][+-]?\d{3}/;
/** A JSON number token. */
const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * `text` (valid JSON) with each number that a double cannot hold exactly turned into a JSON string of its text:
 * integers beyond ±2^53 (`9007199254740993` would become `…992` and match another rule's value), and numbers that
 * overflow to infinity or underflow to zero (`1e400` would become `null` in output). Other numbers, and everything
 * inside strings, are left as they are.
 */
export function quoteInexactNumbers(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    NUMBER_TOKEN.lastIndex = i;
    const token = NUMBER_TOKEN.exec(text)?.[0];
    if (token === undefined) continue;
    if (isInexact(token)) {
      out += text.slice(copied, i) + `"${token}"`;
      copied = i + token.length;
    }
    i += token.length - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isInexact(token: string): boolean {
  const n = Number(token);
  if (!Number.isFinite(n)) return true;
  if (/^-?\d+$/.test(token)) return !Number.isSafeInteger(n);
  // Underflow: a number written with a non-zero digit that reads as zero.
  return n === 0 && /[1-9]/.test(token.replace(/[eE].*$/, ''));
}

/** The failure of a JSON value nested deeper than MAX_EVENT_DEPTH. */
export function tooDeepFailure(): ParseFailure {
  return new ParseFailure('event_too_deep', `JSON nested deeper than ${MAX_EVENT_DEPTH} levels`);
}

/** True for a parsed JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
