// Compiles correlation rules against the loaded detection rules (spec 03 §2, §13): resolves slot
// references, rejects cycles and over-deep chains, and reads the `tsigma.*` tuning attributes.
// It holds no window state and never sees events.

import { parseTimespan, type ConditionExpr, type CorrelationRule, type CorrelationType } from '@tsigma/parser';
import type { RuleLoadError, RuleLoadErrorCode } from '../engine.js';
import type { CorrelationErrorCode } from './errors.js';
import type { RuleHeader } from '../result.js';
import type { CorrelationAction, CorrelationEventMode } from './types.js';

/** Correlations referencing correlations deeper than this are rejected (spec 03 §2). */
export const MAX_CHAIN_DEPTH = 10;

/** Percentile used when `value_percentile` gives none, and by `value_median` (spec 03 §6). */
const DEFAULT_PERCENTILE = 50;

/** Identity of a loaded detection rule, as needed for references and aliases. */
export interface LoadedRuleInfo {
  id?: string;
  name?: string;
  title: string;
  file?: string;
  documentIndex?: number;
}

/** A slot target: a detection rule (compiled index) or another correlation (compiled index). */
type SlotTarget = { kind: 'rule'; index: number } | { kind: 'correlation'; index: number };

/** One `group-by` entry; `alias` maps rule references to field names. */
export interface GroupByEntry {
  name: string;
  alias?: Readonly<Record<string, string>>;
}

/** One threshold comparison of a correlation condition. */
export type Predicate = { op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq'; value: number };

/** A correlation ready to run. */
export interface CompiledCorrelation {
  index: number;
  id?: string;
  name?: string;
  title: string;
  /** Snapshot record key: id, else name, else title (spec 03 §12). */
  identity: string;
  type: CorrelationType;
  timespan: number;
  window: 'sliding' | 'tumbling' | 'session';
  gap?: number;
  slotRefs: string[];
  slots: SlotTarget[];
  /** `0 … slots.length - 1`: the order a temporal_ordered assignment follows. */
  orderedSlots: number[];
  groupBy: GroupByEntry[];
  fieldCoalesce?: Readonly<Record<string, string[]>>;
  /** `condition.field` for value types. */
  fields?: string[];
  predicates: Predicate[];
  percentile: number;
  expr?: ConditionExpr;
  /** Slots named outside any `not` in an extended condition, in `rules` order. */
  positiveSlots?: number[];
  /** Slot index per identifier of an extended condition. */
  slotByRef: Map<string, number>;
  suppress?: number;
  action?: CorrelationAction;
  eventMode?: CorrelationEventMode;
  maxEvents?: number;
  maxGroupEntries?: number;
  generate: boolean;
  header: CorrelationHeader;
  /** Text shown as `threshold` by introspection. */
  thresholdText: string;
}

/** The result header copied from the correlation rule (spec 02 §9). */
type CorrelationHeader = Omit<RuleHeader, 'enrichments'>;

/** Output of {@link compileCorrelations}. */
interface CompiledCorrelationSet {
  correlations: CompiledCorrelation[];
  issues: RuleLoadError[];
  /** `tsigma.timestamp_field` values from rules and correlations, first-seen order, no duplicates. */
  timestampFields: string[];
}

const VALUE_TYPES: ReadonlySet<CorrelationType> = new Set(['value_count', 'value_sum', 'value_avg', 'value_percentile', 'value_median']);

const EVENT_MODE_ALIASES: Readonly<Record<string, CorrelationEventMode>> = {
  none: 'none',
  off: 'none',
  false: 'none',
  full: 'full',
  true: 'full',
  refs: 'refs',
  references: 'refs',
};

/** Reads `tsigma.<key>`, falling back to the `rsigma.` alias (spec 03 §13). */
function readAttribute(attrs: Readonly<Record<string, unknown>>, key: string): unknown {
  const value = attrs[`tsigma.${key}`];
  return value !== undefined ? value : attrs[`rsigma.${key}`];
}

/** Parses a Sigma timespan such as `5m` into seconds, or `undefined` when it is not one. */
function timespanSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseTimespan(value).seconds;
  } catch {
    // Not a timespan: callers report an invalid attribute and ignore it (spec 03 §13).
    return undefined;
  }
}

