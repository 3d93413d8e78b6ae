// logfmt line parsing (spec 05 §4.3): `key=value`, `key="quoted value"`, `key=`, bare `key`.
// Pure; a line without any pair is a ParseFailure, never an exception.

import { addPair, type PairEvent } from './pair-event.js';
import { ParseFailure } from './parse-failure.js';

const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses a logfmt line into string pairs in token order (the first occurrence of a key wins).
 * In quoted values `\"` and `\\` are escapes and other backslashes stay; an unterminated quote takes the rest
 * of the line. A token that starts with `=` is skipped; text right after a closing quote starts the next token.
 */
export function parseLogfmt(line: string): PairEvent | ParseFailure {
  const event: PairEvent = {};
  let found = false;
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    const keyStart = i;
    while (i < n && (c = line.charCodeAt(i)) !== SPACE && c !== TAB && c !== EQUALS) i++;
    if (i === keyStart) {
      i = tokenEnd(line, i); // a token starting with `=` has no key
      continue;
    }
    const key = line.slice(keyStart, i);
    found = true;
    if (i >= n || line.charCodeAt(i) !== EQUALS) {
      addPair(event, key, 'true');
      continue;
    }
    i++;
    if (line.charCodeAt(i) === QUOTE) {
      const [value, end] = readQuoted(line, i + 1);
      addPair(event, key, value);
      i = end;
    } else {
      const end = tokenEnd(line, i);
      addPair(event, key, line.slice(i, end));
      i = end;
    }
  }
  return found ? event : new ParseFailure('logfmt_no_pairs', 'no key=value pair in logfmt line');
}

/** Index of the next space or tab at or after `i`, or the line length. */
function tokenEnd(line: string, i: number): number {
  let c: number;
  while (i < line.length && (c = line.charCodeAt(i)) !== SPACE && c !== TAB) i++;
  return i;
}

/** Reads a quoted value whose text starts at `start`; returns it unescaped and the index after the closing quote. */
function readQuoted(line: string, start: number): [string, number] {
  let value = '';
  let runStart = start;
  let i = start;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) return [value + line.slice(runStart, i), i + 1];
    if (c === BACKSLASH) {
      const next = line.charCodeAt(i + 1);
      if (next === QUOTE || next === BACKSLASH) {
        value += line.slice(runStart, i);
        runStart = i + 1;
      }
      i += 2;
    } else {
      i++;
    }
  }
  return [value + line.slice(runStart), line.length];
}
