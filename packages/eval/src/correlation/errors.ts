// Error class of the correlation engine: why a correlation could not be compiled or why a state
// snapshot was refused. It only describes failures; the engine decides whether to throw or report.

/** Every reason a correlation rule is rejected or a snapshot refused (spec 03 §2, §12). */
export type CorrelationErrorCode =
  'unknown_rule_ref' | 'correlation_cycle' | 'chain_too_deep' | 'invalid_correlation' | 'snapshot_version' | 'snapshot_malformed';

/** Which correlation (or which snapshot part) the problem is in. */
export interface CorrelationErrorSpot {
  file?: string;
  /** Title of the correlation rule, or `snapshot` for state problems. */
  subject: string;
  ruleId?: string;
}

/** A correlation could not be compiled, or a state snapshot could not be restored. */
export class CorrelationError extends Error {
  override readonly name = 'CorrelationError';

  constructor(
    readonly code: CorrelationErrorCode,
    detail: string,
    readonly spot: CorrelationErrorSpot,
    options?: ErrorOptions,
  ) {
    super(`${spot.file ?? '<memory>'}: ${spot.subject}: ${detail}`, options);
  }
}
