// The value a line decoder returns for a line it cannot turn into an event (spec 05 §4, §10).
// Failures are values, never thrown, so one bad line cannot stop a batch; they carry no stack trace on purpose.

/** Why a line was rejected; `oversize` lines go to the dead-letter sink as `oversize`, the rest as `parse error`. */
export type ParseFailureCode = 'oversize' | 'json_syntax' | 'json_not_object' | 'event_too_deep' | 'logfmt_no_pairs' | 'cef_syntax';

/**
 * A line that could not be decoded in the requested format; test with `instanceof`.
 * It deliberately does not extend `Error`: millions of bad lines must not each pay for a stack trace.
 */
export class ParseFailure {
  /** True when the line was rejected by the 1 MiB limit rather than by its content. */
  readonly oversize: boolean;

  constructor(
    readonly code: ParseFailureCode,
    readonly message: string,
  ) {
    this.oversize = code === 'oversize';
  }
}
