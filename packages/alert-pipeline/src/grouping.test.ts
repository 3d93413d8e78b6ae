import type { CorrelationResult } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { counterIds, detection, entityDetection, recordingMetrics } from '../test/builders.js';
import { parseAlertPipelineConfig } from './config.js';
import { AlertPipelineState } from './state.js';

function setup(yaml: string) {
  const p = parseAlertPipelineConfig(yaml);
  const st = new AlertPipelineState({ newId: counterIds('inc') });
  p.install(st);
  return { p, st };
}

describe('incident grouping', () => {
  it('runs the whole lifecycle: group_wait, group_interval, repeat, resolved', () => {
    const { p, st } = setup(
      'group:\n  by: [match.SourceIp]\n  group_wait: 10s\n  group_interval: 20s\n  repeat_interval: 100s\n  resolve_timeout: 300s\n',
    );
    const m = recordingMetrics();
    p.process([detection('a')], st, 0, m);
    const triggers = (t: number) => p.tick(st, t, m).incidents.map((i) => `${i.state}/${i.trigger}`);
    expect(triggers(10)).toEqual(['open/group_wait']);
    p.process([detection('a', 'critical')], st, 15, m);
    expect(triggers(29)).toEqual([]);
    expect(triggers(30)).toEqual(['open/group_interval']);
    expect(triggers(129)).toEqual([]);
    expect(triggers(130)).toEqual(['open/repeat']);
    expect(triggers(230)).toEqual(['open/repeat']);
    const resolved = p.tick(st, 315, m).incidents;
    expect(resolved.map((i) => `${i.state}/${i.trigger}`)).toEqual(['resolved/resolved']);
    expect(resolved[0]).toMatchObject({ max_level: 'critical', result_count: 2, first_seen: 0, last_seen: 15 });
    expect(st.incidents.size).toBe(0);
    expect(['group_wait', 'group_interval', 'repeat', 'resolved'].map((t) => m.count(`onIncidentEmitted(${t})`))).toEqual([1, 1, 2, 1]);
    expect(m.calls).toContain('setIncidentsOpen(0)');
  });

  it('an incident is not resolved before it was reported', () => {
    const { p, st } = setup('group:\n  by: [rule]\n  group_wait: 100s\n  resolve_timeout: 10s\n');
    p.process([detection('a')], st, 0);
    expect(p.tick(st, 50).incidents).toEqual([]);
    expect(p.tick(st, 100).incidents.map((i) => i.trigger)).toEqual(['group_wait']);
    expect(p.tick(st, 101).incidents.map((i) => i.trigger)).toEqual(['resolved']);
  });

  it('the group_by id depends on the values only, not on the rule; absent values are null', () => {
    const { p, st } = setup('group:\n  by: [match.SourceIp, match.User]\n  group_wait: 0s\n');
    const a = p.process([detection('a')], st, 0)[0]?.enrichments?.['incident_id'];
    const b = p.process([detection('a', 'low', { rule_id: 'rule-2' })], st, 1)[0]?.enrichments?.['incident_id'];
    expect(a).toBe(b);
    const [inc] = p.tick(st, 1).incidents;
    expect(inc).toMatchObject({ group_by: { 'match.SourceIp': 'a', 'match.User': null }, rule_counts: { 'rule-1': 1, 'rule-2': 1 } });
    expect(Object.keys(inc?.rule_counts ?? {})).toEqual(['rule-1', 'rule-2']);
  });

  it('at max_open_incidents a result that would open another passes without incident_id', () => {
    const { p, st } = setup('group:\n  by: [match.SourceIp]\n  caps:\n    max_open_incidents: 1\n');
    expect(p.process([detection('a')], st, 0)[0]?.enrichments).toHaveProperty('incident_id');
    const [second] = p.process([detection('b')], st, 0);
    expect(second).toBeDefined();
    expect(second?.enrichments).toBeUndefined();
    expect(p.process([detection('a')], st, 1)[0]?.enrichments).toHaveProperty('incident_id');
  });

  it('include: results keeps results without events up to max_results_per_incident; refs are omitted', () => {
    const { p, st } = setup('group:\n  by: [rule]\n  group_wait: 0s\n  include: results\n  caps:\n    max_results_per_incident: 2\n');
    p.process([detection('a'), detection('b'), detection('c')], st, 0);
    const [inc] = p.tick(st, 0).incidents;
    expect(inc?.result_count).toBe(3);
    expect(inc?.results?.map((r) => ('matched_fields' in r ? r.matched_fields[0]?.value : undefined))).toEqual(['a', 'b']);
    expect(inc?.results?.[0]).not.toHaveProperty('event');
    expect(inc?.results?.[0]?.enrichments).toBeUndefined();
    expect(inc).not.toHaveProperty('refs');
    expect(p.openIncidents(st)[0]).toMatchObject({ trigger: 'snapshot', sample_mode: 'results', reported: true });
  });

  it('overwrites a user-set incident_id and keeps other enrichments', () => {
    const debug: string[] = [];
    const p = parseAlertPipelineConfig('group:\n  by: [rule]\n');
    const st = new AlertPipelineState({ logger: { info() {}, warn() {}, error() {}, debug: (msg) => debug.push(msg) } });
    const [out] = p.process([detection('a', 'high', { enrichments: { incident_id: 'mine', geo: 'fr' } })], st, 0);
    expect(out?.enrichments).toEqual({ incident_id: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown, geo: 'fr' });
    expect(debug).toHaveLength(1);
  });

  it('groups correlation results by their group key', () => {
    const { p, st } = setup('group:\n  by: [correlation.group_key.User]\n  group_wait: 0s\n');
    const corr = (user: string): CorrelationResult => ({
      rule_title: 'Many failures',
      rule_id: 'corr-1',
      level: 'medium',
      author: null,
      tags: [],
      correlation_type: 'event_count',
      group_key: [['User', user]],
      aggregated_value: 5,
      timespan_secs: 60,
    });
    p.process([corr('alice'), corr('bob'), corr('alice')], st, 0);
    expect(p.tick(st, 0).incidents.map((i) => [i.group_by, i.result_count])).toEqual([
      [{ 'correlation.group_key.User': 'alice' }, 2],
      [{ 'correlation.group_key.User': 'bob' }, 1],
    ]);
  });

  it('entity_graph: a result without any join key gets an incident of its own; the first incident touched survives a merge', () => {
    const { p, st } = setup('group:\n  mode: entity_graph\n  entities: [match.User]\n  group_wait: 0s\n');
    const lone = (n: number) => p.process([detection(`ip${n}`)], st, n)[0]?.enrichments?.['incident_id'];
    expect([lone(1), lone(2)]).toEqual(['inc-1', 'inc-2']);
    const graph = setup(
      'group:\n  mode: entity_graph\n  entities: [match.SourceIp, match.User]\n  group_wait: 0s\n  caps:\n    max_entities_per_incident: 2\n',
    );
    graph.p.process([entityDetection('ip1', 'u1')], graph.st, 0);
    graph.p.process([entityDetection('ip2', 'u2')], graph.st, 5);
    graph.p.process([entityDetection('ip3', 'u1')], graph.st, 6);
    graph.p.process([entityDetection('ip2', 'u1')], graph.st, 7);
    // (ip2, u1) touches inc-2 through ip2 first, then inc-1 through u1: inc-2 survives with the earliest first_seen.
    const [inc] = graph.p.tick(graph.st, 7).incidents;
    expect(graph.st.incidents.size).toBe(1);
    expect(inc).toMatchObject({ incident_id: 'inc-2', first_seen: 0, last_seen: 7, result_count: 4 });
    // A merge unites the values of both sides; past max_entities_per_incident a new value is not kept (nor indexed).
    expect(inc?.entities?.['match.SourceIp']).toEqual(['ip1', 'ip2', 'ip3']);
    graph.p.process([entityDetection('ip4', 'u1')], graph.st, 8);
    const [after] = graph.p.openIncidents(graph.st);
    expect(after).toMatchObject({ incident_id: 'inc-2', result_count: 5, entities: { 'match.SourceIp': ['ip1', 'ip2', 'ip3'] } });
    expect(inc).not.toHaveProperty('group_by');
  });

  it('a resolved entity_graph incident frees its values: the next result opens a new incident', () => {
    const { p, st } = setup('group:\n  mode: entity_graph\n  entities: [match.SourceIp]\n  group_wait: 0s\n  resolve_timeout: 10s\n');
    p.process([detection('ip1')], st, 0);
    p.tick(st, 0);
    expect(p.tick(st, 10).incidents.map((i) => i.trigger)).toEqual(['resolved']);
    expect(p.process([detection('ip1')], st, 11)[0]?.enrichments?.['incident_id']).toBe('inc-2');
  });
});

describe('drain', () => {
  it('emits every pending incident with its final counts in one tick past the group timers', () => {
    const { p, st } = setup('group:\n  by: [match.SourceIp]\n  group_wait: 30s\n  group_interval: 5m\n');
    p.process([detection('a')], st, 0);
    p.tick(st, 30);
    p.process([detection('a'), detection('b')], st, 40);
    const out = p.drain(st, 40);
    expect(out.incidents.map((i) => [i.group_by?.['match.SourceIp'], i.trigger, i.result_count])).toEqual([
      ['a', 'group_interval', 2],
      ['b', 'group_wait', 1],
    ]);
  });
});
