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
  } catch (error) {
    return new ParseFailure('json_syntax', (error as SyntaxError).message);
  }
  if (isTooDeep(line, value)) return tooDeepFailure();
  if (hasFilter || isJsonObject(value)) return value;
  return new ParseFailure('json_not_object', `expected a JSON object, got ${describeJsonValue(value)}`);
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
