// Result serialization shared by the built-in sinks: one JSON document per result, newline-terminated.

import type { EvaluationResult } from '@tsigma/eval';
import { RuntimeError } from '../errors.js';

/**
 * Serializes results as NDJSON (compact) or as indented JSON documents (`pretty`), each ending in a newline.
 * Throws an `unserializable` RuntimeError naming the first result that cannot be encoded.
 */
export function serializeResults(results: readonly EvaluationResult[], pretty = false): string {
  let out = '';
  for (const r of results) out += serializeResult(r, pretty) + '\n';
  return out;
}

/**
 * One result as JSON (indented when `pretty`). A result JSON cannot encode (a value nested so deeply that
 * `JSON.stringify` exhausts the stack) throws an `unserializable` RuntimeError naming its rule, never a bare
 * RangeError, so a sink can fail that one result and go on.
 *
 * @example
 * process.stdout.write(serializeResult(result) + '\n');
 */
export function serializeResult(result: EvaluationResult, pretty = false): string {
  try {
    return pretty ? JSON.stringify(result, null, 2) : JSON.stringify(result);
  } catch (err) {
    throw new RuntimeError('unserializable', `cannot be encoded as JSON (${(err as Error).message})`, resultSubject(result), {
      cause: err,
    });
  }
}

/** Names a result in messages: `result of rule "<title>" (<id>)`. */
function resultSubject(result: EvaluationResult): string {
  return `result of rule "${result.rule_title}"${result.rule_id === null ? '' : ` (${result.rule_id})`}`;
}
