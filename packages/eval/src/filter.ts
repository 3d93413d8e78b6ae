// Filter rules (spec 02 §8): target selection and the rewrite `C` → `C and (F)` with the filter's
// detections appended under hidden names. Compiled rules are never mutated; a new one is returned.

import type { Detection, FilterRule } from '@tsigma/parser';
import { cheapestFirst, compileCondition } from './compile-condition.js';
import { compileDetection, type CompiledCondition, type CompiledDetection, type CompiledRule } from './compile.js';
import { jsonPointer, type RuleCompileSpot } from './errors.js';

/** A filter compiled once, ready to be appended to any number of rules. */
interface CompiledFilter {
  readonly names: readonly string[];
  readonly detections: readonly CompiledDetection[];
  /** The filter condition over its own detections (indexes 0…names.length-1). */
  readonly condition: CompiledCondition;
}

/**
 * Compiles a (pipeline-transformed) filter; `n` numbers its hidden detections `_tsigma_filter_<n>_<name>`.
 * @throws RuleCompileError like {@link compileDetection}.
 */
export function compileFilter(filter: FilterRule, n: number): CompiledFilter {
  const spot: RuleCompileSpot = { ruleTitle: filter.title };
  if (filter.source.file !== undefined) spot.file = filter.source.file;
  if (filter.id !== undefined) spot.ruleId = filter.id;
  const own = [...filter.detection.named.keys()];
  const detections = own.map((name) => compileDetection(filter.detection.named.get(name) as Detection, spot, jsonPointer('filter', name)));
  const conds = filter.detection.conditions.map((c) => compileCondition(c, own, spot, jsonPointer('filter', 'condition')));
  const condition: CompiledCondition = conds.length === 1 ? (conds[0] as CompiledCondition) : { op: 'or', args: conds };
  return { names: own.map((name) => `_tsigma_filter_${n}_${name}`), detections, condition };
}

/** True when the filter applies to the rule: named (or `any`) and with a compatible logsource. */
export function filterTargets(filter: FilterRule, rule: CompiledRule): boolean {
  if (filter.rules !== 'any' && filter.rules.length > 0) {
    const named = filter.rules.some((r) => r === rule.id || r === rule.name || r === rule.title);
    if (!named) return false;
  }
  const ls = filter.logsource;
  if (ls === undefined) return true;
  for (const dim of ['category', 'product', 'service'] as const) {
    const want = ls[dim];
    if (want === undefined) continue;
    const have = rule.logsource[dim];
    if (have === undefined || have.toLowerCase() !== want.toLowerCase()) return false;
  }
  return true;
}

/** A copy of `rule` whose every condition is ANDed with the filter's condition. */
export function applyCompiledFilter(rule: CompiledRule, filter: CompiledFilter): CompiledRule {
  const offset = rule.detections.length;
  const f = shift(filter.condition, offset);
  const detections = [...rule.detections, ...filter.detections];
  const conditions: CompiledCondition[] = rule.conditions.map((c) => ({ op: 'and', args: [c, f] }));
  return {
    ...rule,
    detectionNames: [...rule.detectionNames, ...filter.names],
    detections,
    conditions,
    fastConditions: conditions.map((c) => cheapestFirst(c, detections)),
  };
}

function shift(c: CompiledCondition, by: number): CompiledCondition {
  switch (c.op) {
    case 'id':
      return { op: 'id', det: c.det + by };
    case 'of':
      return { op: 'of', quantifier: c.quantifier, dets: c.dets.map((d) => d + by) };
    case 'not':
      return { op: 'not', arg: shift(c.arg, by) };
    case 'and':
    case 'or':
      return { op: c.op, args: c.args.map((a) => shift(a, by)) };
  }
}
