// One (correlation, group) window: entries ordered by (timestamp, sequence) with incrementally
// maintained aggregates (spec 03 §5–§6). It knows nothing about groups, suppression or firing.

import type { CompiledCorrelation, Predicate } from './compile.js';
import type { EvidenceBuffer } from './evidence.js';

/**
 * Evicted slots at the front are compacted once there are this many and they fill half the arrays:
 * small, so long-lived windows hold little dead storage, while each copy still frees at least half.
 */
const COMPACT_MIN_HEAD = 8;

/** A window's map key: the single group value, a JSON array for several parts, or a marker for `null`. */
export type WindowKey = string | typeof NULL_GROUP;

/** Key of a single-part group whose value is absent or not a scalar. */
export const NULL_GROUP: unique symbol = Symbol('null group');

/** Per-window entry value: 0 for event_count, the text for value_count, the number for numeric types, the slot for temporal types. */
export type EntryValue = number | string;

/** Mutable window state; entries live in parallel arrays from `head` to the end. */
export class Window {
  /** Largest accepted timestamp; kept across `reset` (spec 03 §5, §7). */
  watermark: number;
  ts: number[] = [];
  /** Sequence numbers, kept only for temporal_ordered: no other type compares contributions of one second. */
  seq: number[] | undefined;
  val: EntryValue[] = [];
  head = 0;
  /** Running sum of numeric entries. */
  sum = 0;
  /** value_count: occurrences per distinct value. */
  distinct: Map<string, number> | undefined;
  /** temporal types: retained hits per slot, and how many slots have at least one. */
  slotHits: number[] | undefined;
  filled = 0;
  evidence: EvidenceBuffer | undefined;

  constructor(
    readonly key: WindowKey,
    readonly group: (string | null)[],
    c: CompiledCorrelation,
    watermark: number,
  ) {
    this.watermark = watermark;
    if (c.type === 'value_count') this.distinct = new Map();
    else if (c.type === 'temporal' || c.type === 'temporal_ordered') this.slotHits = new Array<number>(c.slots.length).fill(0);
    this.seq = c.type === 'temporal_ordered' ? [] : undefined;
  }

  /** Number of retained entries (temporal types: hits). */
  get size(): number {
    return this.ts.length - this.head;
  }

  /** Timestamp of the oldest retained entry. */
  earliest(): number | undefined {
    return this.head < this.ts.length ? this.ts[this.head] : undefined;
  }

  /** Timestamp of the newest retained entry. */
  latest(): number | undefined {
    return this.head < this.ts.length ? this.ts[this.ts.length - 1] : undefined;
  }

  /** Inserts an entry in (timestamp, sequence) order. */
  insert(t: number, seq: number, value: EntryValue): void {
    const n = this.ts.length;
    if (n === this.head || (this.ts[n - 1] as number) <= t) {
      this.ts.push(t);
      this.seq?.push(seq);
      this.val.push(value);
    } else {
      // Out-of-order arrival: sequences only grow, so the position depends on the timestamp alone.
      let lo = this.head;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.ts[mid] as number) <= t) lo = mid + 1;
        else hi = mid;
      }
      this.ts.splice(lo, 0, t);
      this.seq?.splice(lo, 0, seq);
      this.val.splice(lo, 0, value);
    }
    this.added(value);
  }

  /** Drops entries (and evidence) with a timestamp below `cutoff`. */
  evictBefore(cutoff: number): void {
    const n = this.ts.length;
    let h = this.head;
    while (h < n && (this.ts[h] as number) < cutoff) {
      this.removed(this.val[h] as EntryValue);
      h++;
    }
    this.moveHead(h);
    this.evidence?.evictBefore(cutoff);
  }

  /** Drops the entry at `offset` from the oldest (0 = oldest). */
  removeAt(offset: number): void {
    const i = this.head + offset;
    this.removed(this.val[i] as EntryValue);
    if (offset === 0) {
      // The oldest entry leaves like an evicted one: only the head moves.
      this.moveHead(i + 1);
      return;
    }
    this.ts.splice(i, 1);
    this.seq?.splice(i, 1);
    this.val.splice(i, 1);
  }

  /** Removes all entries and evidence; the watermark stays. */
  clear(): void {
    this.truncate();
    this.sum = 0;
    this.distinct?.clear();
    this.slotHits?.fill(0);
    this.filled = 0;
    this.evidence?.clear();
  }

  // Entries before `h` are gone; storage is reclaimed once they are a large enough share.
  private moveHead(h: number): void {
    const n = this.ts.length;
    this.head = h;
    if (h === n) this.truncate();
    else if (h >= COMPACT_MIN_HEAD && h * 2 >= n) this.compact();
  }

  private truncate(): void {
    this.ts.length = 0;
    if (this.seq !== undefined) this.seq.length = 0;
    this.val.length = 0;
    this.head = 0;
  }

  // Copies rather than splices: a spliced array keeps its grown backing store, a copy is right-sized.
  private compact(): void {
    const h = this.head;
    this.ts = this.ts.slice(h);
    this.seq = this.seq?.slice(h);
    this.val = this.val.slice(h);
    this.head = 0;
  }

  private added(value: EntryValue): void {
    if (typeof value === 'string') {
      const d = this.distinct as Map<string, number>;
      d.set(value, (d.get(value) ?? 0) + 1);
    } else if (this.slotHits !== undefined) {
      const hits = this.slotHits;
      if ((hits[value] = (hits[value] as number) + 1) === 1) this.filled++;
    } else {
      this.sum += value;
    }
  }

  private removed(value: EntryValue): void {
    if (typeof value === 'string') {
      const d = this.distinct as Map<string, number>;
      const left = (d.get(value) ?? 1) - 1;
      if (left === 0) d.delete(value);
      else d.set(value, left);
    } else if (this.slotHits !== undefined) {
      const hits = this.slotHits;
      if ((hits[value] = (hits[value] as number) - 1) === 0) this.filled--;
    } else {
      this.sum -= value;
    }
  }
}

