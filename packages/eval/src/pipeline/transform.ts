// Applies processing pipelines to parsed rules (spec 04 §3–§8), tracking applied items and pipeline state (§6).
// Works on a deep copy: the input rule is never mutated. It never evaluates events.

import type { ConditionExpr, CorrelationRule, Detection, DetectionItem, FilterRule, SigmaRule, SigmaValue } from '@tsigma/parser';
import { parseSigmaString } from '@tsigma/parser';

import {
  allDetectionItems,
  evalConditionSet,
  testDetectionItemCondition,
  testFieldNameCondition,
  testRuleCondition,
} from './conditions.js';
import type { Tracking } from './conditions.js';
import { clonePlainData } from './clone.js';
import { PipelineError } from './errors.js';
import type { PipelineErrorCode } from './errors.js';
import { alternativesOf, convertCase, isFieldNameTransformation, mapFieldName } from './field-names.js';
import type { FieldNameTransformation } from './field-names.js';
import { expandSegments, hasPlaceholder, isSelected, splitPlaceholders, unescapePercent } from './placeholders.js';
import { isRawValue, parseFieldKey, partsToSource, toSigmaValue, valueText } from './sigma-value.js';
import type {
  AnyRule,
  ConditionSet,
  DetectionItemCondition,
  FieldNameCondition,
  Pipeline,
  ProcessingItem,
  Transformation,
  TransformedRule,
} from './types.js';

/** One-to-many field mappings producing more combinations than this fail the rule (`mapping_explosion`). */
const MAX_MAPPING_COMBINATIONS = 4096;

/** Placeholder expansion producing more values than this for one value fails the rule: it bounds memory per rule. */
const MAX_PLACEHOLDER_VALUES = 4096;

/** Prefix of detections injected by `add_condition`; the engine never selects them with `them` or patterns. */
const HIDDEN_CONDITION_PREFIX = '_tsigma_cond_';

/** Conditions that an enclosing `nest` item passes down to its children. */
interface Inherited {
  det: ConditionSet<DetectionItemCondition>[];
  field: ConditionSet<FieldNameCondition>[];
}

interface Run extends Tracking {
  rule: AnyRule;
  applied: Set<string>;
  state: Record<string, unknown>;
  vars: ReadonlyMap<string, string[]>;
  /** Stand-in items of keyword detections, so per-item tracking also works for keywords. */
  keywordItems: WeakMap<Detection, DetectionItem>;
  warnings: string[];
}

/** What an item rewrite returns: alternatives (OR) of item groups (AND); undefined = unchanged. */
type Rewrite = DetectionItem[][] | undefined;

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

function ruleError(run: Run, code: PipelineErrorCode, detail: string, path: string): PipelineError {
  return new PipelineError(code, `${detail} (rule: ${run.rule.title})`, { path, ruleTitle: run.rule.title });
}

function markItem(run: Run, item: DetectionItem, id: string | undefined): void {
  if (id === undefined) return;
  let set = run.itemApplied.get(item);
  if (set === undefined) {
    set = new Set();
    run.itemApplied.set(item, set);
  }
  set.add(id);
}

function copyItem(run: Run, item: DetectionItem): DetectionItem {
  const copy = clonePlainData(item);
  const ids = run.itemApplied.get(item);
  if (ids !== undefined) run.itemApplied.set(copy, new Set(ids));
  return copy;
}

function itemSelected(run: Run, item: DetectionItem, pi: ProcessingItem, inh: Inherited): boolean {
  const detSets = [...inh.det, pi.detectionItemConditions];
  if (!detSets.every((s) => evalConditionSet(s, (c) => testDetectionItemCondition(item, c, run)))) return false;
  return fieldNameSelected(run, item.field.name, item, pi, inh);
}

