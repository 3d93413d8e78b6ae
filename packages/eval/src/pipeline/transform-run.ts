// The state of one rule's transformation run (applied items, pipeline state, warnings), item selection by
// detection-item and field-name conditions, and structural rewriting of detections (spec 04 §3, §6).

import { parseSigmaString, type Detection, type DetectionItem, type SigmaValue } from '@tsigma/parser';
import { clonePlainData } from './clone.js';
import { evalConditionSet, testDetectionItemCondition, testFieldNameCondition, type Tracking } from './conditions.js';
import { PipelineError, type PipelineErrorCode } from './errors.js';
import { isRawValue } from './sigma-value.js';
import type { AnyRule, ConditionSet, DetectionItemCondition, FieldNameCondition, ProcessingItem } from './types.js';

/** One-to-many field mappings producing more combinations than this fail the rule (`mapping_explosion`). */
const MAX_MAPPING_COMBINATIONS = 4096;

/** Conditions that an enclosing `nest` item passes down to its children. */
export interface Inherited {
  det: ConditionSet<DetectionItemCondition>[];
  field: ConditionSet<FieldNameCondition>[];
}

/** State of one `transformRule` call: the rule copy, applied item ids, pipeline state and warnings. */
export interface Run extends Tracking {
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
/** A rule-time {@link PipelineError} naming the rule being transformed. */
export function ruleError(run: Run, code: PipelineErrorCode, detail: string, path: string): PipelineError {
  return new PipelineError(code, `${detail} (rule: ${run.rule.title})`, { path, ruleTitle: run.rule.title });
}

/** Records that processing item `id` applied to `item` (for `processing_item_applied`). */
export function markItem(run: Run, item: DetectionItem, id: string | undefined): void {
  if (id === undefined) return;
  let set = run.itemApplied.get(item);
  if (set === undefined) {
    set = new Set();
    run.itemApplied.set(item, set);
  }
  set.add(id);
}

/** A deep copy of `item` that keeps its applied-item ids. */
export function copyItem(run: Run, item: DetectionItem): DetectionItem {
  const copy = clonePlainData(item);
  const ids = run.itemApplied.get(item);
  if (ids !== undefined) run.itemApplied.set(copy, new Set(ids));
  return copy;
}

/** Whether `item` passes the detection-item and field-name conditions of `pi` and of its enclosing `nest` items. */
export function itemSelected(run: Run, item: DetectionItem, pi: ProcessingItem, inh: Inherited): boolean {
  const detSets = [...inh.det, pi.detectionItemConditions];
  if (!detSets.every((s) => evalConditionSet(s, (c) => testDetectionItemCondition(item, c, run)))) return false;
  return fieldNameSelected(run, item.field.name, item, pi, inh);
}

/** Whether field `name` passes the field-name conditions of `pi` and of its enclosing `nest` items. */
export function fieldNameSelected(
  run: Run,
  name: string | null,
  item: DetectionItem | undefined,
  pi: ProcessingItem,
  inh: Inherited,
): boolean {
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

/** The rule's own location, for items a transformation creates (they have no line of their own). */
export function sourceLocation(run: Run): DetectionItem['location'] {
  return clonePlainData(run.rule.source.location);
}

/** Rewrites every item of every detection with `fn` (alternatives become `anyOf` branches). */
export function rewriteItems(run: Run, pi: ProcessingItem, fn: (item: DetectionItem) => Rewrite): void {
  const rule = run.rule;
  if (rule.kind === 'correlation') return;
  const named = new Map<string, Detection>();
  for (const [name, d] of rule.detection.named) named.set(name, rewriteDetection(run, d, fn, `${pi.path} (detection ${name})`));
  rule.detection.named = named;
}

/** Rewrites the selected items' values; `fn` returns undefined to keep a value list. */
export function rewriteValues(
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

/** A string value parsed again from `original` with the item's modifiers (wildcards unless raw). */
export function reparse(original: string, item: DetectionItem): SigmaValue {
  return { type: 'string', value: parseSigmaString(original, isRawValue(item.field.modifiers)) };
}
