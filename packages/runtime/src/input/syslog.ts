// Loose RFC 5424 / RFC 3164 syslog parsing (spec 05 §4.2): extracts what it can and fails only on an embedded
// JSON message nested too deep. Pure: the current time (needed for the RFC 3164 year) is passed in by the caller.

import { isTooDeep } from './event-depth.js';
import { isJsonObject, tooDeepFailure } from './json-line.js';
import { ParseFailure } from './parse-failure.js';
import { addPair, type PairEvent } from './pair-event.js';
import type { SyslogConfig } from './input-format.js';
import { readBsdTimestamp, readRfc3339 } from './syslog-timestamp.js';

/** Facility names by code (RFC 5424 §6.2.1), spelled as rsigma spells them so rules port unchanged. */
const FACILITIES = [
  'LOG_KERN',
  'LOG_USER',
  'LOG_MAIL',
  'LOG_DAEMON',
  'LOG_AUTH',
  'LOG_SYSLOG',
  'LOG_LPR',
  'LOG_NEWS',
  'LOG_UUCP',
  'LOG_CRON',
  'LOG_AUTHPRIV',
  'LOG_FTP',
  'LOG_NTP',
  'LOG_AUDIT',
  'LOG_ALERT',
  'LOG_CLOCKD',
  'LOG_LOCAL0',
  'LOG_LOCAL1',
  'LOG_LOCAL2',
  'LOG_LOCAL3',
  'LOG_LOCAL4',
  'LOG_LOCAL5',
  'LOG_LOCAL6',
  'LOG_LOCAL7',
];
/** Severity names by code (RFC 5424 §6.2.1). */
const SEVERITIES = ['SEV_EMERG', 'SEV_ALERT', 'SEV_CRIT', 'SEV_ERR', 'SEV_WARNING', 'SEV_NOTICE', 'SEV_INFO', 'SEV_DEBUG'];
/** The largest PRI: facility 23 (local7) times 8 plus severity 7. */
const MAX_PRI = 191;

const SPACE = 0x20;
const BOM = '\uFEFF';

/** The parts of a syslog line; absent header parts are undefined. */
interface SyslogRecord {
  timestamp?: string;
  hostname?: string;
  appname?: string;
  procid?: string;
  msgid?: string;
  facility?: string;
  severity?: string;
  /** Structured-data parameters as `[<SD-ID>.<param>, value]`, in line order. */
  structuredData: [string, string][];
  /** The message after BOM removal and trimming; may be empty. */
  message: string;
}

/** Splits a syslog line into header parts, structured data and message. */
export function parseSyslog(line: string, config: SyslogConfig, nowMs: () => number): SyslogRecord {
  const record: SyslogRecord = { structuredData: [], message: '' };
  if (line.charCodeAt(0) === 0x3c /* < */) {
    const close = digitsEnd(line, 1);
    const pri = close > 1 && close <= 4 && line.charCodeAt(close) === 0x3e /* > */ ? Number(line.slice(1, close)) : -1;
    if (pri < 0 || pri > MAX_PRI) {
      // The spec treats a broken PRI as "no header at all": the whole line is the message.
      record.message = cleanMessage(line, config);
      return record;
    }
    record.facility = FACILITIES[pri >> 3];
    record.severity = SEVERITIES[pri & 7];
    const body = line.slice(close + 1);
    if (!parseRfc5424(body, record, config)) parseRfc3164(body, record, config, nowMs);
    return record;
  }
  parseRfc3164(line, record, config, nowMs);
  return record;
}

/**
 * Builds the event for a syslog record: a JSON message becomes the event with `syslog_*` header keys added
 * where it lacks them; otherwise the header, structured data and `_raw` message become string pairs.
 * `fromJson` tells the caller an EventFilter may apply. A JSON message nested deeper than MAX_EVENT_DEPTH is
 * refused (`event_too_deep`) rather than read as text: it is an event, just one too deep to handle.
 */
