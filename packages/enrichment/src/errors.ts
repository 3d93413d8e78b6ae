// Errors of @tsigma/enrichment: EnrichError for one enrichment call that failed at run time (the pipeline applies
// the enricher's on_error), EnrichmentConfigError for an enrichers file or enricher that cannot be built.

/** Why one enrichment call failed (spec 07 §1); a closed union, tests assert on it. */
export type EnrichErrorKind = 'timeout' | 'fetch' | 'parse' | 'extract' | 'template';

/**
 * One enrichment call failed; the message starts with the enricher id.
 *
 * @example
 * throw new EnrichError('vt_hash', 'fetch', 'HTTP 503 from https://vt.example/api');
 */
export class EnrichError extends Error {
  override readonly name = 'EnrichError';
  /** The same value as `kind`, under the name every tsigma error class uses. */
  readonly code: EnrichErrorKind;

  constructor(
    readonly enricherId: string,
    readonly kind: EnrichErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`enricher '${enricherId}': ${message}`, options);
    this.code = kind;
  }
}

/** What is wrong with an enrichers file or an enricher definition; tests assert on this, not on message wording. */
export type EnrichmentConfigErrorCode =
  /** The file (or a lookup table) cannot be read, or is larger than allowed. */
  | 'io'
  /** The text is not valid YAML (or holds several documents). */
  | 'yaml_syntax'
  /** A key the enricher type does not define. */
  | 'unknown_key'
  /** A required key is absent. */
  | 'missing_key'
  /** A value of the wrong type. */
  | 'wrong_type'
  /** A value of the right type that is not allowed (an unknown enum value, a bad id, a reserved inject_field). */
  | 'invalid_value'
  /** A duration outside the shared grammar (`30s`, `1h30m`, `0`). */
  | 'invalid_duration'
  /** A scope naming an unknown level. */
  | 'invalid_scope'
  /** A `${...}` reference that is unknown, of the wrong namespace, or unterminated. */
  | 'invalid_template'
  /** An extract expression that does not compile. */
  | 'invalid_extract'
  /** Two enrichers with the same id. */
  | 'duplicate_id'
  /** A `type` that is neither built in nor registered. */
  | 'unknown_type'
  /** A lookup `source:` that no declaration provides, or any `source:` without a source cache. */
  | 'undeclared_source'
  /** A lookup table that is malformed (bad CSV/JSON/YAML, missing key column). */
  | 'invalid_table'
  /** A custom factory threw. */
  | 'factory_failed'
  /** `registerBuiltin` refused a name. */
  | 'invalid_builtin';

/** Where an EnrichmentConfigError points; every field but `file` is optional. */
export interface EnrichmentConfigSpot {
  /** The enrichers file, or `enrichers` for in-memory text and directly built enrichers. */
  file: string;
  enricherId?: string;
  /** The YAML key (`template`, `table.path`, `scope.levels`), when one is at fault. */
  key?: string;
  line?: number;
}

/**
 * An enrichers file or enricher definition that cannot be built; nothing is built when one is thrown.
 *
 * @example
 * throw new EnrichmentConfigError('missing_key', "'template' is required", { file: 'enrichers.yml', enricherId: 'runbook', key: 'template' });
 */
export class EnrichmentConfigError extends Error {
  override readonly name = 'EnrichmentConfigError';

  constructor(
    readonly code: EnrichmentConfigErrorCode,
    readonly detail: string,
    readonly spot: EnrichmentConfigSpot,
    options?: ErrorOptions,
  ) {
    const at = spot.line === undefined ? spot.file : `${spot.file}:${spot.line}`;
    const who = spot.enricherId === undefined ? '' : ` enricher '${spot.enricherId}'`;
    const key = spot.key === undefined ? '' : ` (${spot.key})`;
    super(`${at}:${who}${key}: ${detail}`, options);
  }

  /** The same error located in `file` (and at `line` when known), for errors raised before the file was known. */
  inFile(file: string, line?: number): EnrichmentConfigError {
    const spot: EnrichmentConfigSpot = { ...this.spot, file };
    if (line !== undefined && spot.line === undefined) spot.line = line;
    return new EnrichmentConfigError(this.code, this.detail, spot, { cause: this.cause });
  }
}
