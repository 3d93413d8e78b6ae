// Public API of @tsigma/io-nats: JetStream event source and result sink for the tsigma runtime (spec 06).

export { connectNats, CONNECT_TIMEOUT_MS, RECONNECT_WAIT_MS } from './connect.js';
export { DEFAULT_CONNECTION_NAME, natsConfigFromEnv, parseNatsTarget, validateNatsConfig, validateSubject } from './config.js';
export type { NatsConnectConfig, SubjectRole } from './config.js';
export { NatsConfigError, NatsIoError, NatsPublishError } from './errors.js';
export type { NatsConfigErrorCode, NatsIoErrorCode } from './errors.js';
export {
  assertNoFeedbackLoop,
  durableNameFor,
  MAX_PARTITIONS,
  partitionSubjects,
  sanitizeSubject,
  streamNameFor,
  subjectMatches,
} from './subjects.js';
export type { PartitionLayout } from './subjects.js';
export { NatsSource } from './nats-source.js';
export { ACK_TIMEOUT_MS, DEFAULT_ACK_WAIT_MS, DEFAULT_BATCH, DEFAULT_MAX_ACK_PENDING } from './source-options.js';
export type { NatsSourceOptions, ReplayPolicy } from './source-options.js';
export { NatsSink, DEFAULT_PUBLISH_TIMEOUT_MS } from './nats-sink.js';
export type { NatsSinkOptions } from './nats-sink.js';
export { CONTROL_RESOLVE_SUBJECT, createNatsSourceFetcher, NatsSourceError, serveResolveControl } from './nats-source-fetcher.js';
export type { NatsSourceFetcherOptions, ResolveTarget } from './nats-source-fetcher.js';
