// Test and benchmark support only (not exported by the package): builders of parsed rule ASTs, so
// correlation scenarios read as data without depending on YAML parsing.

import type { CorrelationRule, CorrelationType, SigmaCollection, SigmaRule } from '@tsigma/parser';

const META = {
  references: [],
  tags: [],
  falsepositives: [],
  fields: [],
  scope: [],
  related: [],
  source: { documentIndex: 0, location: { line: 1, column: 1 } },
};

/** A detection rule matching when every `match` field equals its value (case-insensitive). */
export function detectionRule(o: {
  title: string;
  id?: string;
  name?: string;
  level?: SigmaRule['level'];
  match: Record<string, string>;
  attrs?: Record<string, unknown>;
}): SigmaRule {
  const items = Object.entries(o.match).map(([field, value]) => ({
    field: { name: field, modifiers: [] },
    values: [{ type: 'string' as const, value: { parts: [{ text: value }], original: value, raw: false } }],
    location: { line: 1, column: 1 },
  }));
  const rule: SigmaRule = {
    ...META,
    kind: 'rule',
    title: o.title,
    customAttributes: o.attrs ?? {},
    logsource: { custom: {} },
    detection: {
      named: new Map([['selection', { kind: 'allOf', items }]]),
      conditions: [{ op: 'id', name: 'selection' }],
      conditionStrings: ['selection'],
    },
  };
  if (o.id !== undefined) rule.id = o.id;
  if (o.name !== undefined) rule.name = o.name;
  if (o.level !== undefined) rule.level = o.level;
  return rule;
}

/** A correlation rule; `condition` defaults to none (temporal types) and timespan is in seconds. */
export function correlationRule(o: {
  title: string;
  id?: string;
  name?: string;
  type: CorrelationType;
  rules: string[];
  groupBy?: string[];
  timespan: number;
  condition?: CorrelationRule['condition'];
  aliases?: CorrelationRule['aliases'];
  generate?: boolean;
  level?: CorrelationRule['level'];
  attrs?: Record<string, unknown>;
  window?: CorrelationRule['window'];
  gap?: number;
}): CorrelationRule {
  const rule: CorrelationRule = {
    ...META,
    kind: 'correlation',
    title: o.title,
    customAttributes: o.attrs ?? {},
    type: o.type,
    rules: o.rules,
    groupBy: o.groupBy ?? [],
    timespan: { count: o.timespan, unit: 's', seconds: o.timespan, original: `${o.timespan}s` },
    window: o.window ?? 'sliding',
    condition: o.condition ?? { kind: 'threshold', predicates: [] },
    aliases: o.aliases ?? [],
    generate: o.generate ?? false,
  };
  if (o.gap !== undefined) rule.gap = { count: o.gap, unit: 's', seconds: o.gap, original: `${o.gap}s` };
  if (o.id !== undefined) rule.id = o.id;
  if (o.name !== undefined) rule.name = o.name;
  if (o.level !== undefined) rule.level = o.level;
  return rule;
}

/** A collection of the given rules and correlations. */
export function collectionOf(rules: SigmaRule[], correlations: CorrelationRule[]): SigmaCollection {
  return { rules, correlations, filters: [], errors: [] };
}
