// The stages end to end on a simulated clock: every test of seed 003 (rsigma's alert_pipeline/mod.rs) and of
// spec 08 §10, in this package's words.

import type { DetectionResult, EvaluationResult } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { counterIds, detection, entityDetection, recordingMetrics } from '../test/builders.js';
import { parseAlertPipelineConfig } from './config.js';
import { fingerprintOf } from './dedup.js';
import type { AlertPipeline } from './pipeline.js';
import { AlertPipelineState } from './state.js';
import { Selector } from '@tsigma/runtime';

function setup(yaml: string): { p: AlertPipeline; st: AlertPipelineState } {
  const p = parseAlertPipelineConfig(yaml, 'test.yml');
  const st = new AlertPipelineState({ newId: counterIds() });
  p.install(st);
  return { p, st };
}

function run(p: AlertPipeline, st: AlertPipelineState, r: EvaluationResult, now: number): EvaluationResult[] {
  return p.process([r], st, now);
}

function incidentIdOf(r: EvaluationResult | undefined): unknown {
  return r?.enrichments?.['incident_id'];
}

describe('seed 003: alert pipeline module tests', () => {
  it('dedup lets the first firing through and folds the repeat', () => {
    const { p, st } = setup('dedup:\n  fingerprint: [match.SourceIp]\n  resolve_timeout: 1h\n');
    expect(run(p, st, detection('10.0.0.1'), 0)).toHaveLength(1);
    expect(run(p, st, detection('10.0.0.1'), 5)).toEqual([]);
    expect(st.dedup.get(fingerprintOf([Selector.parse('match.SourceIp')], detection('10.0.0.1')))?.fireCount).toBe(2);
  });

  it('results outside the scope skip every stage', () => {
    const { p, st } = setup('scope:\n  levels: [critical]\ndedup:\n  fingerprint: [match.SourceIp]\n');
    expect(run(p, st, detection('10.0.0.1', 'high'), 0)).toHaveLength(1);
    expect(run(p, st, detection('10.0.0.1', 'high'), 1)).toHaveLength(1);
    expect(st.dedup.size).toBe(0);
    // An in-scope result of the same shape is deduplicated.
    expect(run(p, st, detection('10.0.0.1', 'critical'), 2)).toHaveLength(1);
    expect(st.dedup.size).toBe(1);
  });

  it('grouping sets enrichments.incident_id and emits the incident once group_wait has passed', () => {
    const { p, st } = setup('group:\n  by: [match.SourceIp]\n  group_wait: 30s\n  resolve_timeout: 1h\n');
    const kept = run(p, st, detection('10.0.0.1'), 0);
    expect(kept).toHaveLength(1);
    const id = incidentIdOf(kept[0]);
    expect(typeof id === 'string' && id.length > 0).toBe(true);
    expect(p.tick(st, 10).incidents).toEqual([]);
    const out = p.tick(st, 40);
    expect(out.incidents).toHaveLength(1);
    expect(out.incidents[0]?.incident_id).toBe(id);
    expect(out.incidents[0]?.trigger).toBe('group_wait');
  });

  it('dedup then grouping: the repeat is folded before it can reach grouping', () => {
    const { p, st } = setup(
      'dedup:\n  fingerprint: [rule, match.SourceIp]\n  resolve_timeout: 1h\ngroup:\n  by: [match.SourceIp]\n  group_wait: 0s\n',
    );
    const first = run(p, st, detection('10.0.0.1'), 0);
    expect(first).toHaveLength(1);
    expect(first[0]?.enrichments).toHaveProperty('incident_id');
    expect(run(p, st, detection('10.0.0.1'), 1)).toEqual([]);
    expect(st.incidents.size).toBe(1);
    expect(p.tick(st, 1).incidents[0]?.result_count).toBe(1);
  });

  it('strip_event removes the event after grouping read event.raw', () => {
    const { p, st } = setup('strip_event: true\ngroup:\n  by: [event.raw]\n  group_wait: 0s\n');
    const kept = run(p, st, detection('10.0.0.1'), 0);
    expect(kept).toHaveLength(1);
    expect((kept[0] as DetectionResult).event).toBeUndefined();
    expect(st.incidents.size).toBe(1);
    expect(p.tick(st, 0).incidents[0]?.group_by).toEqual({ 'event.raw': 'event' });
  });

  it('inhibition drops a target while a source with the same equal values is active', () => {
    const { p, st } = setup(
      [
        'inhibit_rules:',
        '  - name: crit',
        '    source_match:',
        '      - selector: level',
        '        op: "="',
        '        value: critical',
        '    target_match:',
        '      - selector: level',
        '        op: "="',
        '        value: high',
        '    equal: [match.SourceIp]',
        '    duration: 5m',
      ].join('\n'),
    );
    expect(run(p, st, detection('10.0.0.1', 'critical'), 0)).toHaveLength(1);
    expect(run(p, st, detection('10.0.0.1', 'high'), 1)).toEqual([]);
    expect(run(p, st, detection('10.0.0.2', 'high'), 2)).toHaveLength(1);
    // Once the source is older than the duration, the target passes again.
    expect(run(p, st, detection('10.0.0.1', 'high'), 300)).toHaveLength(1);
  });

  it('a snapshot round-trips through JSON and prunes what expired by the restore time', () => {
    const yaml =
      'dedup:\n  fingerprint: [match.SourceIp]\n  resolve_timeout: 1h\ngroup:\n  by: [match.SourceIp]\n  group_wait: 1h\n  resolve_timeout: 1h\n';
    const { p, st } = setup(yaml);
    run(p, st, detection('10.0.0.1'), 100);
    st.silences.add({ matchers: [{ selector: 'rule', op: '=', value: 'other' }] }, 'api', p.maxSilences, 100);
    expect(st.dedup.size).toBe(1);
    expect(st.incidents.size).toBe(1);
    const json = JSON.stringify(p.snapshot(st));

    const fresh = new AlertPipelineState();
    expect(p.restore(fresh, JSON.parse(json), 200)).toBe(true);
    expect(fresh.dedup.size).toBe(1);
    expect(fresh.incidents.size).toBe(1);
    expect(fresh.silences.apiSnapshot()).toHaveLength(1);
    expect(run(p, fresh, detection('10.0.0.1'), 250)).toEqual([]);

    const aged = new AlertPipelineState();
    expect(p.restore(aged, JSON.parse(json), 100 + 3600 + 5)).toBe(true);
    expect(aged.dedup.size).toBe(0);
    expect(aged.incidents.size).toBe(0);
  });

  it('a static silence mutes matching results before dedup sees them', () => {
    const { p, st } = setup(
      'silences:\n  - matchers:\n      - selector: match.SourceIp\n        op: "="\n        value: 10.0.0.1\ndedup:\n  fingerprint: [match.SourceIp]\n',
    );
    expect(run(p, st, detection('10.0.0.1'), 0)).toEqual([]);
    expect(run(p, st, detection('10.0.0.2'), 0)).toHaveLength(1);
    expect(st.dedup.size).toBe(1);
  });
});