/** True when the retained hits contain one hit per listed slot, in order, each strictly later than the previous. */
function hasOrderedAssignment(w: Window, slots: readonly number[]): boolean {
  if (slots.length === 0) return true;
  let need = 0;
  const seqs = w.seq as number[];
  let lastSeq = -1;
  for (let i = w.head; i < w.ts.length; i++) {
    // Entries are sorted by (timestamp, sequence); only a hit from the same contribution is not strictly later.
    if (w.val[i] === slots[need] && (seqs[i] as number) !== lastSeq) {
      lastSeq = seqs[i] as number;
      if (++need === slots.length) return true;
    }
  }
  return false;
}

/** Current aggregate of a window (spec 03 §6); `undefined` when it has none (an empty numeric window). */
function aggregateOf(w: Window, c: CompiledCorrelation): number | undefined {
  switch (c.type) {
    case 'event_count':
      return w.size;
    case 'value_count':
      return (w.distinct as Map<string, number>).size;
    case 'temporal':
      return w.filled;
    case 'temporal_ordered':
      return w.filled === c.slots.length && hasOrderedAssignment(w, c.orderedSlots) ? c.slots.length : 0;
    case 'value_sum':
      return w.size === 0 ? undefined : w.sum;
    case 'value_avg':
      return w.size === 0 ? undefined : w.sum / w.size;
    case 'value_percentile':
      return percentileOf(w, c.percentile);
    case 'value_median':
      return percentileOf(w, 50);
  }
}

function percentileOf(w: Window, p: number): number | undefined {
  const n = w.size;
  if (n === 0) return undefined;
  const values = (w.val.slice(w.head) as number[]).sort((a, b) => a - b);
  // Rank r = p/100 × (n−1), kept as p × (n−1) so integer percentiles give an exact fraction.
  const scaled = p * (n - 1);
  const lo = Math.floor(scaled / 100);
  const frac = (scaled - lo * 100) / 100;
  const vLo = values[lo] as number;
  return frac === 0 ? vLo : vLo + frac * ((values[lo + 1] as number) - vLo);
}

/** Whether all predicates hold for `value` (eq/neq with tolerance `Number.EPSILON`). */
function predicatesHold(predicates: readonly Predicate[], value: number): boolean {
  for (const p of predicates) {
    let ok: boolean;
    switch (p.op) {
      case 'gt':
        ok = value > p.value;
        break;
      case 'gte':
        ok = value >= p.value;
        break;
      case 'lt':
        ok = value < p.value;
        break;
      case 'lte':
        ok = value <= p.value;
        break;
      case 'eq':
        ok = Math.abs(value - p.value) < Number.EPSILON;
        break;
      case 'neq':
        ok = Math.abs(value - p.value) >= Number.EPSILON;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

/** The value reported for the window: the aggregate, or the number of filled slots for extended conditions. */
export function currentValue(w: Window, c: CompiledCorrelation): number | undefined {
  return c.expr !== undefined ? w.filled : aggregateOf(w, c);
}

/** Whether the correlation condition holds; `value` is {@link currentValue} of the same window. */
export function conditionHolds(w: Window, c: CompiledCorrelation, value: number | undefined): boolean {
  if (c.expr !== undefined) {
    return (
      evaluateExpression(c, w.slotHits as number[], c.expr) &&
      (c.type !== 'temporal_ordered' || hasOrderedAssignment(w, c.positiveSlots ?? []))
    );
  }
  return value !== undefined && predicatesHold(c.predicates, value);
}

function evaluateExpression(c: CompiledCorrelation, hits: readonly number[], e: NonNullable<CompiledCorrelation['expr']>): boolean {
  switch (e.op) {
    case 'id':
      return (hits[c.slotByRef.get(e.name) ?? -1] ?? 0) > 0;
    case 'not':
      return !evaluateExpression(c, hits, e.arg);
    case 'and':
      return e.args.every((a) => evaluateExpression(c, hits, a));
    case 'or':
      return e.args.some((a) => evaluateExpression(c, hits, a));
    default:
      return false;
  }
}
