// Public API of @tsigma/eval.
export {
  builtinPipeline,
  builtinPipelineNames,
  parsePipeline,
  parsePipelineFile,
  parseTransformationItems,
  PipelineError,
  resolvePipeline,
  sortPipelines,
  transformRule,
} from './pipeline/index.js';
export type { Pipeline, PipelineErrorCode, PipelineErrorSpot, ProcessingItem, TransformedRule } from './pipeline/index.js';

// Logging seam shared by every package.
export { silentLogger } from './logger.js';
export type { LogFields, Logger, LogLevel } from './logger.js';

// Detection engine (spec 02).
export { Engine } from './engine.js';
export type { EngineOptions, LoadReport, RuleLoadError, RuleLoadErrorCode } from './engine.js';
export type { LoadedRule } from './compile.js';
export type { ConditionTrace, DetectionTrace, ExplainReason, ItemTrace, RuleExplanation } from './explain.js';
export { JsonEvent } from './event.js';
export type { EventValue } from './event.js';
export { RuleCompileError } from './errors.js';
export type { RuleCompileErrorCode, RuleCompileSpot } from './errors.js';
export { LogSourceExtractor } from './logsource.js';
export type { EventLogSource, LogSourceExtractorConfig } from './logsource.js';
export { windowsEventRouter } from './logsource-routing.js';
export type { LogSourceRouter } from './logsource-routing.js';
export { isCorrelationResult } from './result.js';
export type { DetectionResult, EvaluationResult, FieldMatch, MatchDetail, MatcherKind, RuleHeader } from './result.js';

// Correlation engine (spec 03).
export { CorrelationEngine } from './correlation/engine.js';
export type { CorrelationEngineOptions, CorrelationLoadReport, ProcessResult } from './correlation/engine.js';
export { CorrelationError } from './correlation/errors.js';
export type { CorrelationErrorCode, CorrelationErrorSpot } from './correlation/errors.js';
export type { RestoreOutcome } from './correlation/snapshot.js';
export { CORRELATION_SNAPSHOT_VERSION, defaultCorrelationConfig } from './correlation/types.js';
export type {
  CorrelationAction,
  CorrelationConfig,
  CorrelationEventMode,
  CorrelationEventRef,
  CorrelationInfo,
  CorrelationResult,
  CorrelationSnapshot,
  CorrelationStateSnapshot,
  CorrelationStats,
  GroupStateInfo,
  IntrospectFilter,
  SnapshotGroup,
  WindowStateJson,
} from './correlation/types.js';