describe('spec 08 §10', () => {
  it('1. dedup on match.SourceIp: t=0 passes, t=5 is dropped', () => {
    const { p, st } = setup('dedup:\n  fingerprint: [match.SourceIp]\n');
    const m = recordingMetrics();
    expect(p.process([detection('10.0.0.1')], st, 0, m)).toHaveLength(1);
    expect(p.process([detection('10.0.0.1')], st, 5, m)).toEqual([]);
    expect(m.count('onAlertPipelineResult(emitted)')).toBe(1);
    expect(m.count('onAlertPipelineResult(folded)')).toBe(1);
    expect(m.calls).toContain('setAlertPipelineStoreEntries(1)');
  });

  it('2. scope.levels [critical]: high results pass and the dedup store stays empty', () => {
    const { p, st } = setup('scope:\n  levels: [critical]\ndedup:\n  fingerprint: [match.SourceIp]\n');
    expect(p.process([detection('10.0.0.1'), detection('10.0.0.1')], st, 0)).toHaveLength(2);
    expect(st.dedup.size).toBe(0);
  });

  it('3. group_wait 30s: incident_id at t=0, nothing at tick(10), the incident at tick(40)', () => {
    const { p, st } = setup('group:\n  by: [match.SourceIp]\n  group_wait: 30s\n');
    const m = recordingMetrics();
    const id = incidentIdOf(p.process([detection('10.0.0.1')], st, 0, m)[0]);
    expect(id).toBe('383cec03aede7b76'); // the id of spec 08 §7's IncidentResult example
    expect(p.tick(st, 10, m)).toEqual({ dedupLines: [], incidents: [] });
    const out = p.tick(st, 40, m);
    expect(out.incidents).toEqual([
      {
        incident_id: id,
        state: 'open',
        trigger: 'group_wait',
        first_seen: 0,
        last_seen: 0,
        max_level: 'high',
        result_count: 1,
        rule_counts: { 'rule-1': 1 },
        group_by: { 'match.SourceIp': '10.0.0.1' },
        refs: [{ rule: 'rule-1', level: 'high' }],
      },
    ]);
    expect(m.count('onIncidentEmitted(group_wait)')).toBe(1);
    expect(m.calls).toContain('setIncidentsOpen(1)');
  });

  it('4. dedup + group: the first fire carries incident_id; a duplicate at t=1 folds and opens nothing', () => {
    const { p, st } = setup('dedup:\n  fingerprint: [match.SourceIp]\ngroup:\n  by: [match.SourceIp]\n');
    expect(incidentIdOf(run(p, st, detection('10.0.0.1'), 0)[0])).toBeDefined();
    expect(run(p, st, detection('10.0.0.1'), 1)).toEqual([]);
    expect(st.incidents.size).toBe(1);
  });

  it('5. strip_event with group.by [event.raw]: no event delivered, one incident', () => {
    const { p, st } = setup('strip_event: true\ngroup:\n  by: [event.raw]\n');
    const [kept] = run(p, st, detection('10.0.0.1'), 0);
    expect(kept).toBeDefined();
    expect(kept).not.toHaveProperty('event');
    expect(st.incidents.size).toBe(1);
  });

  it('6. critical-inhibits-high with equal [match.SourceIp]; a result matching both sets never inhibits itself', () => {
    const yaml = [
      'inhibit_rules:',
      '  - name: critical-inhibits-high',
      '    source_match: [{ selector: level, op: "=", value: critical }]',
      '    target_match: [{ selector: level, op: "=", value: high }]',
      '    equal: [match.SourceIp]',
    ].join('\n');
    const { p, st } = setup(yaml);
    const m = recordingMetrics();
    expect(p.process([detection('10.0.0.1', 'critical')], st, 0, m)).toHaveLength(1);
    expect(p.process([detection('10.0.0.1', 'high')], st, 1, m)).toEqual([]);
    expect(p.process([detection('10.0.0.2', 'high')], st, 2, m)).toHaveLength(1);
    expect(m.count('onAlertPipelineInhibited(critical-inhibits-high)')).toBe(1);

    const both = setup(
      [
        'inhibit_rules:',
        '  - name: both',
        '    source_match: [{ selector: rule, value: rule-1 }]',
        '    target_match: [{ selector: level, op: "=~", value: "high|critical" }]',
      ].join('\n'),
    );
    // Each of these matches source and target: recorded as sources, never dropped.
    expect(both.p.process([detection('10.0.0.1', 'high'), detection('10.0.0.1', 'high')], both.st, 0)).toHaveLength(2);
    // A target that is not also a source is dropped while that source is active.
    const target = detection('10.0.0.1', 'high', { rule_id: 'rule-2' });
    expect(both.p.process([target], both.st, 1)).toEqual([]);
  });

  it('7. snapshot at t=100 with an API silence; restore at 200 keeps it all, at 3705 prunes; version 2 is refused', () => {
    const { p, st } = setup('dedup:\n  fingerprint: [match.SourceIp]\ngroup:\n  by: [match.SourceIp]\n  group_wait: 1h\n');
    run(p, st, detection('10.0.0.1'), 100);
    const silence = st.silences.add({ matchers: [{ selector: 'rule', value: 'other' }], comment: 'maint' }, 'api', 10, 100);
    const snap = JSON.parse(JSON.stringify(p.snapshot(st))) as Record<string, unknown>;
    expect(snap['version']).toBe(1);

    const at200 = new AlertPipelineState();
    expect(p.restore(at200, snap, 200)).toBe(true);
    expect([at200.dedup.size, at200.incidents.size, at200.silences.apiCount]).toEqual([1, 1, 1]);
    expect(at200.silences.list(200)[0]).toMatchObject({ id: silence.id, origin: 'api', state: 'active', comment: 'maint' });
    expect(run(p, at200, detection('10.0.0.1'), 250)).toEqual([]);
    // group_by incidents keep their id across restarts.
    expect(p.openIncidents(at200)[0]?.incident_id).toBe(p.openIncidents(st)[0]?.incident_id);

    const at3705 = new AlertPipelineState();
    expect(p.restore(at3705, snap, 3705)).toBe(true);
    expect([at3705.dedup.size, at3705.incidents.size]).toEqual([0, 0]);

    const warnings: string[] = [];
    const other = new AlertPipelineState({
      logger: { debug() {}, info() {}, error() {}, warn: (msg, f) => warnings.push(`${msg} ${JSON.stringify(f)}`) },
    });
    expect(p.restore(other, { ...snap, version: 2 }, 200)).toBe(false);
    expect(other.dedup.size).toBe(0);
    expect(warnings).toEqual(['alert pipeline snapshot ignored: unsupported version {"version":2,"supported":1}']);
  });

  it('8. a static silence on match.SourceIp = 10.0.0.1 drops it; 10.0.0.2 passes; store size 1', () => {
    const { p, st } = setup(
      'dedup:\n  fingerprint: [match.SourceIp]\nsilences:\n  - matchers: [{ selector: match.SourceIp, op: "=", value: 10.0.0.1 }]\n',
    );
    const m = recordingMetrics();
    expect(p.process([detection('10.0.0.1')], st, 0, m)).toEqual([]);
    expect(p.process([detection('10.0.0.2')], st, 0, m)).toHaveLength(1);
    expect(st.dedup.size).toBe(1);
    expect(m.count('onAlertPipelineSilenced()')).toBe(1);
  });

  it('9. repeat_interval 60s: fires at 0, 10, 20 → one repeat at 61 with fire count 3, none at 130, resolved at 3620', () => {
    const { p, st } = setup('dedup:\n  fingerprint: [match.SourceIp]\n  repeat_interval: 60s\n');
    const m = recordingMetrics();
    for (const t of [0, 10, 20]) p.process([detection('10.0.0.1')], st, t, m);
    const at61 = p.tick(st, 61, m).dedupLines;
    expect(at61).toHaveLength(1);
    expect(at61[0]?.enrichments).toEqual({
      dedup_state: 'repeat',
      dedup_fingerprint: 'be3fd29a29845f45',
      dedup_fire_count: 3,
      dedup_first_seen: 0,
      dedup_last_seen: 20,
      dedup_fields: { 'match.SourceIp': '10.0.0.1' },
    });
    expect(at61[0]).not.toHaveProperty('event');
    expect(p.tick(st, 130, m).dedupLines).toEqual([]);
    const at3620 = p.tick(st, 3620, m).dedupLines;
    expect(at3620.map((r) => r.enrichments?.['dedup_state'])).toEqual(['resolved']);
    expect(st.dedup.size).toBe(0);
    expect(m.count('onAlertPipelineResult(repeat)')).toBe(1);
    expect(m.count('onAlertPipelineResult(resolved)')).toBe(1);
    expect(m.count('onAlertPipelineSummaryEmitted()')).toBe(2);
    expect(m.count('onAlertPipelineEviction()')).toBe(1);
  });

  it('10. group_interval 5m: opened at tick(30), a result at 40, nothing at tick(100), group_interval at tick(331)', () => {
    const { p, st } = setup('group:\n  by: [match.SourceIp]\n  group_interval: 5m\n');
    run(p, st, detection('10.0.0.1'), 0);
    expect(p.tick(st, 30).incidents.map((i) => i.trigger)).toEqual(['group_wait']);
    run(p, st, detection('10.0.0.1'), 40);
    expect(p.tick(st, 100).incidents).toEqual([]);
    const at331 = p.tick(st, 331).incidents;
    expect(at331.map((i) => [i.trigger, i.result_count])).toEqual([['group_interval', 2]]);
    expect(p.tick(st, 700).incidents).toEqual([]); // not dirty, no repeat_interval
  });

  it('11. entity_graph: (ip1,u1) and (ip2,u2) open two incidents, (ip1,u2) merges them; "-" never joins', () => {
    const { p, st } = setup('group:\n  mode: entity_graph\n  entities: [match.SourceIp, match.User]\n  stop_values: ["-"]\n');
    const m = recordingMetrics();
    const a = incidentIdOf(p.process([entityDetection('ip1', 'u1')], st, 0, m)[0]);
    const b = incidentIdOf(p.process([entityDetection('ip2', 'u2')], st, 1, m)[0]);
    expect(a).not.toBe(b);
    expect(st.incidents.size).toBe(2);
    const c = incidentIdOf(p.process([entityDetection('ip1', 'u2')], st, 2, m)[0]);
    expect(c).toBe(a);
    expect(st.incidents.size).toBe(1);
    const [merged] = p.openIncidents(st);
    expect(merged).toMatchObject({
      result_count: 3,
      first_seen: 0,
      last_seen: 2,
      entities: { 'match.SourceIp': ['ip1', 'ip2'], 'match.User': ['u1', 'u2'] },
    });

    const d = incidentIdOf(p.process([entityDetection('ip9', '-')], st, 3, m)[0]);
    const e = incidentIdOf(p.process([entityDetection('ip8', '-')], st, 4, m)[0]);
    expect(d).not.toBe(e);
    expect(st.incidents.size).toBe(3);
    expect(m.count('onAlertPipelineOvermerge(stop_value)')).toBe(2);
  });

  it('12. max_value_cardinality 2: a third result on the same ip does not join through it', () => {
    const { p, st } = setup(
      'group:\n  mode: entity_graph\n  entities: [match.SourceIp, match.User]\n  caps:\n    max_value_cardinality: 2\n',
    );
    const m = recordingMetrics();
    const first = incidentIdOf(p.process([entityDetection('ip1', 'u1')], st, 0, m)[0]);
    expect(incidentIdOf(p.process([entityDetection('ip1', 'u2')], st, 1, m)[0])).toBe(first);
    const third = incidentIdOf(p.process([entityDetection('ip1', 'u3')], st, 2, m)[0]);
    expect(third).not.toBe(first);
    expect(m.count('onAlertPipelineOvermerge(cardinality_ceiling)')).toBe(1);
    expect(st.incidents.size).toBe(2);
  });

  it('14. the fingerprint test vector', () => {
    expect(fingerprintOf([Selector.parse('match.SourceIp')], detection('10.0.0.1'))).toBe('be3fd29a29845f45');
  });
});

