// Silences (spec 08 §6): matcher sets that mute results for a time window. Static ones come from the config file
// and are re-seeded on every reload; API ones are created at run time, capped by `max_silences`, and snapshotted.

import type { EvaluationResult } from '@tsigma/eval';
import { SilenceError } from './errors.js';
import { fnv1a64Hex } from './fnv.js';
import { Matcher, MatcherProblem, MatcherSet, type MatcherSpec } from './matcher.js';

/** A silence as written in config files and API bodies; timestamps are RFC 3339. */
export interface SilenceSpec {
  id?: string;
  matchers: MatcherSpec[];
  starts_at?: string;
  ends_at?: string;
  created_by?: string;
  comment?: string;
}

/** Where a silence came from. */
export type SilenceOrigin = 'static' | 'api';

/** A silence's state at a given time. */
export type SilenceState = 'pending' | 'active' | 'expired';

/** A validated silence; times are Unix seconds. */
export interface Silence {
  readonly id: string;
  readonly matchers: MatcherSet;
  readonly startsAt?: number;
  readonly endsAt?: number;
  readonly createdBy?: string;
  readonly comment?: string;
  readonly origin: SilenceOrigin;
}

/** A silence as the admin API lists it. */
export interface SilenceView {
  id: string;
  matchers: Required<MatcherSpec>[];
  starts_at?: string;
  ends_at?: string;
  created_by?: string;
  comment?: string;
  origin: SilenceOrigin;
  state: SilenceState;
}

/** An API silence in a snapshot (spec 08 §8). */
export interface SilenceSnapshot {
  id: string;
  matchers: Required<MatcherSpec>[];
  starts_at: number | null;
  ends_at: number | null;
  created_by: string | null;
  comment: string | null;
}

// RFC 3339 date-time: date, `T`/`t`/space, time with optional fraction, then `Z` or a numeric offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp to Unix seconds (fractions truncated), or undefined. */
export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text.replace(' ', 'T'));
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls over 2026-02-31 to March; a round trip of the date part catches that.
  const day = text.slice(0, 10);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return undefined;
  return Math.floor(ms / 1000);
}

function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Validates and compiles a silence spec. Static silences without an id get `static-` + the FNV-1a of their
 * canonical text (stable across reloads); API ones get `newId()`. Throws SilenceError naming the field.
 */
export function buildSilence(spec: SilenceSpec, origin: SilenceOrigin, newId: () => string, nowSec?: number): Silence {
  if (!Array.isArray(spec.matchers) || spec.matchers.length === 0)
    throw new SilenceError('invalid', 'matchers', 'at least one matcher is required');
  const matchers: Matcher[] = [];
  spec.matchers.forEach((m, i) => {
    const compiled = Matcher.compile(m);
    if (compiled instanceof MatcherProblem) throw new SilenceError('invalid', `matchers[${i}].${compiled.part}`, compiled.message);
    matchers.push(compiled);
  });
  const time = (field: 'starts_at' | 'ends_at'): number | undefined => {
    const text = spec[field];
    if (text === undefined) return undefined;
    const secs = typeof text === 'string' ? parseRfc3339(text) : undefined;
    if (secs === undefined)
      throw new SilenceError('invalid', field, `expected an RFC 3339 timestamp such as 2026-01-01T00:00:00Z, not ${JSON.stringify(text)}`);
    return secs;
  };
  const startsAt = time('starts_at');
  const endsAt = time('ends_at');
  if (startsAt !== undefined && endsAt !== undefined && endsAt <= startsAt)
    throw new SilenceError('invalid', 'ends_at', 'ends_at must be after starts_at');
  if (origin === 'api' && nowSec !== undefined && endsAt !== undefined && endsAt <= nowSec)
    throw new SilenceError('invalid', 'ends_at', 'ends_at must be in the future');
  if (spec.id !== undefined && (typeof spec.id !== 'string' || spec.id.length === 0))
    throw new SilenceError('invalid', 'id', 'id must be a non-empty string');
  const id = spec.id ?? (origin === 'static' ? staticId(matchers, startsAt, endsAt) : newId());
  return {
    id,
    matchers: new MatcherSet(matchers),
    origin,
    ...(startsAt === undefined ? {} : { startsAt }),
    ...(endsAt === undefined ? {} : { endsAt }),
    ...(spec.created_by === undefined ? {} : { createdBy: String(spec.created_by) }),
    ...(spec.comment === undefined ? {} : { comment: String(spec.comment) }),
  };
}

/** `static-` + FNV-1a of the canonical text of spec 08 §2. */
function staticId(matchers: readonly Matcher[], startsAt: number | undefined, endsAt: number | undefined): string {
  const text =
    matchers.map((m) => `${m.selector.name}\x1f${m.op}\x1f${m.value}`).join('\x1e') +
    `\x1e${startsAt === undefined ? '' : String(startsAt)}` +
    `\x1e${endsAt === undefined ? '' : String(endsAt)}`;
  return `static-${fnv1a64Hex(text)}`;
}

