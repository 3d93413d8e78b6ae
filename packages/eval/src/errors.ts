// The error class of rule compilation (spec 02 §1): why one rule cannot become a matcher tree.
// It describes a failure and where it is; the engine decides whether to skip the rule or throw.

/** Every reason a rule can fail to compile. */
export type RuleCompileErrorCode =
  'invalid_regex' | 'invalid_cidr' | 'unresolved_placeholder' | 'unknown_identifier' | 'empty_selector' | 'incompatible_value';

/** Which rule and which part of it could not be compiled. */
export interface RuleCompileSpot {
  file?: string;
  ruleTitle: string;
  ruleId?: string;
  /** The detection or field the problem is in, e.g. `selection.CommandLine|re`. */
  path?: string;
}

/** A rule could not be compiled; `code` says why and `spot` says where. */
export class RuleCompileError extends Error {
  override readonly name = 'RuleCompileError';

  constructor(
    readonly code: RuleCompileErrorCode,
    detail: string,
    readonly spot: RuleCompileSpot,
    options?: ErrorOptions,
  ) {
    const where = spot.path ? ` (${spot.path})` : '';
    super(`${spot.file ?? '<memory>'}: rule "${spot.ruleTitle}"${where}: ${detail}`, options);
  }
}
