// Prometheus metrics of tsigmad (spec 10 §8, 08 §9, 09 §8): one dedicated prom-client registry, every family with a
// fixed label set pre-registered at zero, and the runtime's MetricsHook mapped onto it.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsHook } from '@tsigma/runtime';

const P = 'tsigma_';

/** The daemon's registry and the MetricsHook feeding it, plus the few counters the daemon itself updates. */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly hook: MetricsHook;
  /** Plain counts mirrored for `/api/v1/status`. */
  readonly totals = {
    eventsProcessed: 0,
    detectionMatches: 0,
    correlationMatches: 0,
    backPressure: 0,
    sourceResolves: 0,
    sourceErrors: 0,
    sourceCacheHits: 0,
  };
  readonly reloads: Counter;
  readonly reloadsFailed: Counter;
  readonly apiAuthFailures: Counter<'reason'>;
  readonly otlpRequests: Counter<'transport' | 'encoding'>;
  readonly otlpRecords: Counter;
  readonly otlpErrors: Counter<'transport' | 'reason'>;
  readonly backPressure: Counter;
  readonly natsRedelivered: Counter;
  readonly stateSaveErrors: Counter;
  readonly detectionRules: Gauge;
  readonly correlationRules: Gauge;
  readonly correlationStateEntries: Gauge;
  private readonly started = Date.now();

  constructor() {
    const r = this.registry;
    const counter = <L extends string = string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> =>
      new Counter<L>({ name: P + name, help, labelNames, registers: [r] });
    const gauge = <L extends string = string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> =>
      new Gauge<L>({ name: P + name, help, labelNames, registers: [r] });
    const histogram = <L extends string = string>(
      name: string,
      help: string,
      labelNames: readonly L[] = [],
      buckets?: number[],
    ): Histogram<L> =>
      new Histogram<L>({ name: P + name, help, labelNames, registers: [r], ...(buckets === undefined ? {} : { buckets }) });

    const eventsProcessed = counter('events_processed_total', 'Events evaluated.');
    const parseErrors = counter('events_parse_errors_total', 'Input lines that could not be decoded.');
    const detections = counter('detection_matches_total', 'Detection results.');
    const correlations = counter('correlation_matches_total', 'Correlation results.');
    const detectionsByRule = counter('detection_matches_by_rule_total', 'Detection results by rule.', ['rule_title', 'level']);
    const correlationsByRule = counter('correlation_matches_by_rule_total', 'Correlation results by rule.', [
      'rule_title',
      'level',
      'correlation_type',
    ]);
    this.detectionRules = gauge('detection_rules_loaded', 'Detection rules loaded.');
    this.correlationRules = gauge('correlation_rules_loaded', 'Correlation rules loaded.');
    this.correlationStateEntries = gauge('correlation_state_entries', 'Correlation windows held.');
    this.reloads = counter('reloads_total', 'Reloads run.');
    this.reloadsFailed = counter('reloads_failed_total', 'Reloads with at least one failed step.');
    const started = this.started;
    new Gauge({
      name: P + 'uptime_seconds',
      help: 'Seconds since start (set at scrape).',
      registers: [r],
      collect() {
        this.set((Date.now() - started) / 1000);
      },
    });
    const inputDepth = gauge('input_queue_depth', 'Events waiting in the input channel.');
    const outputDepth = gauge('output_queue_depth', 'Results waiting for the sinks.');
    this.backPressure = counter('back_pressure_events_total', 'Times a producer waited for room in a full channel.');
    const dlq = counter('dlq_events_total', 'Dead letters committed.');
    const processing = histogram(
      'event_processing_seconds',
      'Evaluation seconds per event.',
      [],
      [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    );
    const latency = histogram('pipeline_latency_seconds', 'Seconds from receiving an event to its results reaching every sink.');
    const phase = histogram('batch_phase_duration_seconds', 'Seconds per batch phase.', ['phase']);
    const batchSize = histogram('batch_size', 'Events per engine batch.', [], [1, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]);
    const sinkDepth = gauge('sink_queue_depth', 'Items queued per sink.', ['sink']);
    const sinkRetries = counter('sink_retries_total', 'Sink delivery retries.', ['sink']);
    const sinkDropped = counter('sink_dropped_total', 'Items dropped by a full on_full=drop sink.', ['sink']);
    const sinkFailures = counter('sink_delivery_failures_total', 'Items whose delivery failed after every retry.', ['sink']);
    this.natsRedelivered = counter('nats_redelivered_total', 'NATS messages delivered more than once.');
    this.apiAuthFailures = counter('api_auth_failures_total', 'API requests refused for a missing or wrong token.', ['reason']);
    this.otlpRequests = counter('otlp_requests_total', 'OTLP requests received.', ['transport', 'encoding']);
    this.otlpRecords = counter('otlp_log_records_total', 'OTLP log records received.');
    this.otlpErrors = counter('otlp_errors_total', 'OTLP requests refused.', ['transport', 'reason']);
    this.stateSaveErrors = counter('state_save_errors_total', 'State database saves that failed.');
    for (const phaseName of ['parse', 'decode_merge', 'evaluate', 'result_merge', 'dispatch']) phase.zero({ phase: phaseName });
    for (const encoding of ['json', 'protobuf']) this.otlpRequests.inc({ transport: 'http', encoding }, 0);
    for (const reason of ['unsupported_content_type', 'decompression', 'decode', 'channel_closed'])
      this.otlpErrors.inc({ transport: 'http', reason }, 0);

    // Dynamic sources (09 §8).
    const srcResolves = counter('source_resolves_total', 'Source resolutions.', ['source_id', 'source_type']);
    const srcErrors = counter('source_resolve_errors_total', 'Failed source resolutions.', ['source_id', 'error_kind']);
    const srcSeconds = histogram('source_resolve_seconds', 'Seconds per source resolution.');
    const srcHits = counter('source_cache_hits_total', 'Source values served from the cache.');
    const srcLast = gauge('source_last_resolved_timestamp', 'Unix time of the last successful resolution.', ['source_id']);

    // Alert pipeline (08 §9).
    const dedupResults = counter('dedup_results_total', 'Results through deduplication.', ['action']);
    for (const action of ['emitted', 'folded', 'repeat', 'resolved']) dedupResults.inc({ action }, 0);
    const dedupEntries = gauge('dedup_store_entries', 'Active alerts.');
    const dedupEvictions = counter('dedup_evictions_total', 'Active alerts that resolved.');
    const dedupSummaries = counter('dedup_summaries_emitted_total', 'Dedup summaries emitted.');
    const dedupOverflow = counter('dedup_overflow_total', 'New fingerprints passed un-deduplicated at max_active_alerts.');
    const incidentsOpen = gauge('incidents_open', 'Open incidents.');
    const incidentsEmitted = counter('incidents_emitted_total', 'Incident emissions.', ['trigger']);
    for (const trigger of ['group_wait', 'group_interval', 'repeat', 'resolved']) incidentsEmitted.inc({ trigger }, 0);
    const incidentResults = counter('incident_results_total', 'Incident records emitted.');
    const overmerge = counter('incident_overmerge_total', 'Incident merges refused by a guard.', ['guard']);
    for (const guard of ['stop_value', 'cardinality_ceiling']) overmerge.inc({ guard }, 0);
    const silenced = counter('silenced_total', 'Results dropped by a silence.');
    const silencesActive = gauge('silences_active', 'Active silences.');
    const inhibitActive = gauge('inhibit_sources_active', 'Active inhibition sources.');
    const inhibited = counter('inhibited_total', 'Results dropped by inhibition.', ['rule']);
    const apDuration = histogram('alert_pipeline_duration_seconds', 'Seconds per alert pipeline call.');

    // Enrichment (07 §8): series per enricher, created at zero when a pipeline is built (registerEnricher).
    const enrichTotal = counter('enrichment_total', 'Enrichment calls by outcome.', ['enricher_id', 'kind', 'status']);
    const enrichSeconds = histogram(
      'enrichment_duration_seconds',
      'Seconds per enrichment call.',
      ['enricher_id', 'kind'],
      [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    );
    const enrichDepth = gauge('enrichment_queue_depth', 'Enrichment calls in flight.');
    const enrichHits = counter('enrichment_http_cache_hits_total', 'HTTP enricher responses served from the cache.', ['enricher_id']);
    const enrichMisses = counter('enrichment_http_cache_misses_total', 'HTTP enricher requests sent.', ['enricher_id']);
    const enrichExpired = counter('enrichment_http_cache_expirations_total', 'HTTP enricher cache entries expired.', ['enricher_id']);

    const totals = this.totals;
    const backPressure = this.backPressure;
    const entries = this.correlationStateEntries;
    this.hook = {
      onParseError: () => parseErrors.inc(),
      onEventsProcessed: (n) => {
        totals.eventsProcessed += n;
        eventsProcessed.inc(n);
      },
      onDetectionMatches: (n) => {
        totals.detectionMatches += n;
        detections.inc(n);
      },
      onCorrelationMatches: (n) => {
        totals.correlationMatches += n;
        correlations.inc(n);
      },
      onDetectionMatchDetail: (rule_title, level) => detectionsByRule.inc({ rule_title, level }),
      onCorrelationMatchDetail: (rule_title, level, correlation_type) => correlationsByRule.inc({ rule_title, level, correlation_type }),
      observeProcessingLatency: (s) => processing.observe(s),
      observeBatchPhaseDuration: (p, s) => phase.observe({ phase: p }, s),
      observeBatchSize: (n) => batchSize.observe(n),
      observePipelineLatency: (s) => latency.observe(s),
      setCorrelationStateEntries: (n) => entries.set(n),
      onInputQueueDepthChange: (d) => inputDepth.inc(d),
      onOutputQueueDepthChange: (d) => outputDepth.inc(d),
      onBackPressure: () => {
        totals.backPressure++;
        backPressure.inc();
      },
      onDlqEvent: () => dlq.inc(),
      registerSink: (sink) => {
        sinkDepth.set({ sink }, 0);
        sinkRetries.inc({ sink }, 0);
        sinkDropped.inc({ sink }, 0);
        sinkFailures.inc({ sink }, 0);
      },
      onSinkQueueDepthChange: (sink, d) => sinkDepth.inc({ sink }, d),
      onSinkRetry: (sink) => sinkRetries.inc({ sink }),
      onSinkDropped: (sink) => sinkDropped.inc({ sink }),
      onSinkDeliveryFailed: (sink) => sinkFailures.inc({ sink }),
      onSourceResolve: (source_id, source_type) => {
        totals.sourceResolves++;
        srcResolves.inc({ source_id, source_type });
      },
      onSourceResolveError: (source_id, error_kind) => {
        totals.sourceErrors++;
        srcErrors.inc({ source_id, error_kind });
      },
      observeSourceResolveSeconds: (s) => srcSeconds.observe(s),
      onSourceCacheHit: () => {
        totals.sourceCacheHits++;
        srcHits.inc();
      },
      setSourceLastResolved: (source_id, t) => srcLast.set({ source_id }, t),
      onAlertPipelineResult: (action) => dedupResults.inc({ action }),
      setAlertPipelineStoreEntries: (n) => dedupEntries.set(n),
      onAlertPipelineEviction: () => dedupEvictions.inc(),
      onAlertPipelineDedupOverflow: () => dedupOverflow.inc(),
      onAlertPipelineSummaryEmitted: () => dedupSummaries.inc(),
      setIncidentsOpen: (n) => incidentsOpen.set(n),
      onIncidentEmitted: (trigger) => {
        incidentsEmitted.inc({ trigger });
        incidentResults.inc();
      },
      onAlertPipelineOvermerge: (guard) => overmerge.inc({ guard }),
      onAlertPipelineSilenced: () => silenced.inc(),
      setSilencesActive: (n) => silencesActive.set(n),
      setInhibitSourcesActive: (n) => inhibitActive.set(n),
      onAlertPipelineInhibited: (rule) => inhibited.inc({ rule }),
      observeAlertPipelineDuration: (s) => apDuration.observe(s),
      registerEnricher: (enricher_id, kind) => {
        for (const status of ['success', 'skip', 'error', 'timeout', 'drop']) enrichTotal.inc({ enricher_id, kind, status }, 0);
        enrichSeconds.zero({ enricher_id, kind });
      },
      registerHttpEnricherCache: (enricher_id) => {
        enrichHits.inc({ enricher_id }, 0);
        enrichMisses.inc({ enricher_id }, 0);
        enrichExpired.inc({ enricher_id }, 0);
      },
      onEnrichmentCompleted: (enricher_id, kind, status, seconds) => {
        enrichTotal.inc({ enricher_id, kind, status });
        enrichSeconds.observe({ enricher_id, kind }, seconds);
      },
      onEnrichmentQueueDepthChange: (delta) => enrichDepth.inc(delta),
      onEnrichmentHttpCacheHit: (enricher_id) => enrichHits.inc({ enricher_id }),
      onEnrichmentHttpCacheMiss: (enricher_id) => enrichMisses.inc({ enricher_id }),
      onEnrichmentHttpCacheExpiration: (enricher_id) => enrichExpired.inc({ enricher_id }),
    };
  }

  /** Seeds the auth-failure reasons (only with `--api-token-env`). */
  enableAuthMetrics(): void {
    for (const reason of ['missing', 'invalid']) this.apiAuthFailures.inc({ reason }, 0);
  }

  setRuleCounts(detection: number, correlation: number): void {
    this.detectionRules.set(detection);
    this.correlationRules.set(correlation);
  }

  get uptimeSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}
