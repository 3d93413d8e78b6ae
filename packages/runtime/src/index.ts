// Public API of @tsigma/runtime.

// Rule loading, batch processing, hot reload (spec 05 §2–3).
export { RuntimeEngine } from './runtime-engine.js';
export type {
  EngineStats,
  LoadRulesOptions,
  PipelineSourceHook,
  RuleSummary,
  RuntimeEngineOptions,
  SourceExpansionMode,
} from './runtime-engine.js';
export { findRuleFiles } from './rule-files.js';
export { describeRuleLoadError } from './rule-load-errors.js';
export { LogProcessor } from './log-processor.js';
export type { BatchLine, BatchParseError, BatchProcessOutcome, DetectedBatch } from './log-processor.js';
export { ParallelLogProcessor } from './parallel/parallel-processor.js';
export type { ParallelOptions, WorkerEngineSpec } from './parallel/parallel-processor.js';
export { defaultWorkerCount, PARALLEL_MIN_INPUT_BYTES, PARALLEL_MIN_RULES } from './parallel/worker-count.js';
export type { FieldMapping, FieldOrigin, RuleFieldSet, RuleFieldUsage } from './rule-fields.js';
export { flattenResults } from './results.js';
export { RuntimeError } from './errors.js';
export type { RuntimeErrorCode } from './errors.js';
export { parseDuration } from './duration.js';

// Result selectors and scopes shared by enrichment and the alert pipeline (spec 07 §2, 08 §3).
export { Selector, stringForm } from './result-selector.js';
export type { SelectorKind } from './result-selector.js';
export { Scope } from './scope.js';
export type { ScopeSpec } from './scope.js';

// I/O plug-in surface and built-ins (spec 05 §7).
export type { AckToken, EventSource, RawEvent, Sink } from './io/io-types.js';
export { NOOP_ACK } from './io/io-types.js';
export { BoundedChannel } from './io/bounded-channel.js';
export { spawnSource } from './io/spawn-source.js';
export type { SpawnedSource, SpawnSourceOptions } from './io/spawn-source.js';
export { StdinSource } from './io/stdin-source.js';
export { PushSource } from './io/push-source.js';
export { MergedSource } from './io/merged-source.js';
export { JsonDocumentSource } from './io/json-document-source.js';
export { InlineEventSource } from './io/inline-source.js';
export { EvtxSource } from './io/evtx-source.js';
export { openEventInputs } from './io/event-inputs.js';
export type { EventInput, EventInputOptions, InputInfo } from './io/event-inputs.js';
export { expandInputDirectories } from './io/input-directories.js';
export type { UnreadableDirectory } from './io/input-directories.js';
export { FileSource, DEFAULT_FOLLOW_POLL_MS } from './io/file-source.js';
export type { FileSourceOptions } from './io/file-source.js';
export { openStdoutWriter, StdoutSink } from './io/stdout-sink.js';
export { serializeResult } from './io/ndjson.js';
export type { TextWriter } from './io/stdout-sink.js';
export { FileSink } from './io/file-sink.js';
export type { FileSinkOptions, FsyncPolicy } from './io/file-sink.js';
export { FanOutSink } from './io/fan-out-sink.js';
export { DeadLetterWriter, formatDeadLetter } from './io/dead-letter.js';
export type { DeadLetter, DeadLetterCategory, DeadLetterLine, DeadLetterWriterOptions } from './io/dead-letter.js';
export { runPipeline, DEFAULT_BATCH_SIZE, DEFAULT_CHANNEL_CAPACITY } from './run-pipeline.js';
export type { PipelineCounts, ResultStage, RunPipelineOptions } from './run-pipeline.js';
export { levelNamed, minLevelStage } from './min-level.js';
export {
  SinkDispatcher,
  labelSinks,
  DEFAULT_SINK_BACKOFF_BASE_MS,
  DEFAULT_SINK_BACKOFF_MAX_MS,
  DEFAULT_SINK_QUEUE_SIZE,
  DEFAULT_SINK_RETRY_MAX,
} from './sink-dispatcher.js';
export type { DeliveryPolicy, DispatchStats, OnFull, SinkDispatcherOptions, SinkRoute } from './sink-dispatcher.js';

// Logging (spec 10 §9): the Logger seam is @tsigma/eval's; these render it as text or JSON lines.
export { createStreamLogger } from './logger.js';
export type { StreamLoggerOptions } from './logger.js';

// Event filters and metrics (spec 05 §8–9).
export { createEventFilter } from './event-filter.js';
export type { EventFilter, EventFilterConfig } from './event-filter.js';
export { NoopMetrics } from './metrics.js';
export type { BatchPhase, MetricsHook } from './metrics.js';

// Input formats, JSON document streams and OTLP logs (spec 05 §4, §6).
export { decodeLine, MAX_LINE_BYTES } from './input/decode-line.js';
export { MAX_EVENT_DEPTH } from './input/event-depth.js';
export type { Clock, DecodedLine } from './input/decode-line.js';
export { parseLine } from './input/parse-line.js';
export { ParseFailure } from './input/parse-failure.js';
export type { ParseFailureCode } from './input/parse-failure.js';
export { DEFAULT_SYSLOG_CONFIG, INPUT_FORMAT_NAMES, inputFormatNamed, parseSyslogTzOffset } from './input/input-format.js';
export type { InputFormat, SyslogConfig } from './input/input-format.js';
export { JsonDocumentSplitter, MAX_DOCUMENT_BYTES, readJsonDocuments, splitJsonDocuments } from './input/json-stream.js';
export type { JsonDocument } from './input/json-stream.js';
export { decodeOtlpLogRecords, decodeOtlpLogs, MAX_OTLP_DECOMPRESSED_BYTES, OtlpError, otlpEncodingOf } from './input/otlp.js';
export type { OtlpEncoding, OtlpErrorCode, OtlpLogEvent } from './input/otlp.js';
