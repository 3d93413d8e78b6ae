// Explain (spec 02 §10): evaluates one rule against one event without short-circuit and records why
// every condition node and item passed or failed. Verdicts come from the same item evaluation as
// `evaluate`, so the two can never disagree.

import { itemPattern } from './compile-item.js';
import type { CompiledCondition, CompiledDetection, CompiledItem, CompiledRule } from './compile.js';
import type { EventValue, JsonEvent } from './event.js';
import { evalItem, lookupItem, quantifierNeed } from './evaluate.js';
import type { MatcherKind } from './result.js';

/** Why a leaf passed or failed. */
export type ExplainReason = 'matched' | 'field_absent' | 'value_mismatch' | 'case_mismatch' | 'existence' | 'no_keyword_match';

/** One item (or a keyword detection) in an explanation. */
export interface ItemTrace {
  field?: string;
  matcher: MatcherKind;
  pattern?: string;
  actual?: EventValue;
  matched: boolean;
  reason: ExplainReason;
}

/** A detection in an explanation. */
export type DetectionTrace =
  | { type: 'all_of'; matched: boolean; items: ItemTrace[] }
  | { type: 'any_of'; matched: boolean; branches: DetectionTrace[] }
  | { type: 'keywords'; matched: boolean; item: ItemTrace };

/** A condition node in an explanation. */
export type ConditionTrace =
  | { type: 'selection'; name: string; matched: boolean; detection: DetectionTrace }
  | { type: 'and' | 'or'; matched: boolean; children: ConditionTrace[] }
  | { type: 'not'; matched: boolean; child: ConditionTrace }
  | {
      type: 'quantified';
      quantifier: string;
      matched: boolean;
      need: number;
      got: number;
      branches: { name: string; matched: boolean; detection: DetectionTrace }[];
    };

/** Why one rule did or did not match one event. */
export interface RuleExplanation {
  rule_title: string;
  rule_id?: string;
  matched: boolean;
  conditions: ConditionTrace[];
  /** Set when logsource routing would not run the rule on this event: why (the trace shows what it would do). */
  routed_out?: string;
}

/**
 * Explains one rule against one event; `matched` always equals `evaluateRule(rule, event) !== null`.
 *
 * @example
 * explainRule(rule, new JsonEvent({ Image: 'C:\\Windows\\cmd.exe' })).conditions[0];
 */
export function explainRule(rule: CompiledRule, event: JsonEvent): RuleExplanation {
  const conditions = rule.conditions.map((c) => explainCondition(c, rule, event));
  return {
    rule_title: rule.title,
    ...(rule.id !== undefined ? { rule_id: rule.id } : {}),
    matched: conditions.some((c) => c.matched),
    conditions,
  };
}

function explainCondition(cond: CompiledCondition, rule: CompiledRule, event: JsonEvent): ConditionTrace {
  switch (cond.op) {
    case 'id': {
      const detection = explainDetection(rule.detections[cond.det] as CompiledDetection, event);
      return { type: 'selection', name: rule.detectionNames[cond.det] as string, matched: detection.matched, detection };
    }
    case 'and':
    case 'or': {
      const children = cond.args.map((a) => explainCondition(a, rule, event));
      const matched = cond.op === 'and' ? children.every((c) => c.matched) : children.some((c) => c.matched);
      return { type: cond.op, matched, children };
    }
    case 'not': {
      const child = explainCondition(cond.arg, rule, event);
      return { type: 'not', matched: !child.matched, child };
    }
    case 'of': {
      const branches = cond.dets.map((d) => {
        const detection = explainDetection(rule.detections[d] as CompiledDetection, event);
        return { name: rule.detectionNames[d] as string, matched: detection.matched, detection };
      });
      const got = branches.filter((b) => b.matched).length;
      const need = quantifierNeed(cond.quantifier, branches.length);
      return { type: 'quantified', quantifier: String(cond.quantifier), matched: got >= need, need, got, branches };
    }
  }
}

function explainDetection(det: CompiledDetection, event: JsonEvent): DetectionTrace {
  switch (det.kind) {
    case 'allOf': {
      const items = det.items.map((i) => explainItem(i, event));
      return { type: 'all_of', matched: items.every((i) => i.matched), items };
    }
    case 'anyOf': {
      const branches = det.branches.map((b) => explainDetection(b, event));
      return { type: 'any_of', matched: branches.some((b) => b.matched), branches };
    }
    case 'keywords': {
      const item = explainItem(det.item, event);
      return { type: 'keywords', matched: item.matched, item };
    }
  }
}

const CASE_KINDS: ReadonlySet<MatcherKind> = new Set(['exact', 'contains', 'startswith', 'endswith']);

function explainItem(item: CompiledItem, event: JsonEvent): ItemTrace {
  const matched = evalItem(item, event);
  const trace: ItemTrace = { matcher: item.kind, matched, reason: 'matched' };
  if (item.field !== null) trace.field = item.field;
  const pattern = itemPattern(item);
  if (pattern !== '') trace.pattern = pattern;
  if (item.field === null) {
    if (!matched) trace.reason = 'no_keyword_match';
    return trace;
  }
  const found = lookupItem(item, event);
  if (found !== undefined) {
    trace.field = found.path;
    trace.actual = found.value;
  }
  if (matched) return trace;
  if (item.exists !== null) trace.reason = 'existence';
  else if (found === undefined) trace.reason = 'field_absent';
  else if (!item.neq && caseOnlyMismatch(item, found.value, event)) trace.reason = 'case_mismatch';
  else trace.reason = 'value_mismatch';
  return trace;
}

function caseOnlyMismatch(item: CompiledItem, value: EventValue, event: JsonEvent): boolean {
  const cased = item.matchers.filter((m) => m.caseSensitive && CASE_KINDS.has(m.kind));
  if (cased.length === 0) return false;
  return item.all ? item.matchers.every((m) => m.testFolded(value, event)) : cased.some((m) => m.testFolded(value, event));
}