function fieldNameSelected(run: Run, name: string | null, item: DetectionItem | undefined, pi: ProcessingItem, inh: Inherited): boolean {
  const sets = [...inh.field, pi.fieldNameConditions].filter((s) => s.conditions.length > 0);
  if (sets.length === 0) return true;
  // A field-less keyword item satisfies field-name conditions only when there are none (spec 04 §3).
  if (name === null) return false;
  return sets.every((s) => evalConditionSet(s, (c) => testFieldNameCondition(name, c, item, run)));
}

// ---------------------------------------------------------------------------------------------
// Structural rewriting of detections

function combine(run: Run, groups: DetectionItem[][][], path: string): Detection {
  let count = 1;
  for (const g of groups) {
    count *= g.length;
    if (count > MAX_MAPPING_COMBINATIONS) {
      throw ruleError(run, 'mapping_explosion', `field mappings produce more than ${MAX_MAPPING_COMBINATIONS} combinations`, path);
    }
  }
  if (count === 1) return { kind: 'allOf', items: groups.flatMap((g) => g[0] as DetectionItem[]) };
  let acc: DetectionItem[][] = [[]];
  for (const options of groups) {
    acc = acc.flatMap((prefix) => options.map((o) => [...prefix, ...o]));
  }
  // Each combination needs its own item objects so that later rewrites of one branch leave the others alone.
  return { kind: 'anyOf', branches: acc.map((items) => ({ kind: 'allOf', items: items.map((i) => copyItem(run, i)) })) };
}

function rewriteDetection(run: Run, d: Detection, fn: (item: DetectionItem) => Rewrite, path: string): Detection {
  switch (d.kind) {
    case 'allOf': {
      let changed = false;
      const groups = d.items.map((item) => {
        const r = fn(item);
        if (r === undefined) return [[item]];
        changed = true;
        return r;
      });
      return changed ? combine(run, groups, path) : d;
    }
    case 'anyOf':
      return { kind: 'anyOf', branches: d.branches.map((b) => rewriteDetection(run, b, fn, path)) };
    case 'keywords': {
      // Keyword values are rewritten through a field-less stand-in item; structure changes do not apply to them.
      const standIn = keywordItem(run, d);
      const r = fn(standIn);
      const only = r?.[0]?.[0];
      if (r === undefined || r.length !== 1 || r[0]?.length !== 1 || only === undefined) return d;
      const out: Detection = { kind: 'keywords', values: only.values };
      run.keywordItems.set(out, only);
      return out;
    }
  }
}

function keywordItem(run: Run, d: Extract<Detection, { kind: 'keywords' }>): DetectionItem {
  let item = run.keywordItems.get(d);
  if (item === undefined) {
    item = { field: { name: null, modifiers: [] }, values: d.values, location: sourceLocation(run) };
    run.keywordItems.set(d, item);
  }
  item.values = d.values;
  return item;
}

function sourceLocation(run: Run): DetectionItem['location'] {
  return clonePlainData(run.rule.source.location);
}

function rewriteItems(run: Run, pi: ProcessingItem, fn: (item: DetectionItem) => Rewrite): void {
  const rule = run.rule;
  if (rule.kind === 'correlation') return;
  const named = new Map<string, Detection>();
  for (const [name, d] of rule.detection.named) named.set(name, rewriteDetection(run, d, fn, `${pi.path} (detection ${name})`));
  rule.detection.named = named;
}

/** Rewrites the selected items' values; `fn` returns undefined to keep a value list. */
function rewriteValues(
  run: Run,
  pi: ProcessingItem,
  inh: Inherited,
  fn: (values: SigmaValue[], item: DetectionItem) => SigmaValue[] | undefined,
): void {
  rewriteItems(run, pi, (item) => {
    if (!itemSelected(run, item, pi, inh)) return undefined;
    const values = fn(item.values, item);
    if (values === undefined) return undefined;
    const copy = copyItem(run, item);
    copy.values = values;
    markItem(run, copy, pi.id);
    return [[copy]];
  });
}