/** An integer attribute given as a number or a digit string (spec 03 §13), or `undefined`. */
function positiveInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Compiles `rules` (in collection order) against the loaded detection rules; rejected correlations
 * are reported and left out, so indices of the result are dense.
 */
export function compileCorrelations(
  rules: readonly CorrelationRule[],
  detections: readonly LoadedRuleInfo[],
  detectionAttributes: readonly Readonly<Record<string, unknown>>[],
): CompiledCorrelationSet {
  const issues: RuleLoadError[] = [];
  const timestampFields: string[] = [];
  const addTimestampField = (attrs: Readonly<Record<string, unknown>>, title: string, source: CorrelationRule | undefined) => {
    const field = readAttribute(attrs, 'timestamp_field');
    if (field === undefined) return;
    if (typeof field !== 'string' || field === '') {
      issues.push(issue(source, title, 'invalid_attribute', 'tsigma.timestamp_field must be a field path', 'warning'));
    } else if (!timestampFields.includes(field)) {
      timestampFields.push(field);
    }
  };
  detectionAttributes.forEach((attrs, i) => {
    const info: LoadedRuleInfo = detections[i] ?? { title: '' };
    addTimestampField(attrs, info.title, undefined);
    for (const key of ['suppress', 'action']) {
      if (readAttribute(attrs, key) === undefined) continue;
      const warning: RuleLoadError = {
        title: info.title,
        code: 'ignored_attribute',
        severity: 'warning',
        message: `tsigma.${key} only applies to correlation rules; ignored on detection rule "${info.title}"`,
      };
      if (info.file !== undefined) warning.file = info.file;
      if (info.documentIndex !== undefined) warning.documentIndex = info.documentIndex;
      if (info.id !== undefined) warning.ruleId = info.id;
      issues.push(warning);
    }
  });
  for (const rule of rules) addTimestampField(rule.customAttributes, rule.title, rule);

  const rejected = new Set<number>();
  const targets = resolveAllReferences(rules, detections, rejected, issues);
  rejectCyclesAndDeepChains(rules, targets, rejected, issues);

  const denseIndex = new Map<number, number>();
  rules.forEach((_, i) => {
    if (!rejected.has(i)) denseIndex.set(i, denseIndex.size);
  });
  const correlations: CompiledCorrelation[] = [];
  rules.forEach((rule, i) => {
    if (rejected.has(i)) return;
    const slots = (targets[i] ?? []).map((t): SlotTarget =>
      t.kind === 'rule' ? t : { kind: 'correlation', index: denseIndex.get(t.index) ?? -1 },
    );
    correlations.push(buildCorrelation(rule, correlations.length, slots, issues));
  });
  return { correlations, issues, timestampFields };
}

type RawTarget = { kind: 'rule' | 'correlation'; index: number };

// Resolves every slot; a correlation whose reference is unresolved, or points at a rejected correlation,
// is rejected in turn, until nothing changes (spec 03 §2).
function resolveAllReferences(
  rules: readonly CorrelationRule[],
  detections: readonly LoadedRuleInfo[],
  rejected: Set<number>,
  issues: RuleLoadError[],
): RawTarget[][] {
  const byId = new Map<string, RawTarget>();
  const byName = new Map<string, RawTarget>();
  const register = (info: LoadedRuleInfo, target: RawTarget) => {
    if (info.id !== undefined && !byId.has(info.id)) byId.set(info.id, target);
    if (info.name !== undefined && !byName.has(info.name)) byName.set(info.name, target);
  };
  detections.forEach((d, index) => register(d, { kind: 'rule', index }));
  rules.forEach((r, index) => register(r, { kind: 'correlation', index }));

  const targets = rules.map((rule) => rule.rules.map((ref) => byId.get(ref) ?? byName.get(ref)));
  for (const [i, rule] of rules.entries()) {
    for (const bad of compileProblems(rule)) {
      rejected.add(i);
      issues.push(issue(rule, rule.title, bad.code, bad.message, 'error'));
    }
  }
  let changed = true;
  while (changed) {
    changed = false;
    targets.forEach((slots, i) => {
      if (rejected.has(i)) return;
      const rule = rules[i] as CorrelationRule;
      const badSlot = slots.findIndex((t) => t === undefined || (t.kind === 'correlation' && rejected.has(t.index)));
      if (badSlot >= 0) {
        rejected.add(i);
        changed = true;
        const ref = rule.rules[badSlot] ?? '';
        issues.push(
          issue(
            rule,
            rule.title,
            'unknown_rule_ref',
            `correlation "${rule.title}" references "${ref}", which names no loaded rule or correlation`,
            'error',
          ),
        );
      }
    });
  }
  return targets.map((slots) => slots.filter((t): t is RawTarget => t !== undefined));
}

