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

// eslint-disable-next-line @typescript-eslint/unbound-method -- only called as hasOwn.call(obj, key), which supplies `this`
const hasOwn = Object.prototype.hasOwnProperty;

const STAR = 0x2a;

/**
 * The event type of both engines: parsed JSON (or any plain object tree). Every input format becomes one
 * (spec 02 §2), so the hot paths read its root object, keyword leaves and folding memo directly.
 *
 * Lookup order: an own root key equal to the whole path wins; otherwise the path is split on `.` and
 * walked, trying the longest run of segments that names a key first; arrays are transparent and a
 * `*` segment selects every child.
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

  constructor(value: unknown) {
    this.value = value;
  }

  /** The value at `path`, or `undefined` when the field is absent. */
  get(path: string): EventValue | undefined {
    const root = this.value;
    const rootIsObject = typeof root === 'object' && root !== null && !Array.isArray(root);
    if (rootIsObject) {
      const direct = (root as Record<string, EventValue>)[path];
      if (direct !== undefined && hasOwn.call(root, path)) return direct;
      // A path without `.` or `*` can only name a root key, which was just checked; a dotted path
      // needs a root key equal to one of its leading segment runs (`a`, `a.b`, …).
      if (path.indexOf('.') < 0) {
        if (path !== '*') return undefined;
      } else if (path.charCodeAt(0) !== STAR && !hasLeadingRun(root, path)) return undefined;
    }
    let cache = this.pathCache;
    if (cache === undefined) {
      cache = new Map();
      this.pathCache = cache;
    } else {
      const hit = cache.get(path);
      if (hit !== undefined) return hit === ABSENT ? undefined : hit;
    }
    const found = resolvePath(root, path);
    cache.set(path, found === undefined ? ABSENT : found);
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

// True when `root` has an own key equal to a proper leading run of segments of the dotted `path`.
function hasLeadingRun(root: object, path: string): boolean {
  for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) {
    if (hasOwn.call(root, path.slice(0, i))) return true;
  }
  return false;
}

/** Resolves `path` from `root` by spec 02 §2 rules 2–5 (the own-key shortcut is the caller's). */
function resolvePath(root: unknown, path: string): EventValue | undefined {
  const segments = path.split('.');
  if (segments.length > MAX_PATH_SEGMENTS) return undefined;
  const out: EventValue[] = [];
  walk(root, segments, 0, 0, out);
  if (out.length === 0) return undefined;
  return out.length === 1 ? out[0] : out;
}

function walk(node: unknown, segs: string[], i: number, depth: number, out: EventValue[]): void {
  if (i === segs.length) {
    out.push(node as EventValue);
    return;
  }
  if (depth >= MAX_EVENT_DEPTH || typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    // `*` consumes itself on an array; any other segment passes through it ("any element").
    const next = segs[i] === '*' ? i + 1 : i;
    for (const el of node) walk(el, segs, next, depth + 1, out);
    return;
  }
  const obj = node as Record<string, unknown>;
  if (segs[i] === '*') {
    for (const key of Object.keys(obj)) walk(obj[key], segs, i + 1, depth + 1, out);
    return;
  }
  for (let j = segs.length; j > i; j--) {
    const key = j === i + 1 ? (segs[i] as string) : segs.slice(i, j).join('.');
    if (!hasOwn.call(obj, key)) continue;
    const before = out.length;
    walk(obj[key], segs, j, depth + 1, out);
    if (out.length > before) return;
  }
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