function reparse(original: string, item: DetectionItem): SigmaValue {
  return { type: 'string', value: parseSigmaString(original, isRawValue(item.field.modifiers)) };
}

// ---------------------------------------------------------------------------------------------
// §5.1 field names

function applyFieldNames(run: Run, t: FieldNameTransformation, pi: ProcessingItem, inh: Inherited): void {
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

function unique(list: string[]): string[] {
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

// ---------------------------------------------------------------------------------------------
// §5.2 detection structure and logsource

function applyAddCondition(run: Run, rule: SigmaRule, t: Extract<Transformation, { type: 'add_condition' }>, pi: ProcessingItem): void {
  let n = 0;
  while (rule.detection.named.has(`${HIDDEN_CONDITION_PREFIX}${n}`)) n++;
  const name = `${HIDDEN_CONDITION_PREFIX}${n}`;
  const template = (v: unknown): unknown => {
    if (!t.template || typeof v !== 'string') return v;
    return v.replace(/\$(category|product|service)\b/g, (m, key: 'category' | 'product' | 'service') => rule.logsource[key] ?? m);
  };
  const items: DetectionItem[] = t.conditions.map(([key, v]) => {
    const spec = parseFieldKey(key);
    // Keys were validated when the pipeline was parsed.
    const field = 'unknownModifier' in spec ? { name: key, modifiers: [] } : spec;
    const values = (Array.isArray(v) ? v : [v]).map((x) => toSigmaValue(template(x) as string | number | boolean | null, field.modifiers));
    return { field, values, location: sourceLocation(run) };
  });
  for (const [field, other] of t.fieldRefs) {
    items.push({
      field: { name: field, modifiers: ['fieldref'] },
      values: [toSigmaValue(other, ['fieldref'])],
      location: sourceLocation(run),
    });
  }
  for (const item of items) markItem(run, item, pi.id);
  const named = new Map(rule.detection.named);
  named.set(name, { kind: 'allOf', items });
  const id: ConditionExpr = { op: 'id', name };
  const x: ConditionExpr = t.negated ? { op: 'not', arg: id } : id;
  const xs = t.negated ? `not ${name}` : name;
  rule.detection = {
    ...rule.detection,
    named,
    conditions: rule.detection.conditions.map((c) => ({ op: 'and', args: t.prepend ? [x, c] : [c, x] })),
    conditionStrings: rule.detection.conditionStrings.map((s) => (t.prepend ? `${xs} and (${s})` : `(${s}) and ${xs}`)),
  };
}

const HASH_LENGTHS: Readonly<Record<number, string>> = { 32: 'MD5', 40: 'SHA1', 64: 'SHA256', 128: 'SHA512' };

function applyHashesFields(run: Run, t: Extract<Transformation, { type: 'hashes_fields' }>, pi: ProcessingItem, inh: Inherited): void {
  const hashFields = new Set(t.hashFields.map((f) => f.toLowerCase()));
  rewriteItems(run, pi, (item) => {
    const name = item.field.name;
    if (name === null || !hashFields.has(name.toLowerCase()) || !itemSelected(run, item, pi, inh)) return undefined;
    const groups = new Map<string, SigmaValue[]>();
    for (const v of item.values) {
      if (v.type !== 'string') continue;
      for (const rawPart of v.value.original.split(',')) {
        const part = rawPart.trim();
        const eq = part.indexOf('=');
        const algoText = eq >= 0 ? part.slice(0, eq) : /^[0-9a-fA-F]+$/.test(part) ? HASH_LENGTHS[part.length] : undefined;
        const hash = eq >= 0 ? part.slice(eq + 1) : part;
        const algo = algoText === undefined ? undefined : t.algos.find((a) => a.toLowerCase() === algoText.trim().toLowerCase());
        if (algo === undefined || hash === '') continue;
        const list = groups.get(algo) ?? [];
        list.push(toSigmaValue(hash, item.field.modifiers));
        groups.set(algo, list);
      }
    }
    if (groups.size === 0) {
      throw ruleError(run, 'hashes_no_valid_algorithm', `no value of '${name}' names one of ${t.algos.join(', ')}`, pi.path);
    }
    const newItems = [...groups].map(([algo, values]): DetectionItem => {
      const copy = copyItem(run, item);
      copy.field = { name: t.dropAlgoPrefix ? t.fieldPrefix : `${t.fieldPrefix}${algo}`, modifiers: [...item.field.modifiers] };
      copy.values = values;
      markItem(run, copy, pi.id);
      return copy;
    });
    return item.field.modifiers.includes('all') ? [newItems] : newItems.map((i) => [i]);
  });
}

// ---------------------------------------------------------------------------------------------
// §5.3 values and §7 placeholders

function replaceInValue(v: SigmaValue, item: DetectionItem, t: Extract<Transformation, { type: 'replace_string' }>): SigmaValue {
  if (v.type !== 'string') return v;
  const replacement = t.replacement.replace(/\\(\d+)/g, '$$$1');
  if (t.skipSpecial && !v.value.raw) {
    const parts = v.value.parts.map((p) => ('text' in p ? { text: t.regex.replaceAll(p.text, replacement) } : p));
    return { ...v, value: { parts, original: partsToSource(parts), raw: false } };
  }
  const original = t.regex.replaceAll(v.value.original, replacement);
  return original === v.value.original ? v : reparse(original, item);
}

function changedList(before: SigmaValue[], after: SigmaValue[]): SigmaValue[] | undefined {
  return after.length === before.length && after.every((v, i) => v === before[i]) ? undefined : after;
}

const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function convertValue(v: SigmaValue, target: 'str' | 'num' | 'int' | 'float' | 'bool', item: DetectionItem): SigmaValue {
  const text = v.type === 'null' ? undefined : v.type === 'string' ? v.value.original : String(v.value);
  if (text === undefined) return v;
  switch (target) {
    case 'str':
      return v.type === 'string' ? v : reparse(text, item);
    case 'num':
    case 'int':
    case 'float': {
      // Same numeric syntax as the engine's numeric view (02 §3): no hex, no spaces, no Infinity.
      if (v.type === 'bool' || !NUMERIC_TEXT.test(text)) return v;
      const n = Number(text);
      const value = target === 'int' ? Math.trunc(n) : n;
      return { type: 'number', value, isInteger: target === 'float' ? false : Number.isInteger(value) };
    }
    case 'bool': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return v.type === 'bool' ? v : { type: 'bool', value: true };
      if (lower === 'false' || lower === '0') return v.type === 'bool' ? v : { type: 'bool', value: false };
      return v;
    }
  }
}

function expandValuePlaceholders(
  run: Run,
  v: SigmaValue,
  item: DetectionItem,
  t: Extract<Transformation, { type: 'value_placeholders' | 'wildcard_placeholders' }>,
  pi: ProcessingItem,
): SigmaValue[] | undefined {
  if (v.type !== 'string') return undefined;
  const expand = item.field.modifiers.includes('expand');
  if (!expand && (t.type === 'wildcard_placeholders' || t.requireExpand)) return undefined;
  const segments = splitPlaceholders(v.value.original);
  if (!segments.some((s) => 'name' in s)) return undefined;
  let touched = false;
  const choices = segments.map((s): string[] => {
    if ('text' in s) return [s.text];
    const keep = `%${s.name}%`;
    if (!isSelected(s.name, t)) return [keep];
    if (t.type === 'wildcard_placeholders') {
      touched = true;
      return ['*'];
    }
    const values = run.vars.get(s.name);
    if (values === undefined) {
      if (expand) throw ruleError(run, 'undefined_placeholder', `placeholder '%${s.name}%' names no pipeline var`, pi.path);
      return [keep];
    }
    const template = values.find((x) => x.includes('${source.'));
    if (template !== undefined) {
      throw ruleError(run, 'unresolved_placeholder', `var '${s.name}' still holds the source template '${template}'`, pi.path);
    }
    touched = true;
    return values;
  });
  if (!touched) return undefined;
  const texts = expandSegments(choices, MAX_PLACEHOLDER_VALUES);
  if (texts === undefined) {
    throw ruleError(run, 'mapping_explosion', `placeholder expansion yields more than ${MAX_PLACEHOLDER_VALUES} values`, pi.path);
  }
  return texts.map((s) => reparse(s, item));
}

/** Drops `expand` from an item once none of its values holds a placeholder, unescaping `\%`. */
function settleExpand(item: DetectionItem): DetectionItem {
  if (!item.field.modifiers.includes('expand')) return item;
  if (item.values.some((v) => v.type === 'string' && hasPlaceholder(v.value.original))) return item;
  item.field.modifiers = item.field.modifiers.filter((m) => m !== 'expand');
  item.values = item.values.map((v) =>
    v.type === 'string' && v.value.original.includes('\\%') ? reparse(unescapePercent(v.value.original), item) : v,
  );
  return item;
}

function applyPlaceholders(
  run: Run,
  t: Extract<Transformation, { type: 'value_placeholders' | 'wildcard_placeholders' }>,
  pi: ProcessingItem,
  inh: Inherited,
): void {
  rewriteItems(run, pi, (item) => {
    if (!itemSelected(run, item, pi, inh)) return undefined;
    let changed = false;
    const values = item.values.flatMap((v) => {
      const out = expandValuePlaceholders(run, v, item, t, pi);
      if (out === undefined) return [v];
      changed = true;
      return out;
    });
    if (!changed) return undefined;
    const copy = copyItem(run, item);
    copy.values = values;
    markItem(run, copy, pi.id);
    return [[settleExpand(copy)]];
  });
}

function applyValueTransformation(run: Run, t: Transformation, pi: ProcessingItem, inh: Inherited): boolean {
  switch (t.type) {
    case 'replace_string':
      rewriteValues(run, pi, inh, (values, item) =>
        changedList(
          values,
          values.map((v) => replaceInValue(v, item, t)),
        ),
      );
      return true;
    case 'map_string':
      rewriteValues(run, pi, inh, (values, item) =>
        changedList(
          values,
          values.flatMap((v) => {
            const to = v.type === 'string' ? t.mapping.get(v.value.original) : undefined;
            return to === undefined ? [v] : to.map((s) => reparse(s, item));
          }),
        ),
      );
      return true;
    case 'set_value':
      rewriteValues(run, pi, inh, (_values, item) => {
        const value = t.value;
        if (t.forceType === 'str') return [reparse(value === null ? '' : String(value), item)];
        if (t.forceType === 'num') return [convertValue(toSigmaValue(value, item.field.modifiers), 'num', item)];
        return [toSigmaValue(value, item.field.modifiers)];
      });
      return true;
    case 'convert_type':
      rewriteValues(run, pi, inh, (values, item) =>
        changedList(
          values,
          values.map((v) => convertValue(v, t.target, item)),
        ),
      );
      return true;
    case 'case':
      rewriteValues(run, pi, inh, (values, item) =>
        changedList(
          values,
          values.map((v) => {
            if (v.type !== 'string') return v;
            const s = convertCase(v.value.original, t.method);
            return s === v.value.original ? v : reparse(s, item);
          }),
        ),
      );
      return true;
    case 'value_placeholders':
    case 'wildcard_placeholders':
      applyPlaceholders(run, t, pi, inh);
      return true;
    case 'query_expression_placeholders':
      // Backend-only: kept in state for query generation, no effect on evaluation (spec 04 §7).
      run.state['query_expression_placeholders'] = { expression: t.expression, mapping: t.mapping };
      return true;
    case 'regex':
      // Backend-only case-insensitive regex emulation: nothing to do for evaluation (spec 04 §5.3).
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Dispatch

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
