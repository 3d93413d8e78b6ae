// The error class of rule compilation (spec 02 §1): why one rule cannot become a matcher tree, and where, with
// the helpers that build its location. It describes failures; the engine decides whether to skip the rule or throw.

import type { SourceLocation } from '@tsigma/parser';

/** Every reason a rule can fail to compile. */
export type RuleCompileErrorCode =
  'invalid_regex' | 'invalid_cidr' | 'unresolved_placeholder' | 'unknown_identifier' | 'empty_selector' | 'incompatible_value';

/**
 * Which rule and which part of it could not be compiled: the 1-based `line` and `column` of the detection
 * item when the parser recorded one, and always a JSON `pointer` into the rule document
 * (e.g. `/detection/selection/CommandLine|re`), which is all there is for conditions and keyword lists.
 */
export interface RuleCompileSpot {
  file?: string;
  line?: number;
  column?: number;
  pointer?: string;
  ruleTitle: string;
  ruleId?: string;
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
    const pos = spot.line !== undefined ? `:${spot.line}:${spot.column ?? 1}` : '';
    const where = spot.pointer ? ` (${spot.pointer})` : '';
    super(`${spot.file ?? '<memory>'}${pos}: rule "${spot.ruleTitle}"${where}: ${detail}`, options);
  }
}

/** A JSON pointer (RFC 6901) from path segments: `~` and `/` inside a segment are escaped. */
export function jsonPointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** Throws a {@link RuleCompileError} at `pointer` (and `at`, a 1-based position, when known) of the rule in `spot`. */
export function fail(code: RuleCompileErrorCode, detail: string, spot: RuleCompileSpot, pointer: string, at?: SourceLocation): never {
  // Keyword lists are compiled as a stand-in item at line 0: they have no position of their own.
  const pos = at !== undefined && at.line > 0 ? { line: at.line, column: at.column } : {};
  throw new RuleCompileError(code, detail, { ...spot, ...pos, pointer });
}
