// Result serialization shared by the built-in sinks: one JSON document per result, newline-terminated.
// A result may carry its JSON text already (built by a detection worker, see parallel/): then that text is written
// as is instead of serializing the object again on the thread that delivers.

import type { EvaluationResult } from '@tsigma/eval';
import { RuntimeError } from '../errors.js';

/**
/**
 * JSON text known for a result object, exactly `JSON.stringify(result)`. Only the parallel pool records texts, and
 * only for results no stage will see; `forgetKnownJson` drops them before anything may change a result in place.
 */
const knownJson = new WeakMap<object, string>();

/** Records that `JSON.stringify(result)` is `json`, so serializing it again can be skipped. */
export function rememberJson(result: EvaluationResult, json: string): void {
  knownJson.set(result, json);
}

/** Drops the recorded text of each result: a stage may be about to change them. */
export function forgetKnownJson(results: readonly EvaluationResult[]): void {
  for (const r of results) knownJson.delete(r);
}

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
  if (!pretty) {
    const known = knownJson.get(result);
    if (known !== undefined) return known;
  }
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
