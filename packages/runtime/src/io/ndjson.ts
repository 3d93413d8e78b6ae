// Result serialization shared by the built-in sinks: one JSON document per result, newline-terminated.
// A result may carry its JSON text already (built by a detection worker, see parallel/): then that text is written
// as is instead of serializing the object again on the thread that delivers.

import type { EvaluationResult } from '@tsigma/eval';

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

/** Serializes results as NDJSON (compact) or as indented JSON documents (`pretty`), each ending in a newline. */
export function serializeResults(results: readonly EvaluationResult[], pretty = false): string {
  let out = '';
  if (pretty) {
    for (const r of results) out += JSON.stringify(r, null, 2) + '\n';
    return out;
  }
  for (const r of results) out += (knownJson.get(r) ?? JSON.stringify(r)) + '\n';
  return out;
}
