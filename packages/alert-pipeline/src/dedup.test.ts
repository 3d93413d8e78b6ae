import type { CorrelationResult } from '@tsigma/eval';
import { Selector } from '@tsigma/runtime';
import { describe, expect, it } from 'vitest';
import { detection, recordingMetrics } from '../test/builders.js';
import { parseAlertPipelineConfig } from './config.js';
import { fingerprintOf, withoutEvents } from './dedup.js';
import { AlertPipelineState } from './state.js';

describe('fingerprintOf', () => {
  it('always includes the rule key; absent values differ from empty ones', () => {
    const sel = [Selector.parse('match.User')];
    const a = fingerprintOf(sel, detection('x'));
    const b = fingerprintOf(sel, detection('x', 'high', { matched_fields: [{ field: 'User', value: '' }] }));
    const c = fingerprintOf(sel, detection('x', 'high', { rule_id: 'rule-2' }));
    expect(new Set([a, b, c]).size).toBe(3);
    // Without an id the title is the rule key.
    expect(fingerprintOf([], detection('x', 'high', { rule_id: null, rule_title: 'rule-1' }))).toBe(fingerprintOf([], detection('y')));
  });
});

describe('withoutEvents', () => {
  it('drops event payloads and copies enrichments, leaving the input alone', () => {
    const corr: CorrelationResult = {
      rule_title: 'c',
      rule_id: null,
      level: null,
      author: null,
      tags: [],
      correlation_type: 'event_count',
      group_key: [],
      aggregated_value: 3,
      timespan_secs: 60,
      events: [{}],
      event_refs: [{ timestamp: 1 }],
      enrichments: { a: 1 },
    };
    const copy = withoutEvents(corr);
    expect(copy).not.toHaveProperty('events');
    expect(copy).not.toHaveProperty('event_refs');
    (copy.enrichments as Record<string, unknown>)['b'] = 2;
    expect(corr.enrichments).toEqual({ a: 1 });
    expect(corr.events).toHaveLength(1);
  });
});

describe('dedup stage', () => {
  it('max_active_alerts bounds a flood of unique fingerprints: the rest pass through and are counted', () => {
    const p = parseAlertPipelineConfig('dedup:\n  fingerprint: [match.SourceIp]\n  max_active_alerts: 3\n');
    const st = new AlertPipelineState();
    const m = recordingMetrics();
    const flood = Array.from({ length: 10 }, (_, i) => detection(`10.0.0.${i}`));
    expect(p.process(flood, st, 0, m)).toHaveLength(10);
    expect(st.dedup.size).toBe(3);
    expect(m.count('onAlertPipelineDedupOverflow()')).toBe(7);
    expect(m.count('onAlertPipelineResult(emitted)')).toBe(10);
    // Known fingerprints still fold; the overflowed ones are not remembered.
    expect(p.process([detection('10.0.0.0'), detection('10.0.0.9')], st, 1, m)).toHaveLength(1);
    // Once alerts resolve, room opens again.
    p.tick(st, 3601, m);
    expect(st.dedup.size).toBe(0);
    p.process([detection('10.0.0.9')], st, 3602, m);
    expect(st.dedup.size).toBe(1);
  });

  it('repeat needs something folded since the last emission; repeat_interval 0 never re-emits', () => {
    const p = parseAlertPipelineConfig('dedup:\n  fingerprint: [rule]\n  repeat_interval: 10s\n  resolve_timeout: 1h\n');
    const st = new AlertPipelineState();
    p.process([detection('a')], st, 0);
    expect(p.tick(st, 20).dedupLines).toEqual([]); // nothing folded
    p.process([detection('a')], st, 21);
    expect(p.tick(st, 25).dedupLines.map((r) => r.enrichments?.['dedup_fire_count'])).toEqual([2]);
    p.process([detection('a')], st, 26);
    expect(p.tick(st, 30).dedupLines).toEqual([]); // 5 s since the last emission
    expect(p.tick(st, 35).dedupLines).toHaveLength(1);

    const never = parseAlertPipelineConfig('dedup:\n  fingerprint: [rule]\n');
    const st2 = new AlertPipelineState();
    for (let t = 0; t < 100; t += 10) never.process([detection('a')], st2, t);
    expect(never.tick(st2, 100).dedupLines).toEqual([]);
  });

  it('a resolved record carries the first sample (no event, no incident_id) and the fingerprint fields', () => {
    const p = parseAlertPipelineConfig(
      'dedup:\n  fingerprint: [match.SourceIp, match.User]\n  resolve_timeout: 10s\ngroup:\n  by: [rule]\n',
    );
    const st = new AlertPipelineState();
    p.process([detection('10.0.0.1')], st, 0);
    const [line] = p.tick(st, 10).dedupLines;
    expect(line).toMatchObject({ rule_id: 'rule-1', matched_fields: [{ field: 'SourceIp', value: '10.0.0.1' }] });
    expect(line).not.toHaveProperty('event');
    expect(line?.enrichments).toEqual({
      dedup_state: 'resolved',
      dedup_fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
      dedup_fire_count: 1,
      dedup_first_seen: 0,
      dedup_last_seen: 0,
      dedup_fields: { 'match.SourceIp': '10.0.0.1', 'match.User': null },
    });
  });
});