describe('metrics of spec 08 §9', () => {
  it('tick reports gauges every time and the duration only when it emitted something', () => {
    const { p, st } = setup(
      [
        'group:',
        '  by: [match.SourceIp]',
        '  group_wait: 10s',
        'silences:',
        '  - matchers: [{ selector: level, value: low }]',
        'inhibit_rules:',
        '  - source_match: [{ selector: level, value: critical }]',
        '    target_match: [{ selector: level, value: high }]',
      ].join('\n'),
    );
    const m = recordingMetrics();
    p.process([detection('a', 'critical')], st, 0, m);
    expect(m.calls).toEqual(['setIncidentsOpen(1)', expect.stringMatching(/^observeAlertPipelineDuration\(/) as unknown]);
    m.calls.length = 0;
    p.tick(st, 5, m);
    expect(m.calls).toEqual(['setIncidentsOpen(1)', 'setSilencesActive(1)', 'setInhibitSourcesActive(1)']);
    m.calls.length = 0;
    p.tick(st, 10, m);
    expect(m.calls[0]).toBe('onIncidentEmitted(group_wait)');
    expect(m.calls.at(-1)).toMatch(/^observeAlertPipelineDuration\(/);
    m.calls.length = 0;
    // The inhibition source is older than the default 5m duration: collected.
    p.tick(st, 400, m);
    expect(m.calls).toContain('setInhibitSourcesActive(0)');
  });
});
