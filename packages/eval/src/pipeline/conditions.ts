// Evaluates processing-item conditions (spec 04 §3–§4) against a rule, a detection item or a field name.
// Read-only: nothing here changes the rule or the tracking state.

import type { Detection, DetectionItem, LogSource } from '@tsigma/parser';

import { evalCondExpr } from './cond-expr.js';
import { hasWildcard, valueText } from './sigma-value.js';
import type { AnyRule, ConditionSet, DetectionItemCondition, FieldNameCondition, RuleCondition } from './types.js';

/** What conditions can observe while a rule is being transformed. */
export interface Tracking {
  /** Ids of items applied to the rule so far (all pipelines). */
  applied: ReadonlySet<string>;
  /** Ids of items that changed a given detection item. */
  itemApplied: WeakMap<DetectionItem, Set<string>>;
  /** State of the pipeline being applied. */
  state: Readonly<Record<string, unknown>>;
}

/** Combines the results of a condition set: empty is true; otherwise the expression, or `and`/`or`, then `not`. */
export function evalConditionSet<C>(set: ConditionSet<C>, test: (c: C) => boolean): boolean {
  if (set.conditions.length === 0) return true;
  let result: boolean;
  if (set.expr !== undefined) {
    const byId = new Map(set.conditions.map((c) => [c.id, c.cond]));
    const memo = new Map<string, boolean>();
    result = evalCondExpr(set.expr, (id) => {
      let v = memo.get(id);
      if (v === undefined) {
        v = test(byId.get(id) as C);
        memo.set(id, v);
      }
      return v;
    });
  } else if (set.op === 'or') {
    result = set.conditions.some((c) => test(c.cond));
  } else {
    result = set.conditions.every((c) => test(c.cond));
  }
  return set.not ? !result : result;
}

function eqi(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

// Pipeline state and custom rule attributes hold plain YAML values; they match a condition value by their text.
function entryEquals(entries: Readonly<Record<string, unknown>>, key: string, val: string): boolean {
  return key in entries && String(entries[key]) === val;
}

function logSourceOf(rule: AnyRule): LogSource | undefined {
  return rule.kind === 'correlation' ? undefined : rule.logsource;
}

/** Every detection item of a rule or filter, including those of hidden detections, in detection order. */
export function* allDetectionItems(rule: AnyRule): Generator<DetectionItem> {
  if (rule.kind === 'correlation') return;
  const walk = function* (d: Detection): Generator<DetectionItem> {
    if (d.kind === 'allOf') yield* d.items;
    else if (d.kind === 'anyOf') for (const b of d.branches) yield* walk(b);
  };
  for (const d of rule.detection.named.values()) yield* walk(d);
}

function ruleAttributeMatches(rule: AnyRule, attribute: string, value: string): boolean {
  switch (attribute) {
    case 'level':
    case 'status':
    case 'title':
    case 'author':
      return eqi(rule[attribute], value);
    case 'id':
    case 'name':
    case 'date':
    case 'modified':
    case 'taxonomy':
      return rule[attribute] === value;
    case 'description':
      return rule.description?.includes(value) ?? false;
    default:
      return entryEquals(rule.customAttributes, attribute, value);
  }
}

/** Evaluates one rule condition. */
export function testRuleCondition(rule: AnyRule, c: RuleCondition, t: Tracking): boolean {
  switch (c.type) {
    case 'logsource': {
      const ls = logSourceOf(rule);
      if (ls === undefined) return false;
      return (
        (c.category === undefined || eqi(ls.category, c.category)) &&
        (c.product === undefined || eqi(ls.product, c.product)) &&
        (c.service === undefined || eqi(ls.service, c.service))
      );
    }
    case 'contains_detection_item':
      for (const item of allDetectionItems(rule)) {
        if (!eqi(item.field.name ?? undefined, c.field)) continue;
        if (c.value === undefined || item.values.some((v) => eqi(valueText(v), c.value))) return true;
      }
      return false;
    case 'contains_field':
      for (const item of allDetectionItems(rule)) if (eqi(item.field.name ?? undefined, c.field)) return true;
      return false;
    case 'processing_item_applied':
      return t.applied.has(c.itemId);
    case 'processing_state':
      return entryEquals(t.state, c.key, c.val);
    case 'is_sigma_rule':
      return rule.kind === 'rule';
    case 'is_sigma_correlation_rule':
      return rule.kind === 'correlation';
    case 'is_sigma_filter':
      return rule.kind === 'filter';
    case 'rule_attribute':
      return ruleAttributeMatches(rule, c.attribute, c.value);
    case 'tag':
      return rule.tags.some((tag) => eqi(tag, c.tag));
  }
}

function sameValue(item: DetectionItem, want: unknown): boolean {
  return item.values.some((v) => {
    switch (v.type) {
      case 'string':
        return typeof want === 'string' && v.value.original === want;
      case 'number':
        return v.value === want;
      case 'bool':
        return v.value === want;
      case 'null':
        return want === null;
    }
  });
}

/** Evaluates one detection item condition. */
export function testDetectionItemCondition(item: DetectionItem, c: DetectionItemCondition, t: Tracking): boolean {
  switch (c.type) {
    case 'match_string': {
      const texts = item.values.filter((v) => v.type === 'string').map(valueText);
      const hit = c.cond === 'all' ? texts.length > 0 && texts.every((s) => c.pattern.test(s)) : texts.some((s) => c.pattern.test(s));
      return c.negate ? !hit : hit;
    }
    case 'match_value':
      return sameValue(item, c.value);
    case 'contains_wildcard': {
      const hit = item.values.some(hasWildcard);
      return c.negate ? !hit : hit;
    }
    case 'is_null': {
      const hit = item.values.some((v) => v.type === 'null');
      return c.negate ? !hit : hit;
    }
    case 'processing_item_applied':
      return t.itemApplied.get(item)?.has(c.itemId) ?? false;
    case 'processing_state':
      return entryEquals(t.state, c.key, c.val);
  }
}

/** Evaluates one field name condition on a (non-null) field name. */
export function testFieldNameCondition(name: string, c: FieldNameCondition, item: DetectionItem | undefined, t: Tracking): boolean {
  switch (c.type) {
    case 'include_fields':
    case 'exclude_fields': {
      const hit = c.regex !== undefined ? c.regex.some((r) => r.test(name)) : c.fields.includes(name);
      return c.type === 'include_fields' ? hit : !hit;
    }
    case 'processing_item_applied':
      return item !== undefined && (t.itemApplied.get(item)?.has(c.itemId) ?? false);
    case 'processing_state':
      return entryEquals(t.state, c.key, c.val);
  }
}
