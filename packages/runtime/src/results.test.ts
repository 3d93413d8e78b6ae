import type { CorrelationResult, DetectionResult } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { NoopMetrics, type MetricsHook } from './metrics.js';
import { flattenResults } from './results.js';

const header = { rule_id: null, level: null, author: null, tags: [] };
const d1 = { ...header, rule_title: 'a', matched_selections: [], matched_fields: [] } as DetectionResult;
const d2 = { ...header, rule_title: 'b', matched_selections: [], matched_fields: [] } as DetectionResult;
const c1 = {
  ...header,
  rule_title: 'c',
  correlation_type: 'event_count',
  group_key: [],
  aggregated_value: 5,
  timespan_secs: 60,
} as CorrelationResult;

describe('flattenResults', () => {
  it('lists detections first, then correlations, in a new array', () => {
    const pr = { detections: [d1, d2], correlations: [c1] };
    const flat = flattenResults(pr);
    expect(flat).toEqual([d1, d2, c1]);
    flat.pop();
    expect(pr.correlations).toHaveLength(1);
    expect(flattenResults({ detections: [], correlations: [] })).toEqual([]);
  });
});

describe('NoopMetrics', () => {
  it('implements no hook, so optional calls are no-ops', () => {
    const metrics: MetricsHook = new NoopMetrics();
    expect(Object.keys(metrics)).toEqual([]);
    expect(metrics.onParseError).toBeUndefined();
    expect(metrics.onParseError?.()).toBeUndefined();
  });
});