// Depth-first search over correlation references: rejects every correlation on a cycle and every chain
// deeper than MAX_CHAIN_DEPTH (a correlation over detections only has depth 1).
function rejectCyclesAndDeepChains(
  rules: readonly CorrelationRule[],
  targets: readonly RawTarget[][],
  rejected: Set<number>,
  issues: RuleLoadError[],
): void {
  const label = (i: number) => rules[i]?.name ?? rules[i]?.id ?? rules[i]?.title ?? String(i);
  const onCycle = new Set<number>();
  const state = new Uint8Array(rules.length); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const visit = (i: number) => {
    state[i] = 1;
    stack.push(i);
    for (const t of targets[i] ?? []) {
      if (t.kind !== 'correlation') continue;
      if (state[t.index] === 1) {
        const cycle = stack.slice(stack.indexOf(t.index));
        const path = [...cycle, t.index].map(label).join(' -> ');
        for (const c of cycle) {
          if (onCycle.has(c)) continue;
          onCycle.add(c);
          const rule = rules[c] as CorrelationRule;
          issues.push(issue(rule, rule.title, 'correlation_cycle', `correlation cycle: ${path}`, 'error'));
        }
      } else if (state[t.index] === 0) {
        visit(t.index);
      }
    }
    stack.pop();
    state[i] = 2;
  };
  rules.forEach((_, i) => {
    if (state[i] === 0) visit(i);
  });
  for (const c of onCycle) rejected.add(c);

  // Depths in dependency order; anything resting on a rejected correlation is rejected as unresolved.
  const depth: number[] = new Array<number>(rules.length).fill(0);
  const computing = new Set<number>();
  const depthOf = (i: number): number => {
    if (rejected.has(i)) return Number.POSITIVE_INFINITY;
    if (depth[i] !== 0) return depth[i] as number;
    if (computing.has(i)) return Number.POSITIVE_INFINITY;
    computing.add(i);
    let d = 1;
    for (const t of targets[i] ?? []) if (t.kind === 'correlation') d = Math.max(d, depthOf(t.index) + 1);
    computing.delete(i);
    depth[i] = d;
    return d;
  };
  rules.forEach((rule, i) => {
    if (rejected.has(i)) return;
    const d = depthOf(i);
    if (d === Number.POSITIVE_INFINITY) {
      rejected.add(i);
      issues.push(
        issue(rule, rule.title, 'unknown_rule_ref', `correlation "${rule.title}" references a correlation that failed to load`, 'error'),
      );
    } else if (d > MAX_CHAIN_DEPTH) {
      rejected.add(i);
      issues.push(
        issue(
          rule,
          rule.title,
          'chain_too_deep',
          `correlation "${rule.title}" is ${d} levels deep; at most ${MAX_CHAIN_DEPTH} are allowed`,
          'error',
        ),
      );
    }
  });
}

function compileProblems(rule: CorrelationRule): { code: CorrelationErrorCode; message: string }[] {
  const problems: { code: CorrelationErrorCode; message: string }[] = [];
  const cond = rule.condition;
  const window = windowOf(rule);
  if (cond.kind === 'expression' && rule.type !== 'temporal' && rule.type !== 'temporal_ordered') {
    problems.push({ code: 'invalid_correlation', message: `a condition expression needs a temporal type, not ${rule.type}` });
  }
  if (cond.kind === 'expression' && !expressionIsValid(cond.expr, new Set(rule.rules))) {
    problems.push({ code: 'invalid_correlation', message: 'condition expression may only name rules listed in `rules`' });
  }
  if (VALUE_TYPES.has(rule.type)) {
    const fields = cond.kind === 'threshold' ? (cond.field ?? []) : [];
    if (fields.length === 0) problems.push({ code: 'invalid_correlation', message: `${rule.type} needs condition.field` });
    if (fields.length > 1 && rule.type !== 'value_count') {
      problems.push({ code: 'invalid_correlation', message: `${rule.type} takes a single condition.field` });
    }
  }
  if (cond.kind === 'threshold' && cond.predicates.length === 0 && rule.type !== 'temporal' && rule.type !== 'temporal_ordered') {
    problems.push({ code: 'invalid_correlation', message: `${rule.type} needs a condition operator` });
  }
  if (window.mode === 'session' && window.gap === undefined) {
    problems.push({ code: 'invalid_correlation', message: 'window: session needs a gap' });
  }
  return problems;
}

