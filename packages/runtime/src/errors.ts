// The runtime's own error type (spec 05 §10): every failure names the file, key, expression or sink involved.
// Per-line decode problems are not errors here: they are ParseFailure values (input/parse-failure.ts).

import type { RuleLoadError } from '@tsigma/eval';

/** What went wrong; tests assert on this, not on message wording. */
export type RuntimeErrorCode =
  /** One or more rules failed to parse or compile, or the rules path is unreadable; `issues` lists every rule. */
  | 'rule_load'
  /** The engine was used before `loadRules()` succeeded. */
  | 'not_loaded'
  /** A pipeline file could not be read or parsed. */
  | 'pipeline_load'
  /** Pipelines need dynamic sources (`sources:` / `${source.*}`) but no source hook was configured. */
  | 'sources_unavailable'
  /** The source hook failed: a declaration, reference or include is invalid, or a required source is unavailable. */
  | 'source_load'
  /** A duration string does not follow the shared grammar. */
  | 'invalid_duration'
  /** An EventFilter was configured wrongly (none or both of jq / JSONPath) or does not compile. */
  | 'invalid_filter'
  /** A jq program failed at run time on one input. */
  | 'filter_runtime'
  /** A value was sent into a channel that had been closed. */
  | 'channel_closed'
  /** A source or sink could not read or write its file or stream. */
  | 'io'
  /** A detection worker thread could not build its engine (start or reload of a parallel pool). */
  | 'worker_load'
  /** The parallel pool was used after `close()`. */
  | 'pool_closed'
  /**
   * A result cannot be encoded as JSON (a value nested deeper than the serializer's stack allows); retrying cannot
   * help, so the runtime dead-letters it at once.
   */
  | 'unserializable'
  /** A result selector (spec 08 §3) is outside the grammar. */
  | 'invalid_selector'
  /** A result scope (spec 07 §2) names an unknown level. */
  | 'invalid_scope';

/**
 * Error raised by @tsigma/runtime. `subject` is the file, config key, expression or sink label at fault.
 *
 * @example
 * throw new RuntimeError('invalid_duration', 'expected <integer><unit> groups, got "5 min"', 'refresh_interval');
 */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';

  constructor(
    readonly code: RuntimeErrorCode,
    detail: string,
    readonly subject: string,
    options?: ErrorOptions & { issues?: RuleLoadError[] },
  ) {
    super(`${subject}: ${detail}`, options);
    this.issues = options?.issues ?? [];
  }

  /** For `rule_load`: every rule problem found in the load, so one failed load reports all of them. */
  readonly issues: readonly RuleLoadError[];
}
