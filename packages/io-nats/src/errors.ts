// Error classes of @tsigma/io-nats: configuration mistakes (caught before any network I/O), server-side
// problems (connect, auth, JetStream, stream conflicts) and failed publishes. Every error names its subject or URL.

/** What is wrong with a NATS configuration; raised before any connection attempt. */
export type NatsConfigErrorCode =
  | 'conflicting_auth'
  | 'incomplete_auth'
  | 'incomplete_tls'
  | 'bad_url'
  | 'bad_subject'
  | 'bad_consumer_name'
  | 'bad_option'
  | 'feedback_loop'
  | 'unreadable_file';

/**
 * A configuration the package refuses; `options` names the offending settings (flags, env vars, subjects or
 * paths), never secret values.
 */
export class NatsConfigError extends Error {
  override readonly name = 'NatsConfigError';
  constructor(
    readonly code: NatsConfigErrorCode,
    detail: string,
    readonly options: readonly string[],
    errorOptions?: ErrorOptions,
  ) {
    super(detail, errorOptions);
  }
}

/** What went wrong talking to the server. */
export type NatsIoErrorCode =
  'unreachable' | 'authorization' | 'tls' | 'jetstream_disabled' | 'stream_conflict' | 'consumer_conflict' | 'jetstream_api';

/** A failed connect or JetStream management call; `target` is the server URL or the subject involved. */
export class NatsIoError extends Error {
  override readonly name = 'NatsIoError';
  constructor(
    readonly code: NatsIoErrorCode,
    readonly target: string,
    detail: string,
    errorOptions?: ErrorOptions,
  ) {
    super(`${target}: ${detail}`, errorOptions);
  }
}

/**
 * A message that was not stored: its JetStream publish acknowledgement did not arrive (timeout, no stream,
 * disconnected), or the result could not be serialized. The sink does not retry; `index` is the position of the
 * failed message inside a multi-message call (0 for single sends).
 */
export class NatsPublishError extends Error {
  override readonly name = 'NatsPublishError';
  constructor(
    readonly subject: string,
    readonly index: number,
    detail: string,
    errorOptions?: ErrorOptions,
  ) {
    super(`publish to ${subject} failed (message ${index}): ${detail}`, errorOptions);
  }

  /** Messages before the failed one were acknowledged by the server (`Sink.send` partial-delivery contract). */
  get delivered(): number {
    return this.index;
  }
}
