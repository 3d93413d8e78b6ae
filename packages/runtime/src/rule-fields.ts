// The set of event fields the loaded rules reference, after pipelines (spec 05 §2 `ruleFieldSet`, spec 11 §6).
// Pure: walks rule ASTs; it neither reads files nor compiles anything.

import type { CorrelationRule, Detection, Detections, FilterRule, SigmaRule } from '@tsigma/parser';

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
  if (c.condition.kind === 'threshold' && c.condition.field !== undefined) out.push(...c.condition.field);
  for (const a of c.aliases) out.push(...Object.values(a.mapping));
  if (c.fieldCoalesce !== undefined) for (const paths of Object.values(c.fieldCoalesce)) out.push(...paths);
  return out;
}
