// Candidate prefilter (spec 02 §12): per-rule witnesses (necessary conditions) indexed by field so an
// event only runs rules that could match. It may over-approximate but must never drop a matching rule.

import type { CompiledRule } from './compile.js';
import { FieldPath, MAX_EVENT_DEPTH, type EventValue, type JsonEvent } from './event.js';
import { numericView, stringView } from './matchers.js';
import { NeedleAutomaton, sharedAutomata } from './needle-automaton.js';
import { rulePlan, type Group, type Plan, type Witness } from './prefilter-plan.js';

/** Keyword needles are copied into field automata only up to this many: more would bloat every table. */
const MAX_MERGED_KEYWORDS = 128;

/**
 * A path-tree node with at most this many next segments probes them in the event object; a node with more
 * (EventData under the `windows` pipeline: hundreds) looks up each of the object's keys instead.
 */
const FEW_SEGMENTS = 8;

// eslint-disable-next-line @typescript-eslint/unbound-method -- only called as hasOwn.call(obj, key), which supplies `this`
const hasOwn = Object.prototype.hasOwnProperty;

// Everything indexed for one event path.
interface FieldIndex {
  path: FieldPath;
  /** The field automaton also holds the keyword needles. */
  keywords: boolean;
  present: number[];
  str: Map<string, number[]>;
  num: Map<number, number[]>;
  sub: NeedleAutomaton | null;
}

/** The dotted indexed paths as a tree of segments, so that one walk of an event visits every one of them. */
interface PathNode {
  /** Indexed paths whose last segment leads here. */
  readonly ends: FieldIndex[];
  readonly next: Map<string, PathNode>;
  /** The keys of `next`, probed one by one when there are few. */
  readonly nextKeys: string[];
  /** The node after a `*` segment. */
  star: PathNode | null;
}

function newPathNode(): PathNode {
  return { ends: [], next: new Map(), nextKeys: [], star: null };
}

