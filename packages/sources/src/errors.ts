// The errors of @tsigma/sources: SourceError for a resolution that failed (spec 09 §2–4), SourceConfigError for a
// declaration, template, include or cache file that cannot be used (§1, §6). Every message names the source id.

/** Why a resolution failed (spec 09 §2–4); tests assert on this, not on message wording. */
export type SourceErrorKind = 'fetch' | 'parse' | 'extract' | 'timeout' | 'resource_limit';

/**
 * A source could not be fetched, parsed or extracted. The message starts with the source id.
 *
 * @example
 * throw new SourceError('fetch', 'ip_blocklist', 'HTTP 500: upstream down');
 */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  /** The same value as `kind`, under the name every tsigma error class uses. */
  readonly code: SourceErrorKind;

  constructor(
    readonly kind: SourceErrorKind,
    readonly sourceId: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`source '${sourceId}': ${detail}`, options);
    this.code = kind;
  }
}

/** What is wrong with a declaration, a reference or a cache file. */
export type SourceConfigErrorCode =
  /** A `sources:` entry breaks the schema of spec 09 §1 (unknown key, bad value, missing type-specific key). */
  | 'invalid_declaration'
  /** The same source id is declared at two sites. */
  | 'duplicate_source'
  /** `${source.X}` names ids that no declaration provides. */
  | 'undeclared_source'
  /** `${source.` outside `vars` values and `include` items. */
  | 'source_template_outside_vars'
  /** An `include` cannot be spliced (not a list of transformations, nested include, remote without permission). */
  | 'invalid_include'
  /** A source file or directory cannot be read or is not valid YAML. */
  | 'io'
  /** The cache database file cannot be opened or is not a valid cache. */
  | 'cache_file';

/**
 * A configuration problem found before (or instead of) any fetch. `subject` is the file, pipeline or source id.
 *
 * @example
 * throw new SourceConfigError('undeclared_source', 'no declaration provides nope', 'pipeline dyn');
 */
export class SourceConfigError extends Error {
  override readonly name = 'SourceConfigError';

  constructor(
    readonly code: SourceConfigErrorCode,
    detail: string,
    readonly subject: string,
    options?: ErrorOptions,
  ) {
    super(`${subject}: ${detail}`, options);
  }
}
