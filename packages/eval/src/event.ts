// The event rules are evaluated against (spec 02 §2): field lookup by dotted path, keyword leaves and
// per-event folding memo over a JSON tree. Read-only over the wrapped value; it never parses text or copies the event.

/** A JSON-like value found in an event. */
export type EventValue = string | number | boolean | null | EventValue[] | { [k: string]: EventValue };

/** Paths with more segments than this are absent: real field paths stay far below it. */
export const MAX_PATH_SEGMENTS = 64;

/** JSON nested deeper than this is not traversed, which bounds recursion on hostile input. */
export const MAX_EVENT_DEPTH = 64;

// Marks "looked up and absent" in the per-event path cache (undefined means "not looked up").
const ABSENT: unique symbol = Symbol('absent');

// Strings up to this length are cheaper to fold again than to look up in the per-event cache.
const SHORT_STRING = 16;

/** Paths that `get(path: string)` keeps parsed: more than any rule set reads, few enough to stay small. */
const MAX_MEMO_PATHS = 4096;

// eslint-disable-next-line @typescript-eslint/unbound-method -- only called as hasOwn.call(obj, key), which supplies `this`
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * How a lookup from an object root proceeds after the own-key check (spec 02 §2 rule 1): `root-key`, no
 * `.` (and not `*`) or too many segments, so only that own key can answer; `any-root`, a leading `*`
 * segment that any root key can start; `dotted`, a root key equal to a leading run of segments must exist.
 */
type PathKind = 'root-key' | 'any-root' | 'dotted';

/**
 * A field path parsed once (spec 02 §2): split into segments when a rule is compiled, so that looking it
 * up in each event walks the segments without splitting, slicing or joining strings.
 *
 * @example
 * new JsonEvent({ a: { b: 1 } }).resolve(new FieldPath('a.b')); // 1
 */
export class FieldPath {
  /** The path as written (after pipelines); results and explanations show this. */
  readonly text: string;
  /** `text` split on `.`. */
  readonly segments: readonly string[];
  /** Which checks a lookup from an object root needs before walking. */
  readonly kind: PathKind;
  /** The proper leading runs of segments (`a`, `a.b` for `a.b.c`), shortest first. */
  readonly leadingRuns: readonly string[];
  // Segments i..j-1 joined by `.` (j - i >= 2) at [i * (n + 1) + j], built on first use: only events with
  // dotted keys ever ask for them.
  private runs: string[] | undefined;

  constructor(text: string) {
    this.text = text;
    const segments = text.split('.');
    this.segments = segments;
    const leadingRuns: string[] = [];
    if (segments.length > MAX_PATH_SEGMENTS || (segments.length === 1 && text !== '*')) this.kind = 'root-key';
    else if (segments[0] === '*') this.kind = 'any-root';
    else {
      this.kind = 'dotted';
      for (let i = text.indexOf('.'); i >= 0; i = text.indexOf('.', i + 1)) leadingRuns.push(text.slice(0, i));
    }
    this.leadingRuns = leadingRuns;
  }

  /** Segments `from`..`to - 1` joined by `.`, for dotted-key lookups. */
  run(from: number, to: number): string {
    const n = this.segments.length;
    const runs = (this.runs ??= new Array<string>((n + 1) * (n + 1)));
    const at = from * (n + 1) + to;
    return (runs[at] ??= this.segments.slice(from, to).join('.'));
  }
}

// Parsed paths of `JsonEvent.get(path: string)` callers (correlation, explain, log source extraction), which
// ask for the same few fields on every event.
const memoPaths = new Map<string, FieldPath>();

function memoPath(text: string): FieldPath {
  let path = memoPaths.get(text);
  if (path === undefined) {
    if (memoPaths.size >= MAX_MEMO_PATHS) memoPaths.clear();
    path = new FieldPath(text);
    memoPaths.set(text, path);
  }
  return path;
}

/**
 * The event type of both engines: parsed JSON (or any plain object tree). Every input format becomes one
 * (spec 02 §2), so the hot paths read its root object, keyword leaves and folding memo directly.
 *
 * Lookup order: an own root key equal to the whole path wins; otherwise the path is split on `.` and
 * walked, trying the longest run of segments that names a key first; arrays are transparent and a
 * `*` segment selects every child. Compiled rules hold their paths as {@link FieldPath}s, split once.
 *
 * @example
 * const ev = new JsonEvent(JSON.parse('{"actor":{"alternateId":"bob"}}'));
 * ev.get('actor.alternateId'); // 'bob'
 */
