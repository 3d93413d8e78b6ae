// Result serialization shared by the built-in sinks: one JSON document per result, newline-terminated.

import type { EvaluationResult } from '@tsigma/eval';

/** Serializes results as NDJSON (compact) or as indented JSON documents (`pretty`), each ending in a newline. */
export function serializeResults(results: readonly EvaluationResult[], pretty = false): string {
  let out = '';
  for (const r of results) out += (pretty ? JSON.stringify(r, null, 2) : JSON.stringify(r)) + '\n';
  return out;
}
