// Result helpers shared by everything after the engine (spec 05 §1).

import type { EvaluationResult, ProcessResult } from '@tsigma/eval';

/**
 * The flat list of one event's results: detections first, then correlations (one NDJSON line each downstream).
 *
 * @example flattenResults({ detections: [d], correlations: [c] }) // [d, c]
 */
export function flattenResults(pr: ProcessResult): EvaluationResult[] {
  return [...pr.detections, ...pr.correlations];
}
