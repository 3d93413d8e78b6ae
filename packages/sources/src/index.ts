// Public API of @tsigma/sources: dynamic pipeline sources (spec 09).

// Declarations (§1).
export { describeSite, SOURCE_ID_PATTERN, siteLabel, validateSourceDeclarations, assertUniqueIds } from './declarations.js';
export type {
  DeclarationSite,
  DynamicSource,
  ExtractSpec,
  OnErrorPolicy,
  RefreshPolicy,
  SourceFormat,
  SourceType,
} from './declarations.js';
export { loadSourceFiles, parseSourceFile } from './source-files.js';

// Fetching, parsing, extraction (§2–3).
export type { FetchContext, SourceFetcher } from './fetcher.js';
export { fileFetcher } from './file-fetcher.js';
export { createHttpFetcher, requestHttp } from './http-fetcher.js';
export type { HttpFetcherOptions, HttpRequestOptions, HttpRequestSpec } from './http-fetcher.js';
export { commandFetcher, runCommand } from './command-fetcher.js';
export type { CommandOutcome, RunCommandOptions } from './command-fetcher.js';
export { expandEnv } from './env-template.js';
export { decodeUtf8, parseSourceText } from './format.js';
export { compileExtractor } from './extract.js';
export type { Extractor, ExtractorOptions } from './extract.js';

// Resolution, errors, cache (§4).
export { DefaultSourceResolver, resolveAll } from './resolver.js';
export type { DefaultSourceResolverOptions, ResolvedValue, SourceOutcome, SourceResolver } from './resolver.js';
export { SourceConfigError, SourceError } from './errors.js';
export type { SourceConfigErrorCode, SourceErrorKind } from './errors.js';
export { SourceCache } from './cache.js';
export type { SourceCacheOptions, SourceCachePersistence } from './cache.js';
export { openSqliteCachePersistence } from './sqlite-persistence.js';
export type { SqliteCachePersistence } from './sqlite-persistence.js';

// Refresh (§5), templates and includes (§6), runtime wiring.
export { RefreshScheduler } from './refresh.js';
export type { RefreshSchedulerOptions, RefreshTrigger, SourceStatus, SourceUpdate } from './refresh.js';
export { assertReferencesDeclared, expandIncludes, sourceReferences, TemplateExpander } from './template.js';
export type { IncludeOptions, SourceReference } from './template.js';
export { PipelineSources } from './pipeline-sources.js';
export type { PipelineSourcesOptions } from './pipeline-sources.js';

// Limits and egress (§7), metrics (§8), durations (05 §1).
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_STDOUT_BYTES,
  DEFAULT_NATS_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  MAX_FILE_BYTES,
  MAX_NATS_MESSAGE_BYTES,
  MAX_STDERR_BYTES,
  MIN_REFRESH_INTERVAL_MS,
} from './limits.js';
export type { SourceLimits } from './limits.js';
export { allowlistDenial, createEgressAgent, DEFAULT_EGRESS_POLICY, egressDenial, egressPresetNamed } from './egress.js';
export type { EgressPolicy, EgressPreset, LookupFn } from './egress.js';
export type { SourceMetrics } from './metrics.js';
export { parseDuration } from '@tsigma/runtime';
