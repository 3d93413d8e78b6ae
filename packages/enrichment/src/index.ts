// Public API of @tsigma/enrichment (spec 07): post-evaluation enrichers (template, lookup, http, command), the
// pipeline that runs them with deadlines and on_error policies, custom types, and the enrichers file.

export { DEFAULT_ENRICH_TIMEOUT_MS, injectEnrichment } from './enricher.js';
export type { EnrichContext, Enricher, EnricherKind, OnError } from './enricher.js';
export type { EnricherSettings } from './enricher-settings.js';
export { EnrichError, EnrichmentConfigError } from './errors.js';
export type { EnrichErrorKind, EnrichmentConfigErrorCode, EnrichmentConfigSpot } from './errors.js';
export { DEFAULT_MAX_CONCURRENT, EnrichmentPipeline } from './pipeline.js';
export type { EnrichmentPipelineOptions } from './pipeline.js';
export { enrichmentStage } from './result-stage.js';

// The four primitives (spec 07 §5).
export { TemplateEnricher } from './template-enricher.js';
export { LookupEnricher } from './lookup-enricher.js';
export type { LookupOptions, SourceLookup, TableLookup } from './lookup-enricher.js';
export { loadLookupTable, MAX_TABLE_BYTES } from './lookup-table.js';
export type { LookupTable, TableFormat, TableSpec } from './lookup-table.js';
export { DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_MAX_RESPONSE_BYTES, HttpEnricher } from './http-enricher.js';
export type { HttpEnricherOptions } from './http-enricher.js';
export { HttpResponseCache } from './http-cache.js';
export type { HttpCacheEvents } from './http-cache.js';
export { CommandEnricher, COMMAND_STDERR_QUOTE_BYTES } from './command-enricher.js';
export type { CommandEnricherOptions, CommandOutput } from './command-enricher.js';

// Custom types (§6) and the enrichers file (§7).
export { BUILTIN_TYPES, lookupBuiltin, registerBuiltin } from './registry.js';
export type { EnricherBuildContext, EnricherFactory } from './registry.js';
export { loadEnrichersFile, parseEnrichersConfig } from './config.js';
export type { EnrichmentLoadOptions } from './config.js';
