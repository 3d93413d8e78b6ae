// Prefilter plans (spec 02 §12): the witnesses (necessary conditions) of a compiled rule, grouped into
// at most a few AND-ed groups and ranked by selectivity. Pure over compiled rules; it never sees events.

import { HIDDEN_PREFIX, type CompiledCondition, type CompiledDetection, type CompiledItem, type CompiledRule } from './compile.js';
import { AnyOfMatcher, NumberMatcher, RegexMatcher, StringMatcher, type ValueMatcher } from './matchers.js';
import { isAscii } from './needle-automaton.js';

/** A necessary condition of a rule match. Text is lower-cased; field is an event path. */
export type Witness =
  | { k: 'str'; field: string; text: string } // some leaf's folded string view equals text
  | { k: 'num'; field: string; num: number } // some leaf's numeric view equals num
  | { k: 'sub'; field: string; text: string } // some leaf's folded string view contains text
  | { k: 'kw'; text: string } // some keyword leaf, folded, contains text
  | { k: 'present'; field: string };

// At least one witness holds for every matching event; null = "open" (no usable condition).
type WitnessSet = Witness[] | null;

// Selection heuristics: lower is more selective. Numbers (EventID…) and presence are weak.
const COST_PRESENT = 20;
const COST_NUMBER = 6;
const COST_HIDDEN_PENALTY = 5;

/**
 * Substring witnesses keep at most this many leading characters: any prefix of a needle is still a
 * necessary condition, and long random needles (hashes) would otherwise blow up the automaton.
 */
const MAX_NEEDLE_CHARS = 12;

function needle(text: string): string {
  return text.length > MAX_NEEDLE_CHARS ? text.slice(0, MAX_NEEDLE_CHARS) : text;
}

function witnessCost(w: Witness): number {
  switch (w.k) {
    case 'present':
      return COST_PRESENT;
    case 'num':
      return COST_NUMBER;
    case 'str':
      return w.text.length >= 4 ? 1 : 5;
    case 'sub':
    case 'kw': {
      const base = w.text.length >= 6 ? 2 : w.text.length >= 4 ? 4 : 8;
      return w.k === 'kw' ? base + 1 : base;
    }
  }
}

function setCost(s: Witness[]): number {
  let max = 0;
  for (let k = 0; k < s.length; k++) max = Math.max(max, witnessCost(s[k] as Witness));
  return max * 1000 + s.length;
}

// Appends the witnesses of one value matcher on one path (null: keyword leaves) to `out`; false when
// the matcher has none (the caller then falls back to presence, or to no witness).
function pushMatcherWitnesses(m: ValueMatcher, field: string | null, out: Witness[]): boolean {
  if (m instanceof StringMatcher) {
    const lit = m.compiled.longestLiteral;
    if (lit.length === 0) return false;
    // Folding a cased literal on its own equals folding it inside the event text only for ASCII.
    if (m.caseSensitive && m.compiled.shape !== 'exact' && !isAscii(lit)) return false;
    const text = m.caseSensitive ? lit.toLowerCase() : lit;
    if (field === null) out.push({ k: 'kw', text: needle(text) });
    else out.push(m.compiled.shape === 'exact' ? { k: 'str', field, text } : { k: 'sub', field, text: needle(text) });
    return true;
  }
  if (m instanceof RegexMatcher) {
    const lit = m.regex.literal;
    if (lit === null || lit.length === 0) return false;
    const text = needle(lit.toLowerCase());
    out.push(field === null ? { k: 'kw', text } : { k: 'sub', field, text });
    return true;
  }
  if (m instanceof AnyOfMatcher) {
    const alts = m.alternatives;
    for (let k = 0; k < alts.length; k++) if (!pushMatcherWitnesses(alts[k] as ValueMatcher, field, out)) return false;
    return true;
  }
  if (m instanceof NumberMatcher && field !== null) {
    out.push({ k: 'num', field, num: m.value });
    return true;
  }
  return false;
}

// The witnesses of one matcher over all the item's paths (keyword leaves when there are none), or null.
function matcherWitnesses(m: ValueMatcher, paths: readonly string[] | null): Witness[] | null {
  const out: Witness[] = [];
  if (paths === null) return pushMatcherWitnesses(m, null, out) ? out : null;
  for (let k = 0; k < paths.length; k++) if (!pushMatcherWitnesses(m, paths[k] as string, out)) return null;
  return out;
}

