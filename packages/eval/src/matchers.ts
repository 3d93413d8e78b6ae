// Value matchers (spec 02 §3, §5): one compiled rule value tested against one present event value.
// Arrays are "any element"; views and case folding follow spec 02 §3. No matcher reads other state
// than the event it is given.

import { parseEventTime } from './correlation/event-time.js';
import { cidrContains, type CidrNetwork } from './cidr.js';
import { MAX_EVENT_DEPTH, type EventValue, type FieldPath, type JsonEvent } from './event.js';
import type { LinearRegex } from './regex.js';
import type { MatcherKind } from './result.js';
import type { CompiledPattern } from './string-pattern.js';

// Numeric strings accepted by the numeric view: no spaces, hex or Infinity (spec 02 §3).
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** String view of a scalar (spec 02 §3); null for null, objects and arrays. */
export function stringView(v: EventValue): string | null {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? String(v) : null;
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return null;
  }
}

/** Numeric view of a scalar (spec 02 §3); undefined when it has none. */
export function numericView(v: EventValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC_TEXT.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A compiled rule value. `test` receives a present value (not undefined); arrays match by any element. */
export abstract class ValueMatcher {
  /** Rule literal shown in details and explain output. */
  abstract readonly pattern: string;
  abstract readonly kind: MatcherKind;
  readonly caseSensitive: boolean = false;

  /** Tests one present event value; an array matches when any element (recursively) does. */
  test(value: EventValue, event: JsonEvent): boolean {
    return Array.isArray(value) ? this.testArray(value, event, 0) : this.testScalar(value, event);
  }

  /** Same test with case folded on both sides; only cased string matchers differ from `test`. */
  testFolded(value: EventValue, event: JsonEvent): boolean {
    return this.test(value, event);
  }

  private testArray(values: EventValue[], event: JsonEvent, depth: number): boolean {
    if (depth >= MAX_EVENT_DEPTH) return false;
    for (const v of values) {
      if (Array.isArray(v) ? this.testArray(v, event, depth + 1) : this.testScalar(v, event)) return true;
    }
    return false;
  }

  protected abstract testScalar(value: EventValue, event: JsonEvent): boolean;
}

/** Literal / wildcard / windash / encoded string compared through the string view. */
export class StringMatcher extends ValueMatcher {
  override readonly caseSensitive: boolean;

  constructor(
    readonly kind: MatcherKind,
    readonly pattern: string,
    /** The compiled test; its literals are lower-cased unless `caseSensitive`. */
    readonly compiled: CompiledPattern,
    caseSensitive: boolean,
    /** For cased patterns: the same pattern folded, to report `case_mismatch`. */
    private readonly foldedPattern: CompiledPattern | null,
  ) {
    super();
    this.caseSensitive = caseSensitive;
  }

  protected testScalar(value: EventValue, event: JsonEvent): boolean {
    const sv = typeof value === 'string' ? value : stringView(value);
    if (sv === null) return false;
    return this.compiled.test(this.caseSensitive ? sv : event.lower(sv));
  }

  /** Tests a keyword leaf or other raw text. */
  testText(text: string, event: JsonEvent): boolean {
    return this.compiled.test(this.caseSensitive ? text : event.lower(text));
  }

  override testFolded(value: EventValue, event: JsonEvent): boolean {
    const folded = this.foldedPattern;
    if (folded === null) return this.test(value, event);
    const check = (v: EventValue): boolean => {
      if (Array.isArray(v)) return v.some(check);
      const sv = stringView(v);
      return sv !== null && folded.test(event.lower(sv));
    };
    return check(value);
  }
}

/** `|re`: linear-time regex on the string view, behind a required-literal check. */
export class RegexMatcher extends ValueMatcher {
  readonly kind = 'regex';
  override readonly caseSensitive: boolean;

  constructor(
    readonly pattern: string,
    readonly regex: LinearRegex,
  ) {
    super();
    this.caseSensitive = !regex.flags.i;
  }

  protected testScalar(value: EventValue, event: JsonEvent): boolean {
    const sv = typeof value === 'string' ? value : stringView(value);
    if (sv === null) return false;
    return this.testText(sv, event);
  }

  /** Tests raw text. */
  testText(text: string, event: JsonEvent): boolean {
    const lit = this.regex.literal;
    if (lit !== null && !(this.regex.flags.i ? event.lower(text) : text).includes(lit)) return false;
    return this.regex.test(text);
  }
}

/** A rule number without operator: numeric view equality. */
export class NumberMatcher extends ValueMatcher {
  readonly kind = 'numeric';
  readonly pattern: string;

  constructor(readonly value: number) {
    super();
    this.pattern = String(value);
  }

  protected testScalar(value: EventValue): boolean {
    return numericView(value) === this.value;
  }
}

/** Numeric comparison operators. */
export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte';

/** `|lt` `|lte` `|gt` `|gte` on the numeric view. */
export class CompareMatcher extends ValueMatcher {
  readonly kind = 'numeric';
  readonly pattern: string;

  constructor(
    readonly op: CompareOp,
    readonly value: number,
  ) {
    super();
    this.pattern = String(value);
  }

  protected testScalar(value: EventValue): boolean {
    const n = numericView(value);
    if (n === undefined) return false;
    switch (this.op) {
      case 'lt':
        return n < this.value;
      case 'lte':
        return n <= this.value;
      case 'gt':
        return n > this.value;
      case 'gte':
        return n >= this.value;
    }
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** A rule boolean: event booleans, or strings true/1/yes and false/0/no (spec 02 §3). */
export class BoolMatcher extends ValueMatcher {
  readonly kind = 'bool';
  readonly pattern: string;

  constructor(readonly value: boolean) {
    super();
    this.pattern = String(value);
  }

  protected testScalar(value: EventValue): boolean {
    if (typeof value === 'boolean') return value === this.value;
    if (typeof value !== 'string') return false;
    const lower = value.toLowerCase();
    return this.value ? TRUE_WORDS.has(lower) : FALSE_WORDS.has(lower);
  }
}

/** A rule `null`: the value is null (absence is handled by the item). */
export class NullMatcher extends ValueMatcher {
  readonly kind = 'null';
  readonly pattern = 'null';

  protected testScalar(value: EventValue): boolean {
    return value === null;
  }
}

/** `|cidr`: the string view is an address of the network's family inside it. */
export class CidrMatcher extends ValueMatcher {
  readonly kind = 'cidr';

  constructor(
    readonly pattern: string,
    private readonly net: CidrNetwork,
  ) {
    super();
  }

  protected testScalar(value: EventValue): boolean {
    return typeof value === 'string' && cidrContains(this.net, value.trim());
  }
}

/** Date-part modifiers. */
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

const SECONDS_PER_DAY = 86_400;

/** `|hour` and friends: the value parsed as a time, that UTC part equals the integer. */
export class TimePartMatcher extends ValueMatcher {
  readonly kind = 'timestamp';
  readonly pattern: string;

  constructor(
    readonly part: TimePart,
    readonly value: number,
  ) {
    super();
    this.pattern = String(value);
  }

  protected testScalar(value: EventValue): boolean {
    if (typeof value !== 'number' && typeof value !== 'string') return false;
    const secs = parseEventTime(value);
    return secs !== undefined && timePart(secs, this.part) === this.value;
  }
}

/** The UTC part of an epoch-seconds instant (`week` is the ISO-8601 week number). */
function timePart(secs: number, part: TimePart): number {
  const d = new Date(secs * 1000);
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week': {
      // ISO week: the week holding the Thursday of this date's week.
      const day = Math.floor(secs / SECONDS_PER_DAY);
      const weekday = (((day + 3) % 7) + 7) % 7; // Monday = 0 (1970-01-01 was a Thursday)
      const thursday = day - weekday + 3;
      const year = new Date(thursday * SECONDS_PER_DAY * 1000).getUTCFullYear();
      const jan1 = Math.floor(Date.UTC(year, 0, 1) / 1000 / SECONDS_PER_DAY);
      return Math.floor((thursday - jan1) / 7) + 1;
    }
  }
}

/** String operators a field reference can use. */
type FieldRefOp = 'exact' | 'contains' | 'startswith' | 'endswith';

/** `|fieldref`: compares the value with another field of the same event. */
export class FieldRefMatcher extends ValueMatcher {
  readonly kind = 'fieldref';
  override readonly caseSensitive: boolean;

  constructor(
    readonly pattern: string,
    /** The referenced field, or its coalesce alternatives in order. */
    readonly paths: readonly FieldPath[],
    readonly op: FieldRefOp,
    cased: boolean,
  ) {
    super();
    this.caseSensitive = cased;
  }

  protected testScalar(value: EventValue, event: JsonEvent): boolean {
    let other: EventValue | undefined;
    for (const p of this.paths) {
      other = event.resolve(p);
      if (other !== undefined) break;
    }
    if (other === undefined) return false;
    const own = stringView(value);
    const ref = stringView(other);
    if (this.op === 'exact' && (own === null || ref === null)) return deepEqual(value, other);
    if (own === null || ref === null) return false;
    const a = this.caseSensitive ? own : event.lower(own);
    const b = this.caseSensitive ? ref : event.lower(ref);
    switch (this.op) {
      case 'exact':
        return a === b;
      case 'contains':
        return a.includes(b);
      case 'startswith':
        return a.startsWith(b);
      case 'endswith':
        return a.endsWith(b);
    }
  }
}

function deepEqual(a: EventValue, b: EventValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] as EventValue));
  const ao = a as Record<string, EventValue>;
  const bo = b as Record<string, EventValue>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k] as EventValue, bo[k] as EventValue));
}

/** Several alternatives for one rule value (the three `base64offset` fragments). */
export class AnyOfMatcher extends ValueMatcher {
  override readonly caseSensitive: boolean;

  constructor(
    readonly kind: MatcherKind,
    readonly pattern: string,
    readonly alternatives: readonly StringMatcher[],
  ) {
    super();
    this.caseSensitive = alternatives.every((m) => m.caseSensitive);
  }

  protected testScalar(value: EventValue, event: JsonEvent): boolean {
    for (const m of this.alternatives) if (m.test(value, event)) return true;
    return false;
  }

  /** Tests raw text. */
  testText(text: string, event: JsonEvent): boolean {
    for (const m of this.alternatives) if (m.testText(text, event)) return true;
    return false;
  }
}
