// Field-name transformations (spec 04 §5.1): mapping, prefixes, case and renames over detection items,
// `fields` and correlation field references.

import type { CorrelationRule, DetectionItem, SigmaValue } from '@tsigma/parser';
import { evalConditionSet, testDetectionItemCondition } from './conditions.js';
import { alternativesOf, mapFieldName, type FieldNameTransformation } from './field-names.js';
import { copyItem, fieldNameSelected, markItem, rewriteItems, type Inherited, type Run } from './transform-run.js';
import type { ProcessingItem } from './types.js';

/** Applies a field-name transformation to the selected items, `fields` and correlation field references. */
export function applyFieldNames(run: Run, t: FieldNameTransformation, pi: ProcessingItem, inh: Inherited): void {
  const mode = alternativesOf(t);
  const rename = (name: string, item: DetectionItem | undefined): string[] | undefined => {
    if (!fieldNameSelected(run, name, item, pi, inh)) return undefined;
    const names = mapFieldName(t, name);
    return names === undefined || names.length === 0 || (names.length === 1 && names[0] === name) ? undefined : names;
  };
  const rule = run.rule;
  if (rule.kind === 'correlation') {
    renameCorrelationFields(run, rule, (name) => rename(name, undefined), mode);
    return;
  }
  rewriteItems(run, pi, (item) => {
    const detOk = [...inh.det, pi.detectionItemConditions].every((s) =>
      evalConditionSet(s, (c) => testDetectionItemCondition(item, c, run)),
    );
    if (!detOk) return undefined;
    const refsChanged = renameFieldRefs(run, item, rename, mode);
    const name = item.field.name;
    const names = name === null ? undefined : rename(name, item);
    if (names === undefined) {
      if (refsChanged === undefined) return undefined;
      const copy = copyItem(run, item);
      copy.values = refsChanged;
      markItem(run, copy, pi.id);
      return [[copy]];
    }
    const build = (n: string, coalesce: string[] | undefined): DetectionItem => {
      const copy = copyItem(run, item);
      if (refsChanged !== undefined) copy.values = refsChanged;
      copy.field.name = n;
      if (coalesce === undefined || coalesce.length < 2) delete copy.field.coalesce;
      else copy.field.coalesce = coalesce;
      markItem(run, copy, pi.id);
      return copy;
    };
    const prior = item.field.coalesce;
    if (mode === 'first' || names.length === 1) {
      // Earlier coalesce alternatives are renamed too, so chained mappings keep every path.
      const alts = prior === undefined ? names : unique(prior.flatMap((p) => (p === name ? names : (rename(p, item) ?? [p]))));
      return [[build(names[0] as string, mode === 'first' || prior !== undefined ? alts : undefined)]];
    }
    return names.map((n) => [build(n, undefined)]);
  });
}

/** `list` without repeats, first occurrence kept. */
export function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Renames `fieldref` targets; `any` lists keep their first name (spec 04 §5.1). */
function renameFieldRefs(
  run: Run,
  item: DetectionItem,
  rename: (name: string, item: DetectionItem) => string[] | undefined,
  mode: 'any' | 'first',
): SigmaValue[] | undefined {
  if (!item.field.modifiers.includes('fieldref')) return undefined;
  let changed = false;
  const values = item.values.map((v): SigmaValue => {
    if (v.type !== 'string') return v;
    const names = rename(v.value.original, item);
    if (names === undefined) return v;
    changed = true;
    const first = names[0] as string;
    const out: SigmaValue = { type: 'string', value: { parts: [{ text: first }], original: first, raw: v.value.raw } };
    if (mode === 'first' && names.length > 1) out.coalesce = names;
    else if (names.length > 1) warnFirstOnly(run, v.value.original, names);
    return out;
  });
  return changed ? values : undefined;
}

function warnFirstOnly(run: Run, name: string, names: string[]): void {
  run.warnings.push(`'${name}' maps to ${names.join(', ')}; only '${names[0] ?? ''}' is used here (use alternatives: first to coalesce)`);
}

function renameCorrelationFields(
  run: Run,
  rule: CorrelationRule,
  rename: (name: string) => string[] | undefined,
  mode: 'any' | 'first',
): void {
  const one = (name: string): string => {
    const names = rename(name);
    if (names === undefined) return name;
    const first = names[0] as string;
    if (mode === 'first' && names.length > 1) {
      rule.fieldCoalesce = { ...rule.fieldCoalesce, [first]: names };
    } else if (names.length > 1) {
      warnFirstOnly(run, name, names);
    }
    return first;
  };
  const aliasNames = new Set(rule.aliases.map((a) => a.alias));
  rule.groupBy = rule.groupBy.map((g) => (aliasNames.has(g) ? g : one(g)));
  rule.aliases = rule.aliases.map((a) => ({
    alias: a.alias,
    mapping: Object.fromEntries(Object.entries(a.mapping).map(([ruleRef, field]) => [ruleRef, one(field)])),
  }));
  if (rule.condition.kind === 'threshold' && rule.condition.field !== undefined) {
    rule.condition = { ...rule.condition, field: rule.condition.field.map(one) };
  }
}
