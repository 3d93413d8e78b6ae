// Results and a recording MetricsHook for the tests of @tsigma/enrichment.
import type { CorrelationResult, DetectionResult, Logger } from '@tsigma/eval';
import type { MetricsHook } from '@tsigma/runtime';

export function detection(fields: Record<string, string> = {}, extra: Partial<DetectionResult> = {}): DetectionResult {
  return {
    rule_title: 'Suspicious Logon',
    rule_id: 'rule-1',
    level: 'high',
    author: null,
    tags: ['attack.t1078'],
    matched_selections: ['selection'],
    matched_fields: Object.entries(fields).map(([field, value]) => ({ field, value })),
    ...extra,
  };
}

export function correlation(extra: Partial<CorrelationResult> = {}): CorrelationResult {
  return {
    rule_title: 'Many Failed Logons',
    rule_id: 'corr-1',
    level: 'high',
    author: null,
    tags: [],
    correlation_type: 'event_count',
    group_key: [['Computer', 'dc01']],
    aggregated_value: 12,
    timespan_secs: 300,
    ...extra,
  };
}

/** Every hook call as `name(arg,...)`; durations are left out so calls compare exactly. */
export function recordingMetrics(): MetricsHook & { calls: string[]; statuses(id: string): string[] } {
  const calls: string[] = [];
  const rec =
    (name: string) =>
    (...args: unknown[]): void => {
      calls.push(`${name}(${args.join(',')})`);
    };
  return {
    calls,
    statuses: (id) =>
      calls.filter((c) => c.startsWith(`onEnrichmentCompleted(${id},`)).map((c) => (c.split(',')[2] as string).replace(')', '')),
    registerEnricher: rec('registerEnricher'),
    registerHttpEnricherCache: rec('registerHttpEnricherCache'),
    onEnrichmentCompleted: (id, kind, status) => calls.push(`onEnrichmentCompleted(${id},${kind},${status})`),
    onEnrichmentQueueDepthChange: rec('onEnrichmentQueueDepthChange'),
    onEnrichmentHttpCacheHit: rec('onEnrichmentHttpCacheHit'),
    onEnrichmentHttpCacheMiss: rec('onEnrichmentHttpCacheMiss'),
    onEnrichmentHttpCacheExpiration: rec('onEnrichmentHttpCacheExpiration'),
  };
}

/** A logger that keeps warnings. */
export function warnings(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const ignore = (): void => {};
  return { lines, debug: ignore, info: ignore, error: ignore, warn: (m) => lines.push(m) };
}
