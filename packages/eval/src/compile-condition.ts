// Condition compilation (spec 02 §7): identifiers and selectors resolved to detection indexes, and the
// cheapest-first order of operands and items used by the verdict-only pass. Never reads events.

import { selectDetectionNames, type ConditionExpr } from '@tsigma/parser';
import type { CompiledCondition, CompiledDetection, CompiledItem } from './compile.js';
import { fail, type RuleCompileSpot } from './errors.js';

/** Reorders `and`/`or` operands by estimated cost (number of value tests), cheapest first. */
export function cheapestFirst(c: CompiledCondition, dets: readonly CompiledDetection[]): CompiledCondition {
  switch (c.op) {
    case 'id':
    case 'of':
      return c;
    case 'not':
      return { op: 'not', arg: cheapestFirst(c.arg, dets) };
    case 'and':
    case 'or': {
      const args = c.args.map((a) => cheapestFirst(a, dets));
      // In an `and`, negations usually hold and cannot short-circuit, so positive operands go first.
      const costs = args.map((a) => conditionCost(a, dets) + (c.op === 'and' && a.op === 'not' ? NOT_PENALTY : 0));
      let ordered = true;
      for (let k = 1; k < costs.length && ordered; k++) ordered = (costs[k - 1] as number) <= (costs[k] as number);
      if (ordered) return { op: c.op, args };
      const order = args.map((_, k) => k).sort((x, y) => (costs[x] as number) - (costs[y] as number));
      return { op: c.op, args: order.map((k) => args[k] as CompiledCondition) };
    }
  }
}

function conditionCost(c: CompiledCondition, dets: readonly CompiledDetection[]): number {
  switch (c.op) {
    case 'id':
      return detectionCost(dets[c.det]);
    case 'of':
      return c.dets.reduce((n, d) => n + detectionCost(dets[d]), 0);
    case 'not':
      return conditionCost(c.arg, dets);
    case 'and':
    case 'or':
      return c.args.reduce((n, a) => n + conditionCost(a, dets), 0);
  }
}

// Ranks a negated `and` operand after every positive one.
const NOT_PENALTY = 1_000_000;

// Keyword detections scan every leaf, so they count as expensive.
const KEYWORD_COST = 50;

function itemCost(i: CompiledItem): number {
  return i.field === null ? KEYWORD_COST : Math.max(1, i.matchers.length);
}

function detectionCost(d: CompiledDetection | undefined): number {
  if (d === undefined) return 0;
  switch (d.kind) {
    case 'allOf':
      return d.items.reduce((n, i) => n + itemCost(i), 0);
    case 'anyOf':
      return d.branches.reduce((n, b) => n + detectionCost(b), 0);
    case 'keywords':
      return KEYWORD_COST;
  }
}

/** `items` ordered by cost (stable); the same array when already in order, which most detections are. */
export function cheapestItemsFirst(items: readonly CompiledItem[]): readonly CompiledItem[] {
  let ordered = true;
  for (let k = 1; k < items.length && ordered; k++) ordered = itemCost(items[k - 1] as CompiledItem) <= itemCost(items[k] as CompiledItem);
  return ordered ? items : items.slice().sort((a, b) => itemCost(a) - itemCost(b));
}

/** Resolves a condition against detection names (selectors expand to explicit index lists). */
export function compileCondition(expr: ConditionExpr, names: readonly string[], spot: RuleCompileSpot, pointer: string): CompiledCondition {
  switch (expr.op) {
    case 'and':
    case 'or':
      return { op: expr.op, args: expr.args.map((a) => compileCondition(a, names, spot, pointer)) };
    case 'not':
      return { op: 'not', arg: compileCondition(expr.arg, names, spot, pointer) };
    case 'id': {
      const det = names.indexOf(expr.name);
      if (det < 0) fail('unknown_identifier', `condition names "${expr.name}", which is not a detection`, spot, pointer);
      return { op: 'id', det };
    }
    case 'of': {
      const dets = selectDetections(expr.pattern, names);
      if (dets.length === 0) fail('empty_selector', `"${expr.pattern}" selects no detection`, spot, pointer);
      return { op: 'of', quantifier: expr.quantifier, dets };
    }
  }
}

/** Indexes of the detections a selector pattern (or `them`) matches, in definition order (parser §7). */
function selectDetections(pattern: string, names: readonly string[]): number[] {
  return selectDetectionNames(pattern, names).map((name) => names.indexOf(name));
}
