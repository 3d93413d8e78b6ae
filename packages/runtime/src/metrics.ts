// The metrics plug-in surface (spec 05 §9): optional hook methods the runtime and the packages above it call.
// Knows nothing about Prometheus; the daemon maps each hook to a `tsigma_*` metric (spec 10 §8).

/** Batch phases timed by LogProcessor (`dispatch` is timed by the caller that writes to sinks). */
export type BatchPhase = 'parse' | 'decode_merge' | 'evaluate' | 'result_merge' | 'dispatch';

/**
 * Every method is optional and callers use optional calls (`metrics.onParseError?.()`), so an implementation
 * provides only what it records. Levels that a rule lacks are reported as `unknown`.
 *
 * @example
 * const metrics: MetricsHook = { onEventsProcessed: (n) => { processed += n } };
 * const processor = new LogProcessor(engine, metrics);
 */
export interface MetricsHook {
  // --- evaluation (LogProcessor) ---
  /** One line (or one filter output) that could not become an event. */
  onParseError?(): void;
  /** Events evaluated in a batch. */
  onEventsProcessed?(n: number): void;
  onDetectionMatches?(n: number): void;
  onCorrelationMatches?(n: number): void;
  onDetectionMatchDetail?(ruleTitle: string, level: string): void;
  onCorrelationMatchDetail?(ruleTitle: string, level: string, correlationType: string): void;
  /** Evaluate-phase seconds divided by the number of events, once per event. */
  observeProcessingLatency?(seconds: number): void;
  observeBatchPhaseDuration?(phase: BatchPhase, seconds: number): void;
  observeBatchSize?(n: number): void;
  /** Seconds from receiving an event to its results reaching every sink. */
  observePipelineLatency?(seconds: number): void;
  setCorrelationStateEntries?(n: number): void;

  // --- queues, back-pressure, dead letters (spawnSource, runPipeline) ---
  onInputQueueDepthChange?(delta: number): void;
  onOutputQueueDepthChange?(delta: number): void;
  onBackPressure?(): void;
  onDlqEvent?(): void;

  // --- sinks (label: 'stdout' | 'file:<path>' | 'nats:<subject>') ---
  registerSink?(label: string): void;
  onSinkQueueDepthChange?(label: string, delta: number): void;
  onSinkRetry?(label: string): void;
  onSinkDropped?(label: string): void;
  onSinkDeliveryFailed?(label: string): void;

  // --- dynamic sources (spec 09 §8; these five are the SourceMetrics of @tsigma/sources) ---
  onSourceResolve?(sourceId: string, sourceType: string): void;
  onSourceResolveError?(sourceId: string, errorKind: string): void;
  observeSourceResolveSeconds?(seconds: number): void;
  onSourceCacheHit?(): void;
  setSourceLastResolved?(sourceId: string, unixSeconds: number): void;

  // --- enrichment (spec 07 §8; called by @tsigma/enrichment) ---
  /** An enricher exists (pipeline built): create its `tsigma_enrichment_total` / `_duration_seconds` series at zero. */
  registerEnricher?(enricherId: string, kind: string): void;
  /** An `http` enricher exists: create its `tsigma_enrichment_http_cache_*_total` series at zero. */
  registerHttpEnricherCache?(enricherId: string): void;
  /** One (result, enricher) call ended; `status`: success, skip, error, timeout, drop (`tsigma_enrichment_total`, `_duration_seconds`). */
  onEnrichmentCompleted?(enricherId: string, kind: string, status: string, seconds: number): void;
  /** +1 when an enrichment call starts, -1 when it ends (`tsigma_enrichment_queue_depth`). */
  onEnrichmentQueueDepthChange?(delta: number): void;
  /** A response served from an `http` enricher's cache, or joined to a request already in flight. */
  onEnrichmentHttpCacheHit?(enricherId: string): void;
  /** An `http` enricher had to send a request. */
  onEnrichmentHttpCacheMiss?(enricherId: string): void;
  /** A cached response was found older than `cache_ttl` and removed (also counted as a miss). */
  onEnrichmentHttpCacheExpiration?(enricherId: string): void;

  // --- alert pipeline (spec 08 §9) ---
  /** One result or summary through dedup; `action`: emitted, folded, repeat, resolved (`tsigma_dedup_results_total`). */
  onAlertPipelineResult?(action: string): void;
  setAlertPipelineStoreEntries?(n: number): void;
  /** An active alert left the store because it resolved. */
  onAlertPipelineEviction?(): void;
  /**
   * A new fingerprint met a store already at `max_active_alerts` and passed un-deduplicated (not in spec 08 §9: it
   * makes a flood of unique fingerprints visible; suggested name `tsigma_dedup_overflow_total`).
   */
  onAlertPipelineDedupOverflow?(): void;
  onAlertPipelineSummaryEmitted?(): void;
  setIncidentsOpen?(n: number): void;
  onIncidentEmitted?(trigger: string): void;
  onAlertPipelineOvermerge?(guard: string): void;
  onAlertPipelineSilenced?(): void;
  setSilencesActive?(n: number): void;
  setInhibitSourcesActive?(n: number): void;
  onAlertPipelineInhibited?(rule: string): void;
  observeAlertPipelineDuration?(seconds: number): void;
}

/**
 * The hook that records nothing: the default everywhere a MetricsHook is optional. A class (spec 05 §9:
 * `new NoopMetrics()`) so embedders can extend it and override only the hooks they record.
 */
export class NoopMetrics implements MetricsHook {}
