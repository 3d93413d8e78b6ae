// Candidate prefilter (spec 02 §12): per-rule witnesses (necessary conditions) indexed by field so an
// event only runs rules that could match. It may over-approximate but must never drop a matching rule.

import type { CompiledCondition, CompiledDetection, CompiledItem, CompiledRule } from './compile.js';
import { HIDDEN_PREFIX } from './compile.js';
import { JsonEvent, MAX_EVENT_DEPTH, type Event, type EventValue } from './event.js';
import { AnyOfMatcher, NumberMatcher, RegexMatcher, StringMatcher, fold, numericView, stringView, type ValueMatcher } from './matchers.js';

// A necessary condition of a rule match. Text is lower-cased; field is an event path.
type Witness =
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

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
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
  const paths = item.field === null ? null : item.paths;
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

// A conjunction of witness groups: every group holds for a matching event (each group is an OR).
// null = open. Each group carries its selection cost.
interface Group {
  ws: Witness[];
  cost: number;
}
type Plan = Group[] | null;

/** At most this many groups per rule: each extra group cuts candidates further but costs index work. */
const MAX_GROUPS = 3;

function group(ws: WitnessSet, penalty = 0): Plan {
  return ws === null ? null : [{ ws, cost: setCost(ws) + penalty * 1000 }];
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
  // A presence group rarely prunes anything, so it is only kept when nothing better exists.
  const kept = groups.slice(0, MAX_GROUPS).filter((g, i) => i === 0 || g.cost < COST_PRESENT * 1000);
  return kept;
}

