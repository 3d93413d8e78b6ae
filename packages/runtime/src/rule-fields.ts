// The set of event fields the loaded rules reference, after pipelines (spec 05 §2 `ruleFieldSet`, spec 11 §6).
// Pure: walks rule ASTs; it neither reads files nor compiles anything.

import type { CorrelationRule, Detection, DetectionItem, Detections, FilterRule, SigmaRule } from '@tsigma/parser';
import { appendAll } from './append-all.js';

/** Where a field reference was found. */
export type FieldOrigin = 'detection' | 'correlation' | 'filter' | 'metadata';

/** The rules that reference one field and how. */
export interface RuleFieldUsage {
  /** Rule ids (title when a rule has no id), in load order, without duplicates. */
  rules: string[];
  /** Sorted, without duplicates. */
  origins: FieldOrigin[];
}

/** Field name → usage, sorted by field name. */
export type RuleFieldSet = ReadonlyMap<string, RuleFieldUsage>;

/** Post-pipeline rules of a loaded engine, by kind. */
export interface FieldSources {
  rules: readonly SigmaRule[];
  correlations: readonly CorrelationRule[];
  filters: readonly FilterRule[];
}

/** Collects every field referenced by detection items, correlations, filters and `fields:` metadata. */
export function collectRuleFields(src: FieldSources): RuleFieldSet {
  const acc = new Map<string, { rules: Set<string>; origins: Set<FieldOrigin> }>();
  const add = (field: string, rule: string, origin: FieldOrigin): void => {
    let u = acc.get(field);
    if (u === undefined) acc.set(field, (u = { rules: new Set(), origins: new Set() }));
    u.rules.add(rule);
    u.origins.add(origin);
  };
  for (const r of src.rules) {
    const name = r.id ?? r.title;
    detectionFields(r.detection, (f) => add(f, name, 'detection'));
    for (const f of r.fields) add(f, name, 'metadata');
  }
  for (const c of src.correlations) {
    const name = c.id ?? c.name ?? c.title;
    for (const f of correlationFields(c)) add(f, name, 'correlation');
    for (const f of c.fields) add(f, name, 'metadata');
  }
  for (const f of src.filters) {
    const name = f.id ?? f.title;
    detectionFields(f.detection, (field) => add(field, name, 'filter'));
  }
  const sorted = [...acc.keys()].sort();
  return new Map(
    sorted.map((field) => {
      const u = acc.get(field) as { rules: Set<string>; origins: Set<FieldOrigin> };
      return [field, { rules: [...u.rules], origins: [...u.origins].sort() }];
    }),
  );
}

function detectionFields(d: Detections, add: (field: string) => void): void {
  const visit = (det: Detection): void => {
    if (det.kind === 'anyOf') {
      for (const b of det.branches) visit(b);
      return;
    }
    if (det.kind === 'keywords') return;
    for (const item of det.items) {
      const spec = item.field;
      if (spec.coalesce !== undefined) for (const f of spec.coalesce) add(f);
      else if (spec.name !== null) add(spec.name);
      if (!spec.modifiers.includes('fieldref')) continue;
      // `|fieldref` values name the other field being compared against.
      for (const v of item.values) {
        if (v.type !== 'string') continue;
        if (v.coalesce !== undefined) for (const f of v.coalesce) add(f);
        else add(v.value.original);
      }
    }
  };
  for (const det of d.named.values()) visit(det);
}

function correlationFields(c: CorrelationRule): string[] {
  // Alias names in group-by are not event fields (their mapped fields are), nor are coalesced names.
  const aliases = new Set(c.aliases.map((a) => a.alias));
  const out = c.groupBy.filter((g) => !aliases.has(g) && c.fieldCoalesce?.[g] === undefined);
  if (c.condition.kind === 'threshold' && c.condition.field !== undefined) appendAll(out, c.condition.field);
  for (const a of c.aliases) appendAll(out, Object.values(a.mapping));
  if (c.fieldCoalesce !== undefined) for (const paths of Object.values(c.fieldCoalesce)) appendAll(out, paths);
  return out;
}

/** How the pipelines renamed one detection field (spec 11 §6 `--show-mapping`). */
export interface FieldMapping {
  original: string;
  /** Names after the pipelines, sorted. */
  mappedTo: string[];
  /** The pipelines' names joined with `+`. */
  pipeline: string;
}

/**
 * Pairs each detection item's field name before and after the pipelines (by detection name and item position)
 * and lists the names that changed. `before[i]` and `after[i]` must be the same rule.
 */
export function collectFieldMappings(
  before: readonly SigmaRule[],
  after: readonly SigmaRule[],
  pipelines: readonly { name: string }[],
): FieldMapping[] {
  if (pipelines.length === 0) return [];
  const pipeline = pipelines.map((p) => p.name).join('+');
  const out = new Map<string, Set<string>>();
  before.forEach((rule, r) => {
    const mappedRule = after[r];
    if (mappedRule === undefined) return;
    for (const [name, detection] of rule.detection.named) {
      const mapped = mappedRule.detection.named.get(name);
      if (mapped === undefined) continue;
      const itemsBefore = detectionItems(detection);
      const itemsAfter = detectionItems(mapped);
      itemsBefore.forEach((item, index) => {
        const other = itemsAfter[index];
        const original = item.field.name;
        if (other === undefined || original === null) return;
        const targets = itemFieldNames(other).filter((f) => f !== original);
        if (targets.length === 0) return;
        let set = out.get(original);
        if (set === undefined) out.set(original, (set = new Set()));
        for (const t of targets) set.add(t);
      });
    }
  });
  return [...out].map(([original, mapped]) => ({ original, mappedTo: [...mapped].sort(), pipeline }));
}

function detectionItems(d: Detection): DetectionItem[] {
  if (d.kind === 'allOf') return [...d.items];
  if (d.kind === 'anyOf') return d.branches.flatMap(detectionItems);
  return [];
}

/** A field item's names: the coalesced alternatives when a pipeline set them, else the name; keywords have none. */
function itemFieldNames(item: DetectionItem): string[] {
  if (item.field.coalesce !== undefined && item.field.coalesce.length > 0) return item.field.coalesce;
  return item.field.name === null ? [] : [item.field.name];
}
