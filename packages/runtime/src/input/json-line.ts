// Decodes one JSON line (spec 05 §4.1). Pure: no I/O, no clock.

import { ParseFailure } from './parse-failure.js';

/**
 * Parses `line` as JSON. The top-level value must be an object, unless `hasFilter` is set: an EventFilter
 * can then select objects out of an array or scalar, so any JSON value is accepted.
 */
export function parseJsonLine(line: string, hasFilter: boolean): unknown {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return new ParseFailure('json_syntax', (error as SyntaxError).message);
  }
  if (hasFilter || isJsonObject(value)) return value;
  return new ParseFailure('json_not_object', `expected a JSON object, got ${describeJsonValue(value)}`);
}

/** True for a parsed JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