function either(plans: Plan[]): Plan {
  if (plans.length === 1) return plans[0] ?? null;
  const ws: Witness[] = [];
  let cost = 0;
  for (let k = 0; k < plans.length; k++) {
    const p = plans[k] as Plan;
    if (p === null || p.length === 0) return null;
    const best = p[0] as Group;
    for (let j = 0; j < best.ws.length; j++) ws.push(best.ws[j] as Witness);
    cost = Math.max(cost, best.cost);
  }
  return ws.length === 0 ? null : [{ ws, cost }];
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
function rulePlan(rule: CompiledRule): Plan {
  // Injected routing detections (EventID, Channel) hold for most events, so they rank last.
  const dets = rule.detections.map((d, i) => detectionPlan(d, rule.detectionNames[i]?.startsWith(HIDDEN_PREFIX) ? COST_HIDDEN_PENALTY : 0));
  if (rule.conditions.length === 0) return null;
  return either(rule.conditions.map((c) => conditionPlan(c, dets)));
}

/** Multi-needle substring search over folded text: a dense Aho-Corasick automaton. */
class NeedleAutomaton {
  // ASCII characters of the needles get their own class; every non-ASCII character shares one class, which
  // can only add false candidates (allowed) and keeps the tables small.
  private readonly classOf = new Int32Array(128);
  /** `classOf` with A–Z mapped like a–z (needles are folded, so upper-case letters never occur in them). */
  private readonly foldedClassOf: Int32Array;
  private readonly wide: number;
  private readonly width: number;
  /** Transition table, one row of `width` entries per state; 16-bit when the state ids fit. */
  private readonly delta: Uint16Array | Int32Array;
  /** For each state, the nearest state on its suffix chain (itself included) that ends a needle, or -1. */
  private readonly report: Int32Array;
  private readonly nextReport: Int32Array;
  /** Group ids ending at each state (holes elsewhere); sized up front so it stays a fast array. */
  private readonly outputs: (number[] | undefined)[];

  constructor(needles: Map<string, number[]>) {
    let classes = 1;
    let hasWide = false;
    for (const needle of needles.keys()) {
      for (let i = 0; i < needle.length; i++) {
        const c = needle.charCodeAt(i);
        if (c >= 128) hasWide = true;
        else if (this.classOf[c] === 0) this.classOf[c] = classes++;
      }
    }
    this.wide = hasWide ? classes++ : 0;
    this.foldedClassOf = this.classOf.slice();
    for (let c = 0x41; c <= 0x5a; c++) this.foldedClassOf[c] = this.classOf[c + 0x20] as number;
    const width = classes;
    this.width = width;
    // The trie is written straight into the table (0 = no edge: the root is never a child), then
    // completed in BFS order. The table is sized exactly, and with 16-bit entries when the state ids
    // fit: touching fresh memory is most of the build cost for large needle sets. Needles are inserted
    // in sorted order (as class strings: non-ASCII characters share one class), so each one shares the
    // path of its common prefix with the previous one and its new states are written without lookups.
    const byKey = new Map<string, number[]>();
    // The needle map is the caller's scratch: its group lists become the outputs as they are.
    needles.forEach((groups, needle) => {
      const key = hasWide && !isAscii(needle) ? asciiClassed(needle) : needle;
      const same = byKey.get(key);
      if (same === undefined) byKey.set(key, groups);
      else same.push(...groups);
    });
    const keys = [...byKey.keys()].sort();
    let states0 = 1;
    let maxLength = 0;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      states0 += key.length - commonPrefix(key, k > 0 ? (keys[k - 1] as string) : '');
      if (key.length > maxLength) maxLength = key.length;
    }
    const delta = states0 <= 0x10000 ? new Uint16Array(states0 * width) : new Int32Array(states0 * width);
    const outputs: (number[] | undefined)[] = new Array(states0);
    /** States along the current key's path, by depth. */
    const path = new Int32Array(maxLength + 1);
    let states = 1;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      for (let i = commonPrefix(key, k > 0 ? (keys[k - 1] as string) : ''); i < key.length; i++) {
        const t = states++;
        delta[(path[i] as number) * width + this.cls(key.charCodeAt(i))] = t;
        path[i + 1] = t;
      }
      outputs[path[key.length] as number] = byKey.get(key);
    }
    this.outputs = outputs;
    const fail = new Int32Array(states);
    const report = new Int32Array(states).fill(-1);
    const nextReport = new Int32Array(states).fill(-1);
    const queue = new Int32Array(states);
    let tail = 0;
    for (let c = 0; c < width; c++) {
      const t = delta[c] as number;
      if (t !== 0) queue[tail++] = t;
    }
    for (let head = 0; head < tail; head++) {
      const s = queue[head] as number;
      const f = fail[s] as number;
      report[s] = outputs[s] !== undefined ? s : (report[f] as number);
      nextReport[s] = report[f] as number;
      const row = s * width;
      const frow = f * width;
      for (let c = 0; c < width; c++) {
        const t = delta[row + c] as number;
        if (t === 0) delta[row + c] = delta[frow + c] as number;
        else {
          fail[t] = delta[frow + c] as number;
          queue[tail++] = t;
        }
      }
    }
    this.delta = delta;
    this.report = report;
    this.nextReport = nextReport;
  }

  private cls(c: number): number {
    return c < 128 ? (this.classOf[c] as number) : this.wide;
  }

  /**
   * `scan` of `text.toLowerCase()` for ASCII text, without building the folded copy. Returns false
   * (having reported only a prefix) when the text is not ASCII; the caller then scans the folded text.
   */
  scanAscii(text: string, hit: (groups: number[]) => void): boolean {
    const delta = this.delta;
    const width = this.width;
    const classOf = this.foldedClassOf;
    const report = this.report;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) return false;
      s = delta[s * width + (classOf[c] as number)] as number;
      let r = report[s] as number;
      while (r >= 0) {
        hit(this.outputs[r] as number[]);
        r = this.nextReport[r] as number;
      }
    }
    return true;
  }

  /** Calls `hit` with the rules of every needle occurring in `text` (maybe more, never fewer). */
  scan(text: string, hit: (rules: number[]) => void): void {
    const delta = this.delta;
    const width = this.width;
    const classOf = this.classOf;
    const wide = this.wide;
    const report = this.report;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      s = delta[s * width + (c < 128 ? (classOf[c] as number) : wide)] as number;
      let r = report[s] as number;
      while (r >= 0) {
        hit(this.outputs[r] as number[]);
        r = this.nextReport[r] as number;
      }
    }
  }
}