function addToPathTree(root: PathNode, f: FieldIndex): void {
  let node = root;
  for (const seg of f.path.segments) {
    if (seg === '*') node = node.star ??= newPathNode();
    else {
      let child = node.next.get(seg);
      if (child === undefined) {
        child = newPathNode();
        node.next.set(seg, child);
        node.nextKeys.push(seg);
      }
      node = child;
    }
  }
  node.ends.push(f);
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
  /** The dotted paths as a tree, walked instead of looking each one up when the event has no dotted keys. */
  private readonly pathTree = newPathNode();
  private readonly keyword: NeedleAutomaton | null;
  /** Rules with a keyword witness: only they need the keyword scan. */
  private readonly keywordRules: number[] = [];
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
        f = { path: new FieldPath(path), keywords: false, present: [], str: new Map(), num: new Map(), sub: null };
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
              if (m === undefined) subs.set(w.field, (m = new Map<string, number[]>()));
              pushTo(m, w.text, g);
              break;
            }
            case 'kw':
              pushTo(kw, w.text, g);
              if (this.keywordRules[this.keywordRules.length - 1] !== rule) this.keywordRules.push(rule);
              break;
          }
        }
      }
    }
    for (const f of fields.values()) {
      const text = f.path.text;
      if (text.indexOf('.') < 0 && text !== '*') this.simple.set(text, f);
      else {
        this.complex.push(f);
        addToPathTree(this.pathTree, f);
        if (f.path.segments[0] === '*') this.complexAnyRoot.push(f);
        else {
          for (const key of [...f.path.leadingRuns, text]) {
            const list = this.complexByRoot.get(key);
            if (list === undefined) this.complexByRoot.set(key, [f]);
            else list.push(f);
          }
        }
      }
    }
    // Keyword needles also go into every field automaton, so an event's indexed scalar fields are scanned once
    // for both; only the other leaves need the keyword automaton (flat fields: see `candidates`; dotted ones, such
    // as the windows pipeline's `Event.EventData.*`: see `scanKeywordsAlong`).
    if (kw.size > 0 && kw.size <= MAX_MERGED_KEYWORDS) {
      for (const f of fields.values()) {
        const m = subs.get(f.path.text);
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

  /**
   * Rules that could match `event`, ascending; the view is overwritten by the next call. Without `scanKeywords`
   * the leaves are not scanned for keyword needles, so rules that need a keyword witness may be missing.
   */
  candidates(event: JsonEvent, scanKeywords = true): Int32Array {
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      this.groupStamp.fill(0);
      this.ruleStamp.fill(0);
      this.epoch = 1;
    }
    this.count = 0;
    const kw = scanKeywords ? this.keyword : null;
    const root = event.value;
    if (typeof root === 'object' && root !== null && !Array.isArray(root)) {
      const obj = root as Record<string, EventValue>;
      let dottedPathsStart = this.complexAnyRoot.length > 0;
      for (const key in obj) {
        const f = this.simple.get(key);
        if (f !== undefined) this.visitField(f, obj[key] as EventValue, event);
        if (!dottedPathsStart && this.complexByRoot.has(key)) dottedPathsStart = true;
      }
      // Without dotted keys a lookup is a walk of single segments, which the path tree does for every indexed path
      // at once, led by the event's keys; otherwise each path is looked up.
      const treeWalk = dottedPathsStart && !event.hasDottedKeys();
      if (dottedPathsStart) {
        if (treeWalk) this.visitEdges(this.pathTree, obj, 0, event, true);
        else {
          for (const key in obj) {
            const dotted = this.complexByRoot.get(key);
            if (dotted !== undefined) this.visitDotted(dotted, event);
          }
          this.visitDotted(this.complexAnyRoot, event);
        }
      }
      if (kw !== null) {
        for (const key in obj) {
          const v = obj[key] as EventValue;
          const f = this.simple.get(key);
          // Scalars of indexed flat fields were scanned for keyword needles by their own automaton.
          if (f !== undefined && f.keywords && (typeof v !== 'object' || v === null)) continue;
          this.scanKeywordsAlong(kw, treeWalk ? (this.pathTree.next.get(key) ?? null) : null, v, event, 1);
        }
      }
    } else {
      for (const f of this.simple.values()) {
        const v = event.resolve(f.path);
        if (v !== undefined) this.visitField(f, v, event);
      }
      this.visitDotted(this.complex, event);
      if (kw !== null) for (const leaf of event.leaves()) kw.scan(event.lower(leaf), this.mark);
    }
    const open = this.open;
    for (let i = 0; i < open.length; i++) this.found[this.count++] = open[i] as number;
    return this.found.subarray(0, this.count).sort();
  }

  /**
   * Whether any rule `runs` lets run has a keyword witness; when none does, `candidates` may skip the keyword scan
   * (logsource routing keeps other products' keyword rules off an event).
   */
  needsKeywordScan(runs: Uint8Array): boolean {
    return this.keywordRules.some((rule) => runs[rule] === 1);
  }

  /** Number of rules that are always evaluated. */
  openCount(): number {
    return this.open.length;
  }

  /**
   * The keyword scan of a subtree the path-tree walk went through, `node` being where that walk stood: a scalar at a
   * node where an indexed field with merged keyword needles ends was already scanned for them by `visitLeaves`.
   * Elsewhere (no node, arrays, `*` paths) every leaf is scanned.
   */
  private scanKeywordsAlong(kw: NeedleAutomaton, node: PathNode | null, v: EventValue, event: JsonEvent, depth: number): void {
    if (node === null || Array.isArray(v)) {
      this.scanKeywords(kw, v, event, depth);
      return;
    }
    if (typeof v !== 'object' || v === null) {
      for (let i = 0; i < node.ends.length; i++) if ((node.ends[i] as FieldIndex).keywords) return;
      this.scanKeywords(kw, v, event, depth);
      return;
    }
    if (depth >= MAX_EVENT_DEPTH) return;
    for (const key in v) this.scanKeywordsAlong(kw, node.next.get(key) ?? null, v[key] as EventValue, event, depth + 1);
  }

  // Keyword scan of one subtree, with the leaf rules and depth limit of JsonEvent.someLeaf.
  private scanKeywords(kw: NeedleAutomaton, v: EventValue, event: JsonEvent, depth: number): void {
    switch (typeof v) {
      case 'string':
        if (!kw.scanAscii(v, this.mark)) kw.scan(event.lower(v), this.mark);
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

  // The values of the paths that end at `node` are `v`; then on along the tree.
  private visitNode(node: PathNode, v: unknown, depth: number, event: JsonEvent): void {
    if (v !== undefined) for (let i = 0; i < node.ends.length; i++) this.visitField(node.ends[i] as FieldIndex, v as EventValue, event);
    this.visitEdges(node, v, depth, event, true);
  }

  // From `v` on along the segments after `node`, as JsonEvent's walk goes when no key holds a `.` (spec 02
  // §2): arrays pass a segment on to every element and consume a `*`; `*` takes every child of an object.
  // A path found through several elements is visited once per value, which marks what its array would.
  private visitEdges(node: PathNode, v: unknown, depth: number, event: JsonEvent, withStar: boolean): void {
    if (depth >= MAX_EVENT_DEPTH || typeof v !== 'object' || v === null) return;
    const star = withStar ? node.star : null;
    if (Array.isArray(v)) {
      for (const el of v) {
        if (node.nextKeys.length > 0) this.visitEdges(node, el, depth + 1, event, false);
        if (star !== null) this.visitNode(star, el, depth + 1, event);
      }
      return;
    }
    const obj = v as Record<string, unknown>;
    const keys = node.nextKeys;
    if (keys.length > FEW_SEGMENTS) {
      // As at the root, the object's enumerable keys lead (JSON has no other kind).
      for (const key in obj) {
        const child = node.next.get(key);
        if (child !== undefined) this.visitNode(child, obj[key], depth + 1, event);
      }
    } else {
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (hasOwn.call(obj, key)) this.visitNode(node.next.get(key) as PathNode, obj[key], depth + 1, event);
      }
    }
    if (star !== null) for (const key of Object.keys(obj)) this.visitNode(star, obj[key], depth + 1, event);
  }

  private visitDotted(fields: readonly FieldIndex[], event: JsonEvent): void {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as FieldIndex;
      const v = event.resolve(f.path);
      if (v !== undefined) this.visitField(f, v, event);
    }
  }

  private visitField(f: FieldIndex, value: EventValue, event: JsonEvent): void {
    if (f.present.length > 0) this.mark(f.present);
    if (f.str.size > 0 || f.num.size > 0 || f.sub !== null) this.visitLeaves(f, value, event, 0);
  }

  private visitLeaves(f: FieldIndex, v: EventValue, event: JsonEvent, depth: number): void {
    if (Array.isArray(v)) {
      if (depth < MAX_EVENT_DEPTH) for (const el of v) this.visitLeaves(f, el, event, depth + 1);
      return;
    }
    const sv = stringView(v);
    if (sv === null) return;
    if (f.str.size > 0) {
      const rules = f.str.get(event.lower(sv));
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
    if (f.sub !== null && !f.sub.scanAscii(sv, this.mark)) f.sub.scan(event.lower(sv), this.mark);
  }
}
