// The spec-level line parser (05 §4): decodeLine's plain object wrapped as an evaluator Event.
// Kept separate so the decoders stay free of any evaluator type.

import { JsonEvent } from '@tsigma/eval';
import { decodeLine } from './decode-line.js';
import type { InputFormat } from './input-format.js';
import { ParseFailure } from './parse-failure.js';

/**
 * Parses one line in `format` into an Event, or returns a ParseFailure (never throws). Use decodeLine instead
 * when you need to know whether the event came from JSON (to apply an EventFilter).
 *
 * @example parseLine('level=warn msg="disk full"', { kind: 'logfmt' }) // JsonEvent over { level: 'warn', msg: 'disk full' }
 */
export function parseLine(line: string, format: InputFormat, hasFilter = false): JsonEvent | ParseFailure {
  const decoded = decodeLine(line, format, hasFilter);
  return decoded instanceof ParseFailure ? decoded : new JsonEvent(decoded.value);
}
