// Errors of @tsigma/alert-pipeline: configuration and snapshot problems (AlertPipelineError) and rejected
// silences (SilenceError, the admin API's 400/409/429). Each names the file, key, pattern or version at fault.

/** What is wrong with a config file or a snapshot; tests assert on this, not on message wording. */
export type AlertPipelineErrorCode =
  /** The file cannot be read. */
  | 'io'
  /** The text is not valid YAML (or holds several documents). */
  | 'yaml_syntax'
  /** A key the format does not define; the message suggests the closest allowed key. */
  | 'unknown_key'
  /** A required key is absent or empty. */
  | 'missing_key'
  /** A value of the wrong JSON type. */
  | 'wrong_type'
  /** A value of the right type that is not allowed (an unknown enum value, a cap below 1, a duplicate name). */
  | 'invalid_value'
  /** A duration outside the shared grammar (`30s`, `1h30m`, `0`). */
  | 'invalid_duration'
  /** A selector outside the grammar of spec 08 §3. */
  | 'invalid_selector'
  /** A `=~` / `!~` pattern that does not compile as a linear-time regex. */
  | 'invalid_regex'
  /** A silence timestamp that is not RFC 3339, or `ends_at` not after `starts_at`. */
  | 'invalid_timestamp'
  /** A snapshot that is not an object with a numeric `version` and arrays where arrays belong. */
  | 'snapshot_corrupt';

/** Where an AlertPipelineError points: the file (or `alert pipeline` for in-memory text), the key path, a position. */
export interface AlertPipelineSpot {
  source: string;
  /** Dotted key path such as `group.group_wait` or `inhibit_rules[0].source_match[1].value`; empty for the whole file. */
  key: string;
  line?: number;
  column?: number;
}

/**
 * A configuration or snapshot problem; nothing is built when one is thrown.
 *
 * @example
 * throw new AlertPipelineError('unknown_key', "unknown key 'wait' in group; did you mean 'group_wait'?", spot);
 */
export class AlertPipelineError extends Error {
  override readonly name = 'AlertPipelineError';

  constructor(
    readonly code: AlertPipelineErrorCode,
    detail: string,
    readonly spot: AlertPipelineSpot,
    options?: ErrorOptions,
  ) {
    const at = spot.line === undefined ? spot.source : `${spot.source}:${spot.line}:${spot.column ?? 1}`;
    super(`${at}${spot.key === '' ? '' : ` (${spot.key})`}: ${detail}`, options);
  }
}

/** Why a silence was refused: `invalid` (400), `duplicate` id (409 / config error), `limit` at `max_silences` (429). */
export type SilenceErrorCode = 'invalid' | 'duplicate' | 'limit';

/**
 * A silence that cannot be created; `field` names the offending part (`matchers[0].value`, `ends_at`, `id`).
 *
 * @example
 * throw new SilenceError('invalid', 'ends_at', 'ends_at must be in the future');
 */
export class SilenceError extends Error {
  override readonly name = 'SilenceError';

  constructor(
    readonly code: SilenceErrorCode,
    readonly field: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${detail}`, options);
  }
}
