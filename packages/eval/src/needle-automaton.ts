// Multi-needle substring search for the prefilter: a dense Aho-Corasick automaton over folded text, and
// sharing of identical automata between paths. It knows nothing about rules, only needles and group ids.

import { appendAll } from './append-all.js';

/** True when every character of `s` is ASCII (folding it is then per character). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Multi-needle substring search over folded text: a dense Aho-Corasick automaton. */
export class NeedleAutomaton {
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
      else appendAll(same, groups);
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
    const outputs = new Array<number[] | undefined>(states0);
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
export function sharedAutomata(byPath: Map<string, Map<string, number[]>>): Map<string, NeedleAutomaton> {
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
