// Public API of @tsigma/alert-pipeline (spec 08): inhibition, silences, deduplication and incident grouping of
// evaluation results, after enrichment and before the sinks.

export { AlertPipeline } from './pipeline.js';
export type { TickOutput } from './pipeline.js';
export { AlertPipelineState } from './state.js';
export type { AlertPipelineStateOptions } from './state.js';
export {
  buildAlertPipeline,
  DEFAULT_MAX_ACTIVE_ALERTS,
  DEFAULT_MAX_SILENCES,
  loadAlertPipelineFile,
  parseAlertPipelineConfig,
} from './config.js';
export { AlertPipelineError, SilenceError } from './errors.js';
export type { AlertPipelineErrorCode, AlertPipelineSpot, SilenceErrorCode } from './errors.js';
export type { DedupStore } from './dedup.js';
export type { GroupMode, IncidentRef, IncidentResult, IncidentStore, IncidentTrigger, IncludeMode } from './grouping.js';
export type { InhibitStore } from './inhibit.js';
export type { MatchOp, MatcherSpec } from './matcher.js';
export type { Silence, SilenceOrigin, SilenceSpec, SilenceState, SilenceStore, SilenceView } from './silence.js';
export { SNAPSHOT_VERSION } from './snapshot.js';
export type { AlertPipelineSnapshot } from './snapshot.js';
