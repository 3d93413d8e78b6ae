// Applies processing pipelines to parsed rules (spec 04 §3–§8): conditions, dispatch to each
// transformation and pipeline state (§6). Works on a deep copy: the input rule is never mutated.

import type { CorrelationRule, FilterRule, SigmaRule } from '@tsigma/parser';
import { clonePlainData } from './clone.js';
import { allDetectionItems, evalConditionSet, testRuleCondition } from './conditions.js';
import { isFieldNameTransformation } from './field-names.js';
import { hasPlaceholder } from './placeholders.js';
import { valueText } from './sigma-value.js';
import { applyAddCondition, applyHashesFields } from './transform-detection.js';
import { applyFieldNames, unique } from './transform-fields.js';
import { itemSelected, rewriteItems, ruleError, type Inherited, type Run } from './transform-run.js';
import { applyValueTransformation, settleExpand } from './transform-values.js';
import type { AnyRule, Pipeline, ProcessingItem, Transformation, TransformedRule } from './types.js';

/**
 * Sorts pipelines by `priority` (lower first); ties keep their input order.
 *
 * @example
 * sortPipelines([builtinPipeline('ecs_windows')!, builtinPipeline('sysmon')!]).map((p) => p.name); // ['sysmon', 'ecs_windows']
 */
export function sortPipelines(pipelines: readonly Pipeline[]): Pipeline[] {
  return pipelines
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.priority - b.p.priority || a.i - b.i)
    .map((x) => x.p);
}

/** Whether a transformation has any effect on this kind of document (spec 04 §8). */
function appliesToKind(t: Transformation, kind: AnyRule['kind']): boolean {
  if (kind === 'rule') return true;
  if (isFieldNameTransformation(t)) return true;
  if (t.type === 'set_custom_attribute' || t.type === 'set_state' || t.type === 'rule_failure' || t.type === 'nest') return true;
  if (kind === 'correlation') return false;
  return t.type !== 'add_condition' && t.type !== 'change_logsource';
}

function applyItem(run: Run, pi: ProcessingItem, inh: Inherited): void {
  const t = pi.transformation;
  if (!appliesToKind(t, run.rule.kind)) return;
  if (!evalConditionSet(pi.ruleConditions, (c) => testRuleCondition(run.rule, c, run))) return;
  if (t.type === 'include') {
    throw ruleError(run, 'unresolved_placeholder', `include '${pi.include ?? ''}' was not expanded by a source resolver`, pi.path);
  }
  if (pi.id !== undefined) run.applied.add(pi.id);
  const rule = run.rule;
  if (isFieldNameTransformation(t)) {
    applyFieldNames(run, t, pi, inh);
    return;
  }
  if (applyValueTransformation(run, t, pi, inh)) return;
  switch (t.type) {
    case 'add_condition':
      if (rule.kind === 'rule') applyAddCondition(run, rule, t, pi);
      return;
    case 'change_logsource':
      if (rule.kind === 'rule') {
        for (const k of ['category', 'product', 'service'] as const) if (t[k] !== undefined) rule.logsource[k] = t[k];
      }
      return;
    case 'drop_detection_item':
      rewriteItems(run, pi, (item) => (item.field.name !== null && itemSelected(run, item, pi, inh) ? [[]] : undefined));
      return;
    case 'hashes_fields':
      applyHashesFields(run, t, pi, inh);
      return;
    case 'add_field':
      rule.fields = unique([...rule.fields, ...t.fields]);
      return;
    case 'remove_field':
      rule.fields = rule.fields.filter((f) => !t.fields.includes(f));
      return;
    case 'set_field':
      rule.fields = unique(t.fields);
      return;
    case 'set_custom_attribute':
      rule.customAttributes = { ...rule.customAttributes, [t.attribute]: t.value };
      return;
    case 'set_state':
      run.state[t.key] = t.val;
      return;
    case 'rule_failure':
      throw ruleError(run, 'pipeline_rule_failure', t.message, pi.path);
    case 'detection_item_failure':
      for (const item of allDetectionItems(rule)) {
        if (itemSelected(run, item, pi, inh)) throw ruleError(run, 'pipeline_detection_item_failure', t.message, pi.path);
      }
      return;
    case 'nest': {
      const child: Inherited = { det: [...inh.det, pi.detectionItemConditions], field: [...inh.field, pi.fieldNameConditions] };
      for (const c of t.items) applyItem(run, c, child);
      return;
    }
  }
}

/** Fails the rule when a value still holds a placeholder under `|expand`; otherwise drops the finished modifier. */
function finishPlaceholders(run: Run): void {
  for (const item of allDetectionItems(run.rule)) {
    if (!item.field.modifiers.includes('expand')) continue;
    settleExpand(item);
    const left = item.values.find((v) => v.type === 'string' && hasPlaceholder(v.value.original));
    if (left !== undefined) {
      throw ruleError(
        run,
        'unresolved_placeholder',
        `value '${valueText(left)}' of '${item.field.name ?? ''}' still holds a placeholder`,
        'detection',
      );
    }
  }
}

/**
 * Applies `pipelines` (sorted by priority, ties in load order) to a copy of `rule` and reports what applied.
 * Throws {@link PipelineError} with a rule-time code when the rule cannot be transformed.
 *
 * @example
 * const { rule: mapped, appliedItems } = transformRule([builtinPipeline('windows')!], rule);
 */
export function transformRule(pipelines: readonly Pipeline[], rule: SigmaRule): TransformedRule & { rule: SigmaRule };
export function transformRule(pipelines: readonly Pipeline[], rule: CorrelationRule): TransformedRule & { rule: CorrelationRule };
export function transformRule(pipelines: readonly Pipeline[], rule: FilterRule): TransformedRule & { rule: FilterRule };
export function transformRule(pipelines: readonly Pipeline[], rule: AnyRule): TransformedRule;
export function transformRule(pipelines: readonly Pipeline[], rule: AnyRule): TransformedRule {
  const sorted = sortPipelines(pipelines);
  const vars = new Map<string, string[]>();
  for (const p of sorted) for (const [k, v] of Object.entries(p.vars)) vars.set(k, v);
  const run: Run = {
    rule: clonePlainData(rule),
    applied: new Set(),
    itemApplied: new WeakMap(),
    keywordItems: new WeakMap(),
    warnings: [],
    state: {},
    vars,
  };
  const merged: Record<string, unknown> = {};
  for (const p of sorted) {
    run.state = {};
    for (const pi of p.items) applyItem(run, pi, { det: [], field: [] });
    Object.assign(merged, run.state);
  }
  finishPlaceholders(run);
  const out: TransformedRule = { rule: run.rule, appliedItems: [...run.applied].sort(), state: merged };
  if (run.warnings.length > 0) out.warnings = run.warnings;
  return out;
}
