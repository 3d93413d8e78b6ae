// Evaluation of compiled rules against one event (spec 02 §4, §6, §7, §9): a short-circuit boolean
// pass for every candidate rule, then selection and field details only for rules that matched.

import { HIDDEN_PREFIX, type CompiledCondition, type CompiledDetection, type CompiledItem, type CompiledRule } from './compile.js';
import { itemPattern } from './compile-item.js';
import { MAX_EVENT_DEPTH, type EventValue, type FieldPath, type JsonEvent } from './event.js';
import { numericView, type ValueMatcher } from './matchers.js';
import type { DetectionResult, FieldMatch, MatchDetail } from './result.js';

/** Keyword hits listed per detection at `summary` detail and above. */
const MAX_KEYWORD_HITS = 16;

/** Rule literals in `full` detail are cut to this many characters (then `...`). */
const MAX_PATTERN_CHARS = 256;

/** The value of an item's field (first present coalesce path) and the path that resolved, or undefined. */
export function lookupItem(item: CompiledItem, event: JsonEvent): { path: string; value: EventValue } | undefined {
  for (const path of item.paths) {
    const value = event.resolve(path);
    if (value !== undefined) return { path: path.text, value };
  }
  return undefined;
}

function itemValue(item: CompiledItem, event: JsonEvent): EventValue | undefined {
  const paths = item.paths;
  if (paths.length === 1) return event.resolve(paths[0] as FieldPath);
  for (const path of paths) {
    const value = event.resolve(path);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Evaluates one item (spec 02 §4). */
export function evalItem(item: CompiledItem, event: JsonEvent): boolean {
  if (item.field === null) return evalKeywordItem(item, event);
  const value = itemValue(item, event);
  if (item.exists !== null) return (value !== undefined) === item.exists;
  if (value === undefined) return item.hasNull && !item.neq;
  let r: boolean;
  const numbers = item.numbers;
  if (numbers !== null) {
    r = numberIn(value, numbers, 0);
    return item.neq ? !r : r;
  }
  const tests = item.textTests;
  if (tests !== null && typeof value === 'string') {
    const text = item.textFolded ? event.lower(value) : value;
    if (item.all) {
      r = true;
      for (let i = 0; i < tests.length; i++) {
        if (!(tests[i] as (t: string) => boolean)(text)) {
          r = false;
          break;
        }
      }
    } else {
      r = (item.textExact !== null && item.textExact.has(text)) || (item.textContains !== null && item.textContains.test(text));
      for (let i = 0; !r && i < tests.length; i++) r = (tests[i] as (t: string) => boolean)(text);
    }
    return item.neq ? !r : r;
  }
  const ms = item.matchers;
  if (item.all) {
    r = true;
    for (let i = 0; i < ms.length; i++) {
      if (!(ms[i] as ValueMatcher).test(value, event)) {
        r = false;
        break;
      }
    }
  } else {
    r = false;
    for (let i = 0; i < ms.length; i++) {
      if ((ms[i] as ValueMatcher).test(value, event)) {
        r = true;
        break;
      }
    }
  }
  return item.neq ? !r : r;
}

function numberIn(value: EventValue, set: ReadonlySet<number>, depth: number): boolean {
  if (Array.isArray(value)) {
    if (depth >= MAX_EVENT_DEPTH) return false;
    for (const v of value) if (numberIn(v, set, depth + 1)) return true;
    return false;
  }
  const n = numericView(value);
  return n !== undefined && set.has(n);
}

/** True when some keyword leaf of the event satisfies `m`. */
function leafMatches(m: ValueMatcher, event: JsonEvent): boolean {
  const leaves = event.leaves();
  for (let i = 0; i < leaves.length; i++) if (m.test(leaves[i] as string, event)) return true;
  return false;
}

function evalKeywordItem(item: CompiledItem, event: JsonEvent): boolean {
  let r: boolean;
  if (item.all) r = item.matchers.every((m) => leafMatches(m, event));
  else r = item.matchers.some((m) => leafMatches(m, event));
  return item.neq ? !r : r;
}

/** Evaluates a detection with short-circuit (an empty `allOf` is true). */
function evalDetection(det: CompiledDetection, event: JsonEvent): boolean {
  switch (det.kind) {
    case 'allOf': {
      const items = det.fastItems;
      for (let i = 0; i < items.length; i++) if (!evalItem(items[i] as CompiledItem, event)) return false;
      return true;
    }
    case 'anyOf':
      for (const b of det.branches) if (evalDetection(b, event)) return true;
      return false;
    case 'keywords':
      return evalKeywordItem(det.item, event);
  }
}

/** Evaluates a condition with short-circuit, left to right. */
function evalCondition(cond: CompiledCondition, rule: CompiledRule, event: JsonEvent): boolean {
  switch (cond.op) {
    case 'id':
      return evalDetection(rule.detections[cond.det] as CompiledDetection, event);
    case 'and':
      for (const a of cond.args) if (!evalCondition(a, rule, event)) return false;
      return true;
    case 'or':
      for (const a of cond.args) if (evalCondition(a, rule, event)) return true;
      return false;
    case 'not':
      return !evalCondition(cond.arg, rule, event);
    case 'of': {
      const need = quantifierNeed(cond.quantifier, cond.dets.length);
      let got = 0;
      for (const d of cond.dets) {
        if (evalDetection(rule.detections[d] as CompiledDetection, event)) {
          got++;
          if (got >= need) return true;
        } else if (cond.quantifier === 'all') return false;
      }
      return got >= need;
    }
  }
}

/** How many listed detections a quantifier needs. */
export function quantifierNeed(q: 'any' | 'all' | number, total: number): number {
  return q === 'any' ? 1 : q === 'all' ? total : q;
}

/** True when the rule matches the event. */
export function ruleMatches(rule: CompiledRule, event: JsonEvent): boolean {
  for (const c of rule.fastConditions) if (evalCondition(c, rule, event)) return true;
  return false;
}

// Records matched detections of the winning condition (spec 02 §7): true, outside any `not`, no repeats.
function traceCondition(cond: CompiledCondition, rule: CompiledRule, event: JsonEvent, inNot: boolean, out: number[]): boolean {
  switch (cond.op) {
    case 'id': {
      const r = evalDetection(rule.detections[cond.det] as CompiledDetection, event);
      if (r && !inNot && !out.includes(cond.det)) out.push(cond.det);
      return r;
    }
    case 'and':
      for (const a of cond.args) if (!traceCondition(a, rule, event, inNot, out)) return false;
      return true;
    case 'or':
      for (const a of cond.args) if (traceCondition(a, rule, event, inNot, out)) return true;
      return false;
    case 'not':
      return !traceCondition(cond.arg, rule, event, true, out);
    case 'of': {
      let got = 0;
      for (const d of cond.dets) {
        if (evalDetection(rule.detections[d] as CompiledDetection, event)) {
          got++;
          if (!inNot && !out.includes(d)) out.push(d);
        }
      }
      return got >= quantifierNeed(cond.quantifier, cond.dets.length);
    }
  }
}

/** Options for building a detection result. */
export interface ResultOptions {
  matchDetail: MatchDetail;
  includeEvent: boolean;
}

const DEFAULT_RESULT_OPTIONS: ResultOptions = { matchDetail: 'off', includeEvent: false };

/**
 * Evaluates one compiled rule against one event; null when it does not match.
 *
 * @example
 * const hit = evaluateRule(compileRule(rule), new JsonEvent({ CommandLine: 'cmd /c whoami' }));
 */
export function evaluateRule(rule: CompiledRule, event: JsonEvent): DetectionResult | null {
  return ruleMatches(rule, event) ? buildResult(rule, event, DEFAULT_RESULT_OPTIONS) : null;
}

/** True when the rule asks for the event in its results (`tsigma.include_event`, alias `rsigma.`). */
function ruleWantsEvent(rule: CompiledRule): boolean {
  const v = rule.customAttributes['tsigma.include_event'] ?? rule.customAttributes['rsigma.include_event'];
  return v === true || v === 'true';
}

/** Builds the result of a rule already known to match (the detail pass). */
export function buildResult(rule: CompiledRule, event: JsonEvent, opts: ResultOptions): DetectionResult {
  let dets: number[] = [];
  for (const c of rule.conditions) {
    const out: number[] = [];
    if (traceCondition(c, rule, event, false, out)) {
      dets = out;
      break;
    }
  }
  const selections: string[] = [];
  const fields: FieldMatch[] = [];
  for (const d of dets) {
    const name = rule.detectionNames[d] as string;
    if (name.startsWith(HIDDEN_PREFIX)) continue;
    selections.push(name);
    collectFields(rule.detections[d] as CompiledDetection, name, event, opts.matchDetail, fields);
  }
  // Keys are created in wire order (spec 02 §9); custom_attributes only when the rule has any.
  const custom = rule.customAttributes;
  const result: DetectionResult = {
    rule_title: rule.title,
    rule_id: rule.id ?? null,
    level: rule.level ?? null,
    author: rule.author ?? null,
    tags: rule.tags.slice(),
    ...(Object.keys(custom).length > 0 ? { custom_attributes: { ...custom } } : {}),
    matched_selections: selections,
    matched_fields: fields,
  };
  if (opts.includeEvent || ruleWantsEvent(rule)) result.event = event.toJSON();
  return result;
}

function collectFields(det: CompiledDetection, selection: string, event: JsonEvent, detail: MatchDetail, out: FieldMatch[]): void {
  switch (det.kind) {
    case 'allOf':
      for (const item of det.items) {
        if (!evalItem(item, event)) continue;
        if (item.field === null) {
          if (detail !== 'off') collectKeywordHits(item, selection, event, detail, out);
          continue;
        }
        const found = lookupItem(item, event);
        if (found === undefined && detail === 'off') continue;
        const fm: FieldMatch = { field: found?.path ?? item.field, value: found === undefined ? null : found.value };
        if (detail !== 'off') describe(fm, item, selection, detail);
        out.push(fm);
      }
      return;
    case 'anyOf':
      for (const b of det.branches) if (evalDetection(b, event)) collectFields(b, selection, event, detail, out);
      return;
    case 'keywords':
      if (detail !== 'off') collectKeywordHits(det.item, selection, event, detail, out);
      return;
  }
}

function describe(fm: FieldMatch, item: CompiledItem, selection: string, detail: MatchDetail): void {
  fm.selection = selection;
  fm.matcher = item.kind;
  if (detail === 'full') fm.pattern = truncatePattern(itemPattern(item, MAX_PATTERN_CHARS));
  fm.case_sensitive = item.matchers.length > 0 && item.matchers.every((m) => m.caseSensitive);
  if (item.neq) fm.negated = true;
}

/** Cuts a rule literal to {@link MAX_PATTERN_CHARS} characters plus `...`. */
function truncatePattern(p: string): string {
  return p.length > MAX_PATTERN_CHARS ? `${p.slice(0, MAX_PATTERN_CHARS)}...` : p;
}

function collectKeywordHits(item: CompiledItem, selection: string, event: JsonEvent, detail: MatchDetail, out: FieldMatch[]): void {
  let hits = 0;
  for (const leaf of event.leaves()) {
    if (hits >= MAX_KEYWORD_HITS) return;
    if (!item.matchers.some((m) => m.test(leaf, event))) continue;
    const fm: FieldMatch = { field: 'keyword', value: leaf, selection, matcher: 'keyword' };
    if (detail === 'full') fm.pattern = truncatePattern(itemPattern(item, MAX_PATTERN_CHARS));
    fm.case_sensitive = item.matchers.every((m) => m.caseSensitive);
    out.push(fm);
    hits++;
  }
}