function stateAt(s: Silence, nowSec: number): SilenceState {
  if (s.startsAt !== undefined && nowSec < s.startsAt) return 'pending';
  if (s.endsAt !== undefined && nowSec >= s.endsAt) return 'expired';
  return 'active';
}

/**
 * Static and API silences. API silences keep their creation order (the order of `list` and snapshots).
 *
 * @example
 * const id = store.add({ matchers: [{ selector: 'rule', op: '=', value: 'noisy' }] }, 'api', 1000, now).id;
 */
export class SilenceStore {
  private statics: Silence[] = [];
  private readonly api = new Map<string, Silence>();

  constructor(private readonly newId: () => string = () => crypto.randomUUID()) {}

  /** Creates an API silence; throws SilenceError (`invalid`, `duplicate` id, or `limit` at `max`). */
  add(spec: SilenceSpec, origin: 'api', max: number, nowSec: number): Silence {
    const silence = buildSilence(spec, origin, this.newId, nowSec);
    if (this.api.has(silence.id) || this.statics.some((s) => s.id === silence.id))
      throw new SilenceError('duplicate', 'id', `a silence with id "${silence.id}" already exists`);
    if (this.api.size >= max) throw new SilenceError('limit', 'max_silences', `at the limit of ${max} API silences`);
    this.api.set(silence.id, silence);
    return silence;
  }

  /** Removes an API silence; static ones live in the config file. */
  remove(id: string): 'removed' | 'not_found' | 'static' {
    if (this.api.delete(id)) return 'removed';
    return this.statics.some((s) => s.id === id) ? 'static' : 'not_found';
  }

  /** Replaces every static silence (on load and reload); API silences stay. */
  setStatic(silences: readonly Silence[]): void {
    this.statics = [...silences];
  }

  /** Every silence, static first, with its state at `nowSec`. */
  list(nowSec: number): SilenceView[] {
    return [...this.statics, ...this.api.values()].map((s) => ({
      id: s.id,
      matchers: s.matchers.matchers.map((m) => m.spec),
      ...(s.startsAt === undefined ? {} : { starts_at: rfc3339(s.startsAt) }),
      ...(s.endsAt === undefined ? {} : { ends_at: rfc3339(s.endsAt) }),
      ...(s.createdBy === undefined ? {} : { created_by: s.createdBy }),
      ...(s.comment === undefined ? {} : { comment: s.comment }),
      origin: s.origin,
      state: stateAt(s, nowSec),
    }));
  }

  /** The id of the first silence active at `nowSec` whose matchers hold, or undefined. */
  activeMatch(result: EvaluationResult, nowSec: number): string | undefined {
    for (const s of this.statics) if (stateAt(s, nowSec) === 'active' && s.matchers.matches(result)) return s.id;
    for (const s of this.api.values()) if (stateAt(s, nowSec) === 'active' && s.matchers.matches(result)) return s.id;
    return undefined;
  }

  /** Deletes expired silences of both origins. */
  gc(nowSec: number): void {
    this.statics = this.statics.filter((s) => stateAt(s, nowSec) !== 'expired');
    for (const [id, s] of this.api) if (stateAt(s, nowSec) === 'expired') this.api.delete(id);
  }

  /** Silences active at `nowSec`, both origins. */
  activeCount(nowSec: number): number {
    let n = 0;
    for (const s of this.statics) if (stateAt(s, nowSec) === 'active') n++;
    for (const s of this.api.values()) if (stateAt(s, nowSec) === 'active') n++;
    return n;
  }

  /** Number of API silences (what counts against `max_silences`). */
  get apiCount(): number {
    return this.api.size;
  }

  /** API silences as snapshot entries. */
  apiSnapshot(): SilenceSnapshot[] {
    return [...this.api.values()].map((s) => ({
      id: s.id,
      matchers: s.matchers.matchers.map((m) => m.spec),
      starts_at: s.startsAt ?? null,
      ends_at: s.endsAt ?? null,
      created_by: s.createdBy ?? null,
      comment: s.comment ?? null,
    }));
  }

  /**
   * Restores one API silence from a snapshot entry (no cap, no future check: it was accepted before); returns false
   * when it has expired at `nowSec` and is skipped. Throws SilenceError when the entry does not validate.
   */
  restoreApi(entry: SilenceSnapshot, nowSec: number): boolean {
    const spec: SilenceSpec = {
      id: entry.id,
      matchers: entry.matchers,
      ...(entry.starts_at === null ? {} : { starts_at: rfc3339(entry.starts_at) }),
      ...(entry.ends_at === null ? {} : { ends_at: rfc3339(entry.ends_at) }),
      ...(entry.created_by === null ? {} : { created_by: entry.created_by }),
      ...(entry.comment === null ? {} : { comment: entry.comment }),
    };
    const silence = buildSilence(spec, 'api', this.newId);
    if (stateAt(silence, nowSec) === 'expired') return false;
    this.api.set(silence.id, silence);
    return true;
  }

  /** Forgets every API silence. */
  clearApi(): void {
    this.api.clear();
  }
}
