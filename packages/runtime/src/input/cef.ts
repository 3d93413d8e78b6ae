// ArcSight Common Event Format parsing (spec 05 §4.4): seven `|`-separated header fields and a key=value
// extension whose values may contain spaces. Pure; malformed lines are ParseFailures.

import { addPair, type PairEvent } from './pair-event.js';
import { ParseFailure } from './parse-failure.js';

const BACKSLASH = 0x5c;
const PIPE = 0x7c;
const EQUALS = 0x3d;
/** CEF has exactly seven header fields before the extension. */
const HEADER_SEPARATORS = 7;
const HEADER_KEYS = ['cef_version', 'deviceVendor', 'deviceProduct', 'deviceVersion', 'signatureId', 'name', 'severity'];

/**
 * Parses the first `CEF:` record found anywhere in `line` (a syslog prefix is discarded) into header pairs
 * followed by extension pairs; a repeated key keeps its first value.
 */
export function parseCef(line: string): PairEvent | ParseFailure {
  const at = line.indexOf('CEF:');
  if (at < 0) return new ParseFailure('cef_syntax', 'no "CEF:" marker in line');
  const text = line.slice(at + 4);
  const header: string[] = [];
  let segmentStart = 0;
  let i = 0;
  for (; i < text.length && header.length < HEADER_SEPARATORS; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === PIPE) {
      header.push(text.slice(segmentStart, i));
      segmentStart = i + 1;
    }
  }
  if (header.length < HEADER_SEPARATORS) {
    return new ParseFailure('cef_syntax', `CEF header has ${header.length} of ${HEADER_SEPARATORS} "|" separators`);
  }
  const version = header[0]!.trim();
  if (!/^\d+$/.test(version)) return new ParseFailure('cef_syntax', `CEF version "${version}" is not a non-negative integer`);
  const event: PairEvent = { cef_version: version };
  for (let k = 1; k < HEADER_SEPARATORS; k++) addPair(event, HEADER_KEYS[k]!, unescapeHeader(header[k]!));
  addExtension(event, text.slice(segmentStart).trim());
  return event;
}

/**
 * Splits the extension on unescaped `=`. Each middle segment ends with the next key (after its last space);
 * a middle segment without a space is a piece of the current value that contained a bare `=`.
 */
function addExtension(event: PairEvent, extension: string): void {
  const segments = splitUnescaped(extension, EQUALS);
  if (segments.length < 2) return;
  const first = segments[0]!;
  let key = first.slice(first.lastIndexOf(' ') + 1);
  let buffer: string | undefined;
  const append = (part: string): void => {
    buffer = buffer === undefined ? part : `${buffer}=${part}`;
  };
  for (let s = 1; s < segments.length - 1; s++) {
    const segment = segments[s]!;
    const space = segment.lastIndexOf(' ');
    if (space < 0) {
      append(segment);
      continue;
    }
    append(segment.slice(0, space).trim());
    addPair(event, key, unescapeValue(buffer!));
    key = segment.slice(space + 1);
    buffer = undefined;
  }
  append(segments[segments.length - 1]!);
  addPair(event, key, unescapeValue(buffer!));
}

/** Splits on `separator` where it is not preceded by a protecting backslash. */
function splitUnescaped(text: string, separator: number): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Header escapes: `\|` and `\\`; any other backslash is kept. */
function unescapeHeader(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\([|\\])/g, '$1');
}

const VALUE_ESCAPES: Record<string, string> = { '=': '=', '\\': '\\', n: '\n', r: '\r' };

/** Extension value escapes: `\=`, `\\`, `\n`, `\r`; any other backslash is kept. */
function unescapeValue(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\([=\\nr])/g, (_, c: string) => VALUE_ESCAPES[c]!);
}