/**
 * One automaton per distinct needle map (same needles for the same groups, in the same order), by path.
 * Maps are compared by a cheap key first (size and first entry) and by their full JSON only when that key
 * repeats; all comparing is done before any automaton is built, since building reuses the maps' group lists.
 */
function sharedAutomata(byPath: Map<string, Map<string, number[]>>): Map<string, NeedleAutomaton> {
  const quickCounts = new Map<string, number>();
  const quick = new Map<string, string>();
  for (const [path, needles] of byPath) {
    let key = String(needles.size);
    for (const [text, groups] of needles) {
      key = JSON.stringify([needles.size, text, groups]);
      break;
    }
    quick.set(path, key);
    quickCounts.set(key, (quickCounts.get(key) ?? 0) + 1);
  }
  const signature = new Map<string, string>();
  for (const [path, needles] of byPath) {
    const key = quick.get(path) as string;
    signature.set(path, (quickCounts.get(key) as number) > 1 ? JSON.stringify([...needles]) : `${path}\u0000unique`);
  }
  const built = new Map<string, NeedleAutomaton>();
  const out = new Map<string, NeedleAutomaton>();
  for (const [path, needles] of byPath) {
    const sig = signature.get(path) as string;
    let automaton = built.get(sig);
    if (automaton === undefined) {
      automaton = new NeedleAutomaton(needles);
      built.set(sig, automaton);
    }
    out.set(path, automaton);
  }
  return out;
}

/** Length of the common prefix of two strings. */
function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let n = 0;
  while (n < max && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  return n;
}

// `s` with every non-ASCII character replaced by U+0080, the one character standing for their shared class.
function asciiClassed(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i) < 128 ? s[i] : '\u0080';
  return out;
}

/** Keyword needles are copied into field automata only up to this many: more would bloat every table. */
const MAX_MERGED_KEYWORDS = 128;

// Everything indexed for one event path.
interface FieldIndex {
  path: string;
  /** The field automaton also holds the keyword needles. */
  keywords: boolean;
  present: number[];
  str: Map<string, number[]>;
  num: Map<number, number[]>;
  sub: NeedleAutomaton | null;
}

function pushTo<K>(map: Map<K, number[]>, key: K, rule: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [rule]);
  else if (list[list.length - 1] !== rule) list.push(rule);
}

/**
 * Index of rule witnesses. `candidates(event)` returns, in rule order, every rule that could match
 * (open rules always included).
 */