function expressionIsValid(expr: ConditionExpr, refs: ReadonlySet<string>): boolean {
  switch (expr.op) {
    case 'id':
      return refs.has(expr.name);
    case 'not':
      return expressionIsValid(expr.arg, refs);
    case 'and':
    case 'or':
      return expr.args.every((a) => expressionIsValid(a, refs));
    default:
      return false;
  }
}

function windowOf(rule: CorrelationRule): { mode: 'sliding' | 'tumbling' | 'session'; gap?: number } {
  const attrMode = readAttribute(rule.customAttributes, 'window');
  const mode = attrMode === 'sliding' || attrMode === 'tumbling' || attrMode === 'session' ? attrMode : rule.window;
  const gap = timespanSeconds(readAttribute(rule.customAttributes, 'gap')) ?? rule.gap?.seconds;
  return gap === undefined ? { mode } : { mode, gap };
}

function buildCorrelation(rule: CorrelationRule, index: number, slots: SlotTarget[], issues: RuleLoadError[]): CompiledCorrelation {
  const attrs = rule.customAttributes;
  const warn = (key: string, expected: string) =>
    issues.push(issue(rule, rule.title, 'invalid_attribute', `tsigma.${key} must be ${expected}; ignored`, 'warning'));

  const rawSuppress = readAttribute(attrs, 'suppress');
  const suppress = timespanSeconds(rawSuppress);
  if (rawSuppress !== undefined && suppress === undefined) warn('suppress', 'a timespan such as 5m');
  const rawAction = readAttribute(attrs, 'action');
  const action = rawAction === 'alert' || rawAction === 'reset' ? rawAction : undefined;
  if (rawAction !== undefined && action === undefined) warn('action', 'alert or reset');
  const rawMode = readAttribute(attrs, 'correlation_event_mode');
  const eventMode = EVENT_MODE_ALIASES[String(rawMode).toLowerCase()];
  if (rawMode !== undefined && eventMode === undefined) warn('correlation_event_mode', 'none, full or refs');
  const rawMaxEvents = readAttribute(attrs, 'max_correlation_events');
  const maxEvents = positiveInteger(rawMaxEvents);
  if (rawMaxEvents !== undefined && maxEvents === undefined) warn('max_correlation_events', 'a positive integer');
  const rawMaxEntries = readAttribute(attrs, 'max_group_entries');
  const maxGroupEntries = positiveInteger(rawMaxEntries);
  if (rawMaxEntries !== undefined && maxGroupEntries === undefined) warn('max_group_entries', 'a positive integer');

  const refs = new Set(rule.rules);
  const groupBy = rule.groupBy.map((name): GroupByEntry => {
    const alias = rule.aliases.find((a) => a.alias === name);
    return alias === undefined ? { name } : { name, alias: alias.mapping };
  });
  for (const a of rule.aliases) {
    for (const key of Object.keys(a.mapping)) {
      if (!refs.has(key)) {
        issues.push(issue(rule, rule.title, 'unknown_alias_ref', `alias "${a.alias}" maps "${key}", which is not in rules`, 'warning'));
      }
    }
  }

  const cond = rule.condition;
  const slotByRef = new Map<string, number>();
  rule.rules.forEach((ref, i) => {
    if (!slotByRef.has(ref)) slotByRef.set(ref, i);
  });
  let predicates: Predicate[] = cond.kind === 'threshold' ? cond.predicates.map((p) => ({ op: p.op, value: p.value })) : [];
  if (predicates.length === 0 && cond.kind === 'threshold') predicates = [{ op: 'gte', value: rule.rules.length }];
  const percentile =
    rule.type === 'value_percentile' && cond.kind === 'threshold'
      ? Math.min(100, Math.max(0, cond.percentile ?? DEFAULT_PERCENTILE))
      : DEFAULT_PERCENTILE;
  const window = windowOf(rule);

  const compiled: CompiledCorrelation = {
    index,
    title: rule.title,
    identity: rule.id ?? rule.name ?? rule.title,
    type: rule.type,
    timespan: rule.timespan.seconds,
    window: window.mode,
    slotRefs: [...rule.rules],
    slots,
    orderedSlots: [...slots.keys()],
    groupBy,
    predicates,
    percentile,
    slotByRef,
    generate: rule.generate,
    header: headerOf(rule),
    thresholdText: cond.kind === 'expression' ? `expr: ${renderExpression(cond.expr)}` : renderPredicates(predicates),
  };
  if (rule.id !== undefined) compiled.id = rule.id;
  if (rule.name !== undefined) compiled.name = rule.name;
  if (window.gap !== undefined) compiled.gap = window.gap;
  if (rule.fieldCoalesce !== undefined) compiled.fieldCoalesce = rule.fieldCoalesce;
  if (cond.kind === 'threshold' && cond.field !== undefined && cond.field.length > 0) compiled.fields = [...cond.field];
  if (cond.kind === 'expression') {
    compiled.expr = cond.expr;
    compiled.positiveSlots = positiveSlotsOf(cond.expr, slotByRef, rule.rules.length);
  }
  if (suppress !== undefined) compiled.suppress = suppress;
  if (action !== undefined) compiled.action = action;
  if (eventMode !== undefined) compiled.eventMode = eventMode;
  if (maxEvents !== undefined) compiled.maxEvents = maxEvents;
  if (maxGroupEntries !== undefined) compiled.maxGroupEntries = maxGroupEntries;
  return compiled;
}

