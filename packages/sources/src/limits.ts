// The size and time limits of spec 09 §7, as named constants and the per-fetch view of them.

/** HTTP bodies beyond this are refused: feeds larger than 10 MiB belong in a lookup table, not in rules. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Command stdout beyond this kills the child: the same reasoning as for HTTP bodies. */
export const DEFAULT_MAX_STDOUT_BYTES = 10 * 1024 * 1024;
/** Stderr kept for error messages; enough to explain a failure, bounded so a chatty child cannot grow memory. */
export const MAX_STDERR_BYTES = 64 * 1024;
/** NATS payloads beyond this are a `resource_limit` error (the server default max_payload is far lower anyway). */
export const MAX_NATS_MESSAGE_BYTES = 10 * 1024 * 1024;
/** HTTP and command deadline when a declaration sets no `timeout`. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Initial wait of a NATS source for its first message when no `timeout` is set. */
export const DEFAULT_NATS_TIMEOUT_MS = 1_000;
/** Shorter refresh intervals are clamped: polling a feed faster than once a second only loads its server. */
export const MIN_REFRESH_INTERVAL_MS = 1_000;
/** Files read by `file` sources beyond this are refused: a local table that large does not belong in memory twice. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Bytes of an HTTP error body quoted in the message. */
export const HTTP_ERROR_BODY_BYTES = 512;
/** Debounce of file watchers: editors write a file in several steps. */
export const WATCH_DEBOUNCE_MS = 250;

/** The limits that apply to one fetch (declaration overrides already applied). */
export interface SourceLimits {
  timeoutMs: number;
  maxBodyBytes: number;
  maxStdoutBytes: number;
}
