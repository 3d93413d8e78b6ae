import type { CorrelationRule } from '@tsigma/parser';
import { describe, expect, it } from 'vitest';
import { collectRuleFields } from './rule-fields.js';

const N = 200_000;

function correlation(part: Partial<CorrelationRule>): CorrelationRule {
  return {
    kind: 'correlation',
    title: 'C',
    id: 'c',
    type: 'value_count',
    rules: ['r'],
    groupBy: [],
    timespan: { count: 1, unit: 'm', seconds: 60, original: '1m' },
    window: 'sliding',
    condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 2 }] },
    aliases: [],
    generate: false,
    references: [],
    tags: [],
    falsepositives: [],
    fields: [],
    scope: [],
    related: [],
    customAttributes: {},
    source: { documentIndex: 0, location: { line: 1, column: 1 } },
    ...part,
  };
}

describe('collectRuleFields', () => {
  it('lists 200,000 fields named by a correlation condition, alias mapping and coalesced group-by (no argument spread)', () => {
    const names = Array.from({ length: N }, (_, i) => `f${i}`);
    const rule = correlation({
      groupBy: ['a', 'g'],
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 2 }], field: names },
      aliases: [{ alias: 'a', mapping: Object.fromEntries(names.map((n, i) => [`r${i}`, n])) }],
      fieldCoalesce: { g: names },
    });
    const fields = collectRuleFields({ rules: [], correlations: [rule], filters: [] });
    expect(fields.size).toBe(N);
    expect(fields.get(`f${N - 1}`)).toEqual({ rules: ['c'], origins: ['correlation'] });
  }, 60_000);
});