export function syslogEvent(record: SyslogRecord): { event: Record<string, unknown>; fromJson: boolean } | ParseFailure {
  const embedded = parseEmbeddedJson(record.message);
  if (embedded instanceof ParseFailure) return embedded;
  if (embedded) {
    addMissing(embedded, 'syslog_timestamp', record.timestamp);
    addMissing(embedded, 'syslog_hostname', record.hostname);
    addMissing(embedded, 'syslog_appname', record.appname);
    addMissing(embedded, 'syslog_procid', record.procid);
    addMissing(embedded, 'syslog_msgid', record.msgid);
    addMissing(embedded, 'syslog_facility', record.facility);
    addMissing(embedded, 'syslog_severity', record.severity);
    for (const [key, value] of record.structuredData) addMissing(embedded, `sd.${key}`, value);
    return { event: embedded, fromJson: true };
  }
  const event: PairEvent = {};
  if (record.timestamp !== undefined) event.timestamp = record.timestamp;
  if (record.hostname !== undefined) event.hostname = record.hostname;
  if (record.appname !== undefined) event.appname = record.appname;
  if (record.procid !== undefined) event.procid = record.procid;
  if (record.msgid !== undefined) event.msgid = record.msgid;
  if (record.facility !== undefined) event.facility = record.facility;
  if (record.severity !== undefined) event.severity = record.severity;
  for (const [key, value] of record.structuredData) addPair(event, key, value);
  if (record.message !== '') addPair(event, '_raw', record.message);
  return { event, fromJson: false };
}

/** True when the record has something besides its message, i.e. the line really looked like syslog. */
export function hasSyslogHeader(record: SyslogRecord): boolean {
  return (
    record.facility !== undefined ||
    record.timestamp !== undefined ||
    record.hostname !== undefined ||
    record.appname !== undefined ||
    record.procid !== undefined ||
    record.msgid !== undefined ||
    record.structuredData.length > 0
  );
}

/**
 * RFC 5424 after the PRI: `VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]`.
 * Fills `record` and returns true, or returns false (leaving `record` untouched) if any part is malformed.
 */
function parseRfc5424(text: string, record: SyslogRecord, config: SyslogConfig): boolean {
  const digits = digitsEnd(text, 0);
  if (digits < 1 || digits > 2 || text.charCodeAt(digits) !== SPACE) return false;
  let pos = digits + 1;
  let timestamp: string | undefined;
  if (text.startsWith('- ', pos)) {
    pos += 1;
  } else {
    const found = readRfc3339(text, pos);
    if (!found || text.charCodeAt(found.end) !== SPACE) return false;
    timestamp = found.rendered;
    pos = found.end;
  }
  const fields: (string | undefined)[] = [];
  for (let i = 0; i < 4; i++) {
    pos += 1; // the single SP before this field
    const end = text.indexOf(' ', pos);
    if (end <= pos) return false; // missing field, or an empty one from a doubled space
    const token = text.slice(pos, end);
    fields.push(token === '-' ? undefined : token);
    pos = end;
  }
  pos += 1;
  const structuredData: [string, string][] = [];
  if (text.charCodeAt(pos) === 0x2d /* - */) {
    pos += 1;
  } else {
    const end = parseStructuredData(text, pos, structuredData);
    if (end < 0) return false;
    pos = end;
  }
  if (pos < text.length && text.charCodeAt(pos) !== SPACE) return false;
  record.timestamp = timestamp;
  [record.hostname, record.appname, record.procid, record.msgid] = fields;
  record.structuredData = structuredData;
  record.message = cleanMessage(text.slice(pos + 1), config);
  return true;
}

/**
 * Parses one or more `[SD-ID name="value" ...]` elements starting at `pos` into `out`; returns the index after
 * the last `]`, or -1 when the structured data is malformed. Values unescape `\"`, `\\` and `\]` (RFC 5424
 * §6.3.3); any other backslash is kept.
 */
function parseStructuredData(text: string, start: number, out: [string, string][]): number {
  let pos = start;
  if (text.charCodeAt(pos) !== 0x5b /* [ */) return -1;
  while (text.charCodeAt(pos) === 0x5b) {
    const idEnd = nameEnd(text, pos + 1);
    if (idEnd === pos + 1) return -1;
    const id = text.slice(pos + 1, idEnd);
    pos = idEnd;
    while (text.charCodeAt(pos) === SPACE) {
      const paramEnd = nameEnd(text, pos + 1);
      if (paramEnd === pos + 1 || text.charCodeAt(paramEnd) !== 0x3d /* = */) return -1;
      if (text.charCodeAt(paramEnd + 1) !== 0x22 /* " */) return -1;
      const name = text.slice(pos + 1, paramEnd);
      let value = '';
      let i = paramEnd + 2;
      let runStart = i;
      for (;;) {
        if (i >= text.length) return -1;
        const c = text.charCodeAt(i);
        if (c === 0x22) break;
        if (c === 0x5c /* \ */) {
          const next = text.charCodeAt(i + 1);
          if (next === 0x22 || next === 0x5c || next === 0x5d /* ] */) {
            value += text.slice(runStart, i);
            runStart = i + 1;
          }
          i += 2;
        } else {
          i += 1;
        }
      }
      value += text.slice(runStart, i);
      out.push([`${id}.${name}`, value]);
      pos = i + 1;
    }
    if (text.charCodeAt(pos) !== 0x5d /* ] */) return -1;
    pos += 1;
  }
  return pos;
}