function itemWitnesses(item: CompiledItem): WitnessSet {
  if (item.neq || item.hasNull) return null;
  const paths = item.field === null ? null : item.paths.map((p) => p.text);
  const presence = (): Witness[] | null => (paths === null ? null : paths.map((field) => ({ k: 'present', field })));
  if (item.exists !== null) return item.exists ? presence() : null;
  const matchers = item.matchers;
  if (item.all) {
    // Every value must match: the most selective single value is enough.
    let best: Witness[] | null = null;
    let bestCost = Infinity;
    for (let k = 0; k < matchers.length; k++) {
      const ws = matcherWitnesses(matchers[k] as ValueMatcher, paths);
      if (ws === null) continue;
      const cost = setCost(ws);
      if (cost < bestCost) {
        best = ws;
        bestCost = cost;
      }
    }
    return best ?? presence();
  }
  // Some value must match: the witnesses of all of them, or none if one value has none.
  const out: Witness[] = [];
  for (let k = 0; k < matchers.length; k++) {
    const m = matchers[k] as ValueMatcher;
    if (paths === null) {
      if (!pushMatcherWitnesses(m, null, out)) return null;
    } else {
      for (let j = 0; j < paths.length; j++) if (!pushMatcherWitnesses(m, paths[j] as string, out)) return presence();
    }
  }
  return out;
}

/** One witness group (an OR of witnesses) with its selection cost. */
export interface Group {
  ws: Witness[];
  cost: number;
  /** From detections a pipeline injected for routing (Channel, EventID): true of most events. */
  hidden: boolean;
}

/**
 * A conjunction of witness groups: every group holds for a matching event (each group is an OR).
 * null = open (the rule is always evaluated).
 */
export type Plan = Group[] | null;

/** At most this many groups per rule: each extra group cuts candidates further but costs index work. */
const MAX_GROUPS = 3;

function group(ws: WitnessSet, penalty = 0): Plan {
  return ws === null ? null : [{ ws, cost: setCost(ws) + penalty * 1000, hidden: penalty > 0 }];
}

function both(plans: Plan[]): Plan {
  // One operand: its plan is already sorted, capped and filtered as below.
  if (plans.length === 1) {
    const only = plans[0] ?? null;
    return only === null || only.length === 0 ? null : only;
  }
  const groups: Group[] = [];
  for (let k = 0; k < plans.length; k++) {
    const p = plans[k] as Plan;
    if (p !== null) for (let j = 0; j < p.length; j++) groups.push(p[j] as Group);
  }
  if (groups.length === 0) return null;
  groups.sort((a, b) => a.cost - b.cost);
  // A presence group rarely prunes anything, so it is only kept when nothing better exists. Routing groups hold
  // for most events of their channel, and each one feeds every rule of its category: an event marking them would
  // touch thousands of groups for nothing once a value witness (a string or substring of the rule's own) decides.
  const decisive = groups.some((g) => !g.hidden && g.cost < COST_NUMBER * 1000);
  const kept = groups
    .filter((g) => !(decisive && g.hidden))
    .slice(0, MAX_GROUPS)
    .filter((g, i) => i === 0 || g.cost < COST_PRESENT * 1000);
  return kept;
}

function either(plans: Plan[]): Plan {
  if (plans.length === 1) return plans[0] ?? null;
  const ws: Witness[] = [];
  let cost = 0;
  let hidden = true;
  for (let k = 0; k < plans.length; k++) {
    const p = plans[k] as Plan;
    if (p === null || p.length === 0) return null;
    const best = p[0] as Group;
    for (let j = 0; j < best.ws.length; j++) ws.push(best.ws[j] as Witness);
    cost = Math.max(cost, best.cost);
    hidden &&= best.hidden;
  }
  return ws.length === 0 ? null : [{ ws, cost, hidden }];
}

function detectionPlan(det: CompiledDetection, penalty: number): Plan {
  switch (det.kind) {
    case 'allOf':
      return both(det.items.map((i) => group(itemWitnesses(i), penalty)));
    case 'anyOf':
      return det.branches.length === 0 ? null : either(det.branches.map((b) => detectionPlan(b, penalty)));
    case 'keywords':
      return group(itemWitnesses(det.item), penalty);
  }
}

function conditionPlan(c: CompiledCondition, dets: Plan[]): Plan {
  switch (c.op) {
    case 'id':
      return dets[c.det] ?? null;
    case 'not':
      return null;
    case 'or':
      return either(c.args.map((a) => conditionPlan(a, dets)));
    case 'and':
      return both(c.args.map((a) => conditionPlan(a, dets)));
    case 'of':
      return c.quantifier === 'all' ? both(c.dets.map((d) => dets[d] ?? null)) : either(c.dets.map((d) => dets[d] ?? null));
  }
}

/** The witness plan of a rule: null when the rule must always be evaluated. */
export function rulePlan(rule: CompiledRule): Plan {
  // Injected routing detections (EventID, Channel) hold for most events, so they rank last.
  const dets = rule.detections.map((d, i) => detectionPlan(d, rule.detectionNames[i]?.startsWith(HIDDEN_PREFIX) ? COST_HIDDEN_PENALTY : 0));
  if (rule.conditions.length === 0) return null;
  return either(rule.conditions.map((c) => conditionPlan(c, dets)));
}
