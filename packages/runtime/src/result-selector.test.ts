import type { CorrelationResult, DetectionResult } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { RuntimeError } from './errors.js';
import { Selector, stringForm } from './result-selector.js';

function detection(extra: Partial<DetectionResult> = {}): DetectionResult {
  return {
    rule_title: 'Brute force',
    rule_id: 'rule-1',
    level: 'high',
    author: null,
    tags: ['attack.t1110', 'attack.credential_access'],
    matched_selections: ['selection'],
    matched_fields: [
      { field: 'SourceIp', value: '10.0.0.1' },
      { field: 'Port', value: 22 },
      { field: 'a.b', value: 'dotted' },
    ],
    event: { raw: 'event', user: { name: 'bob' }, 'host.name': 'ws1' },
    ...extra,
  };
}

const correlation: CorrelationResult = {
  rule_title: 'Many failures',
  rule_id: null,
  level: null,
  author: null,
  tags: [],
  correlation_type: 'event_count',
  group_key: [['User', 'alice']],
  aggregated_value: 5,
  timespan_secs: 60,
};

describe('Selector', () => {
  it.each([
    ['rule', 'rule-1'],
    ['title', 'Brute force'],
    ['level', 'high'],
    ['kind', 'detection'],
    ['match.SourceIp', '10.0.0.1'],
    ['match.Port', '22'],
    ['match.a.b', 'dotted'],
    ['event.raw', 'event'],
    ['event.user.name', 'bob'],
    ['event.host.name', 'ws1'],
  ])('%s reads %j from a detection', (text, value) => {
    expect(Selector.parse(text).stringOf(detection())).toBe(value);
  });

  it('reads rule title when the id is null, and correlation values', () => {
    expect(Selector.parse('rule').stringOf(correlation)).toBe('Many failures');
    expect(Selector.parse('kind').stringOf(correlation)).toBe('correlation');
    expect(Selector.parse('correlation.group_key.User').stringOf(correlation)).toBe('alice');
    expect(Selector.parse('level').resolve(correlation)).toBeUndefined();
    expect(Selector.parse('match.SourceIp').resolve(correlation)).toBeUndefined();
    expect(Selector.parse('correlation.group_key.User').resolve(detection())).toBeUndefined();
  });

  it('absent values are undefined', () => {
    expect(Selector.parse('match.Nope').resolve(detection())).toBeUndefined();
    expect(Selector.parse('event.raw').resolve(detection({ event: undefined }))).toBeUndefined();
    expect(Selector.parse('enrichment.x').resolve(detection())).toBeUndefined();
  });

  it('enrichment paths try the whole rest as a flat key first, then walk', () => {
    const r = detection({ enrichments: { 'geo.country': 'flat', geo: { country: 'nested', city: 'Paris' } } });
    expect(Selector.parse('enrichment.geo.country').stringOf(r)).toBe('flat');
    expect(Selector.parse('enrichment.geo.city').stringOf(r)).toBe('Paris');
    expect(Selector.parse('enrichment.geo').stringOf(r)).toBe('{"city":"Paris","country":"nested"}');
  });

  it('tags are multi-valued', () => {
    const s = Selector.parse('tags');
    expect(s.multiValued).toBe(true);
    expect(s.resolve(detection())).toEqual(['attack.t1110', 'attack.credential_access']);
    expect(Selector.parse('rule').multiValued).toBe(false);
  });

  it('trims whitespace and drops empty path segments in the canonical name', () => {
    expect(Selector.parse('  match.SourceIp ').name).toBe('match.SourceIp');
    expect(Selector.parse('enrichment.a..b.').name).toBe('enrichment.a.b');
    expect(Selector.parse('enrichment.a..b.').path).toBe('a.b');
  });

  it.each(['', 'rules', 'match.', 'match..', 'event', 'correlation.group_key.', 'Rule', 'enrichments.x'])(
    'rejects %j as invalid_selector naming it',
    (text) => {
      let err: unknown;
      try {
        Selector.parse(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as RuntimeError).code).toBe('invalid_selector');
      expect((err as RuntimeError).subject).toBe(text);
    },
  );
});

describe('stringForm', () => {
  it('keeps strings, writes other values as compact JSON with sorted keys', () => {
    expect(stringForm('a b')).toBe('a b');
    expect(stringForm(5)).toBe('5');
    expect(stringForm(true)).toBe('true');
    expect(stringForm(null)).toBe('null');
    expect(stringForm({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});