/** End of an SD-NAME: printable ASCII except `=`, space, `]` and `"` (RFC 5424 §6.3). */
function nameEnd(text: string, start: number): number {
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= SPACE || c > 0x7e || c === 0x3d || c === 0x5d || c === 0x22) break;
  }
  return i;
}

/**
 * Loose RFC 3164: `TIMESTAMP [HOSTNAME] [TAG: ]MSG`, where TIMESTAMP is `Mmm dd hh:mm:ss` or RFC 3339 and TAG is
 * `name` or `name[pid]`. Without a timestamp the whole text is the message.
 */
function parseRfc3164(text: string, record: SyslogRecord, config: SyslogConfig, nowMs: () => number): void {
  const found = readRfc3339(text, 0) ?? readBsdTimestamp(text, 0, nowMs(), config.defaultTzOffsetMinutes);
  if (!found || (found.end < text.length && text.charCodeAt(found.end) !== SPACE)) {
    record.message = cleanMessage(text, config);
    return;
  }
  record.timestamp = found.rendered;
  let pos = skipSpaces(text, found.end);
  let tokenEnd = tokenEndAt(text, pos);
  if (!readTag(text, pos, tokenEnd, record) && pos < text.length) {
    record.hostname = text.slice(pos, tokenEnd);
    pos = skipSpaces(text, tokenEnd);
    tokenEnd = tokenEndAt(text, pos);
    if (!readTag(text, pos, tokenEnd, record)) {
      record.message = cleanMessage(text.slice(pos), config);
      return;
    }
  }
  record.message = cleanMessage(text.slice(tokenEnd + 1), config);
}

/** If `text[start, end)` is a tag (`name:` or `name[pid]:`), stores appname/procid and returns true. */
function readTag(text: string, start: number, end: number, record: SyslogRecord): boolean {
  if (end - start < 2 || text.charCodeAt(end - 1) !== 0x3a /* : */) return false;
  const token = text.slice(start, end - 1);
  const open = token.indexOf('[');
  if (open < 0) {
    if (token.includes(']')) return false;
    record.appname = token;
    return true;
  }
  if (open === 0 || !token.endsWith(']') || token.indexOf(']') !== token.length - 1) return false;
  if (token.indexOf('[', open + 1) >= 0) return false;
  record.appname = token.slice(0, open);
  const pid = token.slice(open + 1, -1);
  if (pid !== '') record.procid = pid;
  return true;
}

/** Index of the first non-digit at or after `pos`. */
function digitsEnd(text: string, pos: number): number {
  let c = text.charCodeAt(pos);
  while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++pos);
  return pos;
}

function skipSpaces(text: string, pos: number): number {
  while (text.charCodeAt(pos) === SPACE) pos++;
  return pos;
}

function tokenEndAt(text: string, pos: number): number {
  const end = text.indexOf(' ', pos);
  return end < 0 ? text.length : end;
}

/**
 * Unicode White_Space as Rust's `str::trim` sees it. JavaScript's `trim` would also remove U+FEFF, which must
 * survive when `stripBom` is off, and would keep U+0085.
 */
const EDGE_SPACE =
  /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function cleanMessage(message: string, config: SyslogConfig): string {
  const unmarked = config.stripBom && message.startsWith(BOM) ? message.slice(1) : message;
  const first = unmarked.charCodeAt(0);
  const last = unmarked.charCodeAt(unmarked.length - 1);
  // Most messages have no edge whitespace at all; skip the regex for them.
  if (first > SPACE && first < 0x85 && last > SPACE && last < 0x85) return unmarked;
  return unmarked.replace(EDGE_SPACE, '');
}

/** The JSON object a message holds; undefined when it holds none; a failure when the object nests too deep. */
function parseEmbeddedJson(message: string): Record<string, unknown> | ParseFailure | undefined {
  if (message.charCodeAt(0) !== 0x7b /* { */) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    // Not JSON after all: the message stays a plain `_raw` string, which is the documented fallback.
    return undefined;
  }
  if (!isJsonObject(value)) return undefined;
  // The object would be the event, so it is held to the events' nesting limit like a JSON line.
  return isTooDeep(message, value) ? tooDeepFailure() : value;
}

function addMissing(event: Record<string, unknown>, key: string, value: string | undefined): void {
  if (value !== undefined) addPair(event, key, value);
}
