// Format dispatch for one input line (spec 05 §4): size limit, the five formats and `auto` detection.
// Pure and allocation-light: it returns plain objects; wrapping them into evaluator events is the caller's job.

import { parseCef } from './cef.js';
import { DEFAULT_SYSLOG_CONFIG, type InputFormat, type SyslogConfig } from './input-format.js';
import { parseJsonLine } from './json-line.js';
import { parseLogfmt } from './logfmt.js';
import { ParseFailure } from './parse-failure.js';
import { hasSyslogHeader, parseSyslog, syslogEvent } from './syslog.js';

/**
 * Lines above 1 MiB of UTF-8 are rejected in every format: no real log line is that long, and the limit keeps
 * one runaway line (a missing newline in a binary stream) from pinning memory in a batch.
 */
export const MAX_LINE_BYTES = 1_048_576;

/** The largest UTF-8 length of one UTF-16 code unit; below MAX_LINE_BYTES / 3 units no byte count is needed. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/** A decoded line: the event value and whether it came from JSON (only JSON-derived values go through a filter). */
export interface DecodedLine {
  /** A plain object; any JSON value when `hasFilter` was set and the line was JSON. */
  value: unknown;
  /** True for JSON lines, auto-detected JSON and syslog with an embedded JSON message. */
  fromJson: boolean;
}

/** Injected wall clock, in epoch milliseconds; only the RFC 3164 year inference reads it. */
export type Clock = () => number;

/**
 * Decodes one line in `format` into a plain-object event, or a ParseFailure value (never throws).
 * With `hasFilter`, JSON arrays and scalars are accepted because the EventFilter selects objects out of them.
 *
 * @example decodeLine('<34>Oct 11 22:14:15 mymachine su: failed', { kind: 'auto' })
 * // → { value: { timestamp: '2026-10-11T22:14:15+00:00', hostname: 'mymachine', appname: 'su', ... }, fromJson: false }
 */
export function decodeLine(line: string, format: InputFormat, hasFilter = false, clock: Clock = Date.now): DecodedLine | ParseFailure {
  if (exceedsLineLimit(line)) return new ParseFailure('oversize', `line exceeds ${MAX_LINE_BYTES} bytes`);
  switch (format.kind) {
    case 'json': {
      const value = parseJsonLine(line, hasFilter);
      return value instanceof ParseFailure ? value : { value, fromJson: true };
    }
    case 'syslog': {
      const built = syslogEvent(parseSyslog(line, format.syslog ?? DEFAULT_SYSLOG_CONFIG, clock));
      return built instanceof ParseFailure ? built : { value: built.event, fromJson: built.fromJson };
    }
    case 'logfmt':
      return nonJson(parseLogfmt(line));
    case 'cef':
      return nonJson(parseCef(line));
    case 'plain':
      return { value: { _raw: line }, fromJson: false };
    case 'auto':
      return decodeAuto(line, format.syslog ?? DEFAULT_SYSLOG_CONFIG, hasFilter, clock);
  }
}

/**
 * `auto`: JSON if it parses (§4.1 rules), else syslog if the line starts with `<` and yields a header, else plain.
 * JSON nested too deep is refused rather than read as plain text: it is JSON, and an event too deep to handle.
 */
function decodeAuto(line: string, syslog: SyslogConfig, hasFilter: boolean, clock: Clock): DecodedLine | ParseFailure {
  const start = firstNonSpace(line);
  const first = line.charCodeAt(start);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    const value = parseJsonLine(line, hasFilter);
    if (!(value instanceof ParseFailure)) return { value, fromJson: true };
    if (value.code === 'event_too_deep') return value;
  } else if (first === 0x3c /* < */) {
    const record = parseSyslog(start === 0 ? line : line.slice(start), syslog, clock);
    const built = syslogEvent(record);
    if (built instanceof ParseFailure) return built;
    if (built.fromJson || hasSyslogHeader(record)) return { value: built.event, fromJson: built.fromJson };
  }
  return { value: { _raw: line }, fromJson: false };
}

function nonJson(value: Record<string, string> | ParseFailure): DecodedLine | ParseFailure {
  return value instanceof ParseFailure ? value : { value, fromJson: false };
}

/** UTF-8 length check that only counts bytes when the UTF-16 length leaves the answer open. */
function exceedsLineLimit(line: string): boolean {
  if (line.length * MAX_UTF8_BYTES_PER_UNIT <= MAX_LINE_BYTES) return false;
  if (line.length > MAX_LINE_BYTES) return true;
  return Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES;
}

function firstNonSpace(line: string): number {
  let i = 0;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  return i;
}

/** ASCII whitespace, the only kind JSON allows before a value. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