export class CandidateIndex {
  private readonly simple = new Map<string, FieldIndex>();
  private readonly complex: FieldIndex[] = [];
  /** Dotted paths by each root key that can start them (`a`, `a.b`, … for `a.b.c`); see JsonEvent.get. */
  private readonly complexByRoot = new Map<string, FieldIndex[]>();
  /** Dotted paths starting with `*`, which any root key can start. */
  private readonly complexAnyRoot: FieldIndex[] = [];
  private readonly keyword: NeedleAutomaton | null;
  private readonly open: number[] = [];
  /** Owning rule of each witness group, and how many groups each rule needs to see hit. */
  private readonly groupRule: Int32Array;
  private readonly need: Int32Array;
  private readonly groupStamp: Uint32Array;
  private readonly ruleStamp: Uint32Array;
  private readonly hits: Int32Array;
  private epoch = 0;
  private readonly found: Int32Array;
  private count = 0;
  private readonly mark = (groups: number[]): void => {
    const epoch = this.epoch;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as number;
      if (this.groupStamp[g] === epoch) continue;
      this.groupStamp[g] = epoch;
      const r = this.groupRule[g] as number;
      if (this.ruleStamp[r] !== epoch) {
        this.ruleStamp[r] = epoch;
        this.hits[r] = 0;
      }
      const h = ++(this.hits[r] as number);
      if (h === this.need[r]) this.found[this.count++] = r;
    }
  };

  constructor(rules: readonly CompiledRule[]) {
    const plans = rules.map(rulePlan);
    const groupCount = plans.reduce((n, p) => n + (p?.length ?? 0), 0);
    this.groupRule = new Int32Array(groupCount);
    this.groupStamp = new Uint32Array(groupCount);
    this.need = new Int32Array(rules.length);
    this.ruleStamp = new Uint32Array(rules.length);
    this.hits = new Int32Array(rules.length);
    this.found = new Int32Array(rules.length);
    const subs = new Map<string, Map<string, number[]>>();
    const kw = new Map<string, number[]>();
    const fields = new Map<string, FieldIndex>();
    const fieldOf = (path: string): FieldIndex => {
      let f = fields.get(path);
      if (f === undefined) {
        f = { path, keywords: false, present: [], str: new Map(), num: new Map(), sub: null };
        fields.set(path, f);
      }
      return f;
    };
    let nextGroup = 0;
    for (let rule = 0; rule < plans.length; rule++) {
      const plan = plans[rule] as Plan;
      if (plan === null || plan.length === 0) {
        this.open.push(rule);
        continue;
      }
      this.need[rule] = plan.length;
      for (let k = 0; k < plan.length; k++) {
        const ws = (plan[k] as Group).ws;
        const g = nextGroup++;
        this.groupRule[g] = rule;
        for (let j = 0; j < ws.length; j++) {
          const w = ws[j] as Witness;
          switch (w.k) {
            case 'present': {
              const p = fieldOf(w.field).present;
              if (p[p.length - 1] !== g) p.push(g);
              break;
            }
            case 'str':
              pushTo(fieldOf(w.field).str, w.text, g);
              break;
            case 'num':
              pushTo(fieldOf(w.field).num, w.num, g);
              break;
            case 'sub': {
              fieldOf(w.field);
              let m = subs.get(w.field);
              if (m === undefined) subs.set(w.field, (m = new Map()));
              pushTo(m, w.text, g);
              break;
            }
            case 'kw':
              pushTo(kw, w.text, g);
              break;
          }
        }
      }
    }
    for (const f of fields.values()) {
      if (f.path.indexOf('.') < 0 && f.path !== '*') this.simple.set(f.path, f);
      else {
        this.complex.push(f);
        const segs = f.path.split('.');
        if (segs[0] === '*') this.complexAnyRoot.push(f);
        else {
          for (let j = 1; j <= segs.length; j++) {
            const key = segs.slice(0, j).join('.');
            const list = this.complexByRoot.get(key);
            if (list === undefined) this.complexByRoot.set(key, [f]);
            else list.push(f);
          }
        }
      }
    }
    // Keyword needles also go into every flat field's automaton, so a flat event's indexed scalar
    // fields are scanned once for both; only the other leaves need the keyword automaton.
    if (kw.size > 0 && kw.size <= MAX_MERGED_KEYWORDS) {
      for (const f of this.simple.values()) {
        const m = subs.get(f.path);
        if (m === undefined) continue;
        for (const [text, groups] of kw) for (const g of groups) pushTo(m, text, g);
        f.keywords = true;
      }
    }
    // Paths that a pipeline coalesces (`Event.EventData.Image` and `Image`, …) collect the same needles for
    // the same groups: one automaton serves them all (with the `windows` pipeline, half as many to build).
    for (const [path, automaton] of sharedAutomata(subs)) (fields.get(path) as FieldIndex).sub = automaton;
    this.keyword = kw.size > 0 ? new NeedleAutomaton(kw) : null;
  }

  /** Rules that could match `event`, ascending; the view is overwritten by the next call. */
  candidates(event: Event): Int32Array {
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      this.groupStamp.fill(0);
      this.ruleStamp.fill(0);
      this.epoch = 1;
    }
    this.count = 0;
    const kw = this.keyword;
    const root = event instanceof JsonEvent ? event.value : undefined;
    let keywordsDone = false;
    if (typeof root === 'object' && root !== null && !Array.isArray(root)) {
      const obj = root as Record<string, EventValue>;
      for (const key in obj) {
        const v = obj[key] as EventValue;
        const f = this.simple.get(key);
        if (f !== undefined) this.visitField(f, v, event);
        const dotted = this.complexByRoot.get(key);
        if (dotted !== undefined) this.visitDotted(dotted, event);
        // Scalars of indexed flat fields were scanned for keyword needles by their own automaton.
        if (kw !== null && (f === undefined || !f.keywords || (typeof v === 'object' && v !== null))) this.scanKeywords(kw, v, event, 1);
      }
      this.visitDotted(this.complexAnyRoot, event);
      keywordsDone = true;
    } else {
      for (const f of this.simple.values()) {
        const v = event.get(f.path);
        if (v !== undefined) this.visitField(f, v, event);
      }
      this.visitDotted(this.complex, event);
    }
    if (kw !== null && !keywordsDone) {
      const scanLeaf = (leaf: string): boolean => {
        kw.scan(fold(event, leaf), this.mark);
        return false;
      };
      if (event instanceof JsonEvent) for (const leaf of event.leaves()) scanLeaf(leaf);
      else event.someLeaf(scanLeaf);
    }
    const open = this.open;
    for (let i = 0; i < open.length; i++) this.found[this.count++] = open[i] as number;
    return this.found.subarray(0, this.count).sort();
  }

  /** Number of rules that are always evaluated. */
  openCount(): number {
    return this.open.length;
  }

  // Keyword scan of one subtree, with the leaf rules and depth limit of JsonEvent.someLeaf.
  private scanKeywords(kw: NeedleAutomaton, v: EventValue, event: Event, depth: number): void {
    switch (typeof v) {
      case 'string':
        if (!kw.scanAscii(v, this.mark)) kw.scan(fold(event, v), this.mark);
        return;
      case 'number':
        if (Number.isFinite(v)) kw.scan(String(v), this.mark);
        return;
      case 'boolean':
        kw.scan(v ? 'true' : 'false', this.mark);
        return;
      default:
        if (v === null || depth >= MAX_EVENT_DEPTH) return;
        if (Array.isArray(v)) for (const el of v) this.scanKeywords(kw, el, event, depth + 1);
        else for (const k in v) this.scanKeywords(kw, v[k] as EventValue, event, depth + 1);
    }
  }

  private visitDotted(fields: readonly FieldIndex[], event: Event): void {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as FieldIndex;
      const v = event.get(f.path);
      if (v !== undefined) this.visitField(f, v, event);
    }
  }

  private visitField(f: FieldIndex, value: EventValue, event: Event): void {
    if (f.present.length > 0) this.mark(f.present);
    if (f.str.size > 0 || f.num.size > 0 || f.sub !== null) this.visitLeaves(f, value, event, 0);
  }

  private visitLeaves(f: FieldIndex, v: EventValue, event: Event, depth: number): void {
    if (Array.isArray(v)) {
      if (depth < MAX_EVENT_DEPTH) for (const el of v) this.visitLeaves(f, el, event, depth + 1);
      return;
    }
    const sv = stringView(v);
    if (sv === null) return;
    if (f.str.size > 0) {
      const rules = f.str.get(fold(event, sv));
      if (rules !== undefined) this.mark(rules);
    }
    if (f.num.size > 0) {
      const n = numericView(v);
      if (n !== undefined) {
        const rules = f.num.get(n);
        if (rules !== undefined) this.mark(rules);
      }
    }
    // ASCII text is folded on the fly; anything else is folded first (toLowerCase is not per-ASCII there).
    if (f.sub !== null && !f.sub.scanAscii(sv, this.mark)) f.sub.scan(fold(event, sv), this.mark);
  }
}