export class JsonEvent {
  /** The wrapped value, as passed to the constructor. */
  readonly value: unknown;
  private pathCache: Map<string, EventValue | typeof ABSENT> | undefined;
  private leafCache: string[] | undefined;
  private lowerCache: Map<string, string> | undefined;
  // Every own key holding a `.` in the event (null: none). Without such keys a walk only ever tries single
  // segments, so most events are scanned once, on their first walk, and never build a joined run.
  private dottedKeys: ReadonlySet<string> | null = null;
  private dottedScanned = false;

  constructor(value: unknown) {
    this.value = value;
  }

  /** The value at `path`, or `undefined` when the field is absent. */
  get(path: string): EventValue | undefined {
    const root = this.value;
    if (typeof root === 'object' && root !== null && !Array.isArray(root)) {
      const direct = (root as Record<string, EventValue>)[path];
      if (direct !== undefined && hasOwn.call(root, path)) return direct;
      // A path without `.` can only name a root key, which was just checked (or be `*`).
      if (path.indexOf('.') < 0 && path !== '*') return undefined;
    }
    return this.resolve(memoPath(path));
  }

  /** The value at a parsed path, or `undefined` when the field is absent: the same answer as `get(path.text)`. */
  resolve(path: FieldPath): EventValue | undefined {
    const root = this.value;
    if (typeof root === 'object' && root !== null && !Array.isArray(root)) {
      // Once the event is known to have no dotted keys, no root key can equal a path holding a `.`, and
      // the descent below tries the first segment anyway: the checks of rules 1 and 2 would only repeat it.
      if (!this.dottedScanned || this.dottedKeys !== null || path.kind === 'root-key' || path.segments.length === 1) {
        const text = path.text;
        const direct = (root as Record<string, EventValue>)[text];
        if (direct !== undefined && hasOwn.call(root, text)) return direct;
        if (path.kind === 'root-key') return undefined;
        if (path.kind === 'dotted' && !hasLeadingRun(root, path.leadingRuns)) return undefined;
      }
    } else if (path.segments.length > MAX_PATH_SEGMENTS) return undefined;
    const dotted = this.hasDottedKeys() ? this.dottedKeys : null;
    if (dotted === null) {
      const single = descend(root, path.segments);
      if (single !== MANY) return single;
    }
    return this.walkCached(root, path, dotted);
  }

  /** True when some object of the event has an own key containing `.` (so a path may name it as one run). */
  hasDottedKeys(): boolean {
    if (!this.dottedScanned) {
      this.dottedKeys = scanDottedKeys(this.value, 0, null);
      this.dottedScanned = true;
    }
    return this.dottedKeys !== null;
  }

  // The general walk (several results, or dotted keys to try), cached per event: it allocates.
  private walkCached(root: unknown, path: FieldPath, dotted: ReadonlySet<string> | null): EventValue | undefined {
    let cache = this.pathCache;
    if (cache === undefined) {
      cache = new Map();
      this.pathCache = cache;
    } else {
      const hit = cache.get(path.text);
      if (hit !== undefined) return hit === ABSENT ? undefined : hit;
    }
    const out: EventValue[] = [];
    walk(root, path, 0, 0, dotted, out);
    const found = out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
    cache.set(path.text, found === undefined ? ABSENT : found);
    return found;
  }

  /** True when `pred` holds for the string view of some string, number or boolean leaf (keyword search). */
  someLeaf(pred: (text: string) => boolean): boolean {
    let leaves = this.leafCache;
    if (leaves === undefined) {
      leaves = [];
      collectLeaves(this.value, 0, leaves);
      this.leafCache = leaves;
    }
    for (const leaf of leaves) if (pred(leaf)) return true;
    return false;
  }

  /** Every keyword leaf (string view of each string, number and boolean), in document order. */
  leaves(): readonly string[] {
    if (this.leafCache === undefined) {
      const leaves: string[] = [];
      collectLeaves(this.value, 0, leaves);
      this.leafCache = leaves;
    }
    return this.leafCache;
  }

  /** `s.toLowerCase()`, memoised per event so many rules reading one field fold it once. */
  lower(s: string): string {
    if (s.length <= SHORT_STRING) return s.toLowerCase();
    let cache = this.lowerCache;
    if (cache === undefined) {
      cache = new Map();
      this.lowerCache = cache;
    }
    let folded = cache.get(s);
    if (folded === undefined) {
      folded = s.toLowerCase();
      cache.set(s, folded);
    }
    return folded;
  }