function headerOf(rule: CorrelationRule): CorrelationHeader {
  const header: CorrelationHeader = {
    rule_title: rule.title,
    rule_id: rule.id ?? null,
    level: rule.level ?? null,
    author: rule.author ?? null,
    tags: [...rule.tags],
  };
  if (Object.keys(rule.customAttributes).length > 0) header.custom_attributes = { ...rule.customAttributes };
  return header;
}

// Slots named outside any `not`, in `rules` order: these must form an ordered assignment (spec 03 §6).
function positiveSlotsOf(expr: ConditionExpr, slotByRef: ReadonlyMap<string, number>, slotCount: number): number[] {
  const positive = new Set<number>();
  const walk = (e: ConditionExpr, negated: boolean) => {
    if (e.op === 'id') {
      const slot = slotByRef.get(e.name);
      if (!negated && slot !== undefined) positive.add(slot);
    } else if (e.op === 'not') {
      walk(e.arg, !negated);
    } else if (e.op === 'and' || e.op === 'or') {
      for (const a of e.args) walk(a, negated);
    }
  };
  walk(expr, false);
  return [...Array(slotCount).keys()].filter((s) => positive.has(s));
}

const OP_SYMBOLS: Readonly<Record<Predicate['op'], string>> = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '==', neq: '!=' };

/** Renders predicates for display: `>= 5`, `> 100, <= 200`, or `(none)`. */
function renderPredicates(predicates: readonly Predicate[]): string {
  return predicates.length === 0 ? '(none)' : predicates.map((p) => `${OP_SYMBOLS[p.op]} ${p.value}`).join(', ');
}

function renderExpression(expr: ConditionExpr): string {
  switch (expr.op) {
    case 'id':
      return expr.name;
    case 'not':
      return `not ${renderOperand(expr.arg)}`;
    case 'and':
    case 'or':
      return expr.args.map(renderOperand).join(` ${expr.op} `);
    default:
      return `${expr.quantifier} of ${expr.pattern}`;
  }
}

function renderOperand(expr: ConditionExpr): string {
  return expr.op === 'and' || expr.op === 'or' ? `(${renderExpression(expr)})` : renderExpression(expr);
}

function issue(
  rule: CorrelationRule | undefined,
  title: string,
  code: RuleLoadErrorCode,
  message: string,
  severity: 'error' | 'warning',
): RuleLoadError {
  const out: RuleLoadError = { title, code, message, severity };
  if (rule?.source.file !== undefined) out.file = rule.source.file;
  if (rule !== undefined) out.documentIndex = rule.source.documentIndex;
  // Correlation problems concern the whole rule: its document's start is the finest position known.
  if (rule !== undefined && rule.source.location.line > 0) {
    out.line = rule.source.location.line;
    out.column = rule.source.location.column;
  }
  if (rule?.id !== undefined) out.ruleId = rule.id;
  return out;
}