  /** The whole event, for `include_event` and correlation storage. */
  toJSON(): unknown {
    return this.value;
  }
}

// True when `root` has an own key equal to one of `runs`.
function hasLeadingRun(root: object, runs: readonly string[]): boolean {
  for (let i = 0; i < runs.length; i++) if (hasOwn.call(root, runs[i] as string)) return true;
  return false;
}

// Returned by `descend` when the path meets an array or a `*` segment, which may give several results.
const MANY: unique symbol = Symbol('many');

/**
 * Walks `segs` one key at a time, for events without dotted keys (where spec 02 §2 rule 2 only ever
 * matches single segments). Stops with {@link MANY} at the first array or `*` segment.
 */
function descend(root: unknown, segs: readonly string[]): EventValue | undefined | typeof MANY {
  let node = root;
  for (let i = 0; i < segs.length; i++) {
    if (typeof node !== 'object' || node === null) return undefined;
    const seg = segs[i] as string;
    if (Array.isArray(node) || seg === '*') return MANY;
    if (i >= MAX_EVENT_DEPTH || !hasOwn.call(node, seg)) return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node as EventValue | undefined;
}

/**
 * Spec 02 §2 rules 2–5 from `node` at segment `i` (the own-key shortcut is the caller's). Runs of several
 * segments are only tried when the event has dotted keys (`dotted`), and only those that are one of them.
 */
function walk(node: unknown, path: FieldPath, i: number, depth: number, dotted: ReadonlySet<string> | null, out: EventValue[]): void {
  const segs = path.segments;
  if (i === segs.length) {
    out.push(node as EventValue);
    return;
  }
  if (depth >= MAX_EVENT_DEPTH || typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    // `*` consumes itself on an array; any other segment passes through it ("any element").
    const next = segs[i] === '*' ? i + 1 : i;
    for (const el of node) walk(el, path, next, depth + 1, dotted, out);
    return;
  }
  const obj = node as Record<string, unknown>;
  if (segs[i] === '*') {
    for (const key of Object.keys(obj)) walk(obj[key], path, i + 1, depth + 1, dotted, out);
    return;
  }
  if (dotted !== null) {
    for (let j = segs.length; j > i + 1; j--) {
      const key = path.run(i, j);
      if (!dotted.has(key) || !hasOwn.call(obj, key)) continue;
      const before = out.length;
      walk(obj[key], path, j, depth + 1, dotted, out);
      if (out.length > before) return;
    }
  }
  const key = segs[i] as string;
  if (hasOwn.call(obj, key)) walk(obj[key], path, i + 1, depth + 1, dotted, out);
}

/**
 * Every own key containing `.` of the objects a walk can reach (down to {@link MAX_EVENT_DEPTH}), or null
 * when there is none. Own names include non-enumerable ones, as `hasOwnProperty` does.
 */
function scanDottedKeys(node: unknown, depth: number, found: Set<string> | null): Set<string> | null {
  if (depth >= MAX_EVENT_DEPTH || typeof node !== 'object' || node === null) return found;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const el: unknown = node[i];
      if (typeof el === 'object' && el !== null) found = scanDottedKeys(el, depth + 1, found);
    }
    return found;
  }
  // for-in without a key array: this runs once per event with nested objects (every EVTX record).
  for (const key in node) {
    if (!hasOwn.call(node, key)) continue;
    if (key.indexOf('.') >= 0) (found ??= new Set()).add(key);
    const value: unknown = (node as Record<string, unknown>)[key];
    if (typeof value === 'object' && value !== null) found = scanDottedKeys(value, depth + 1, found);
  }
  return found;
}

function collectLeaves(node: unknown, depth: number, out: string[]): void {
  switch (typeof node) {
    case 'string':
      out.push(node);
      return;
    case 'number':
      if (Number.isFinite(node)) out.push(String(node));
      return;
    case 'boolean':
      out.push(node ? 'true' : 'false');
      return;
    case 'object':
      if (node === null || depth >= MAX_EVENT_DEPTH) return;
      if (Array.isArray(node)) {
        for (const el of node) collectLeaves(el, depth + 1, out);
      } else {
        for (const key in node) {
          if (hasOwn.call(node, key)) collectLeaves((node as Record<string, unknown>)[key], depth + 1, out);
        }
      }
      return;
    default:
      return;
  }
}
