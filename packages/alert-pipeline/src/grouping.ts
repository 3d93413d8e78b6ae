// Incident grouping (spec 08 §7): results that share `group.by` values (or, in entity_graph mode, any entity
// value, merged by union-find) gather into incidents emitted on timers. Bounded by the caps and over-merge guards.

import type { EvaluationResult } from '@tsigma/eval';
import type { MetricsHook, Selector } from '@tsigma/runtime';
import { ruleKeyOf, withoutEvents } from './dedup.js';
import { fnv1a64Hex } from './fnv.js';

/** How results are grouped. */
export type GroupMode = 'group_by' | 'entity_graph';

/** What an incident keeps of each result. */
export type IncludeMode = 'refs' | 'results';

/** Which entity_graph guard kept a value from joining. */
type OvermergeGuard = 'stop_value' | 'cardinality_ceiling';

/** Why an incident was emitted. */
export type IncidentTrigger = 'group_wait' | 'group_interval' | 'repeat' | 'resolved';

/** Validated `group.caps`. */
export interface GroupCaps {
  readonly maxOpenIncidents: number;
  readonly maxEntitiesPerIncident: number;
  readonly maxResultsPerIncident: number;
  readonly maxValueCardinality: number;
}

/** Validated `group:` settings; times in seconds. */
export interface GroupConfig {
  readonly mode: GroupMode;
  readonly by: readonly Selector[];
  readonly entities: readonly Selector[];
  readonly groupWaitSec: number;
  readonly groupIntervalSec: number;
  readonly repeatIntervalSec: number;
  readonly resolveTimeoutSec: number;
  readonly include: IncludeMode;
  readonly caps: GroupCaps;
  readonly stopValues: ReadonlySet<string>;
  readonly natsSubject?: string;
}

/** A result as an incident's `refs` sample keeps it. */
export interface IncidentRef {
  rule: string;
  level: string | null;
}

/**
 * One incident emission (one NDJSON line, recognised downstream by its top-level `incident_id`). Snapshots served by
 * the admin API use `trigger: 'snapshot'` and add `sample_mode` and `reported`.
 */
export interface IncidentResult {
  incident_id: string;
  state: 'open' | 'resolved';
  trigger: IncidentTrigger | 'snapshot';
  first_seen: number;
  last_seen: number;
  max_level?: string;
  result_count: number;
  rule_counts: Record<string, number>;
  group_by?: Record<string, string | null>;
  entities?: Record<string, string[]>;
  refs?: IncidentRef[];
  results?: EvaluationResult[];
  sample_mode?: 'refs' | 'results' | 'mixed' | 'none';
  reported?: boolean;
}

/** An incident in a snapshot (spec 08 §8). */
export interface IncidentSnapshot {
  id: string;
  first_seen: number;
  last_seen: number;
  last_emitted: number;
  reported: boolean;
  dirty: boolean;
  group_by: Record<string, string | null>;
  entities: Record<string, string[]>;
  max_level: string | null;
  rule_counts: Record<string, number>;
  result_count: number;
  refs: IncidentRef[];
  results: EvaluationResult[];
}

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const LEVEL_RANK: ReadonlyMap<string, number> = new Map(LEVELS.map((l, i) => [l, i]));

interface Incident {
  id: string;
  firstSeen: number;
  lastSeen: number;
  lastEmitted: number;
  reported: boolean;
  dirty: boolean;
  groupBy: Record<string, string | null>;
  /** selector → values, each also an index key `selector \x1f value` pointing at this incident (entity_graph). */
  entities: Map<string, Set<string>>;
  /** Index into LEVELS, -1 when no result had a level. */
  maxLevel: number;
  ruleCounts: Map<string, number>;
  resultCount: number;
  refs: IncidentRef[];
  results: EvaluationResult[];
}

/** A due incident emission. */
interface IncidentEmission {
  trigger: IncidentTrigger;
  result: IncidentResult;
}

/** Open incidents in insertion order, the entity index and the per-value occurrence counters. */
export class IncidentStore {
  private readonly incidents = new Map<string, Incident>();
  /** `selector \x1f value` → incident id (entity_graph). */
  private readonly index = new Map<string, string>();
  /** `selector \x1f value` → results seen with it (entity_graph cardinality ceiling). */
  private readonly occurrences = new Map<string, number>();

  constructor(private readonly newId: () => string = () => crypto.randomUUID()) {}

  /** Open incidents. */
  get size(): number {
    return this.incidents.size;
  }

  /**
   * Adds `result` to its incident (opening or merging as needed) and returns the incident id, or undefined when it
   * would open one past `max_open_incidents`. `m.onAlertPipelineOvermerge` hears every value an over-merge guard kept out.
   */
  assign(cfg: GroupConfig, result: EvaluationResult, nowSec: number, m: MetricsHook): string | undefined {
    const inc = cfg.mode === 'group_by' ? this.groupByIncident(cfg, result, nowSec) : this.entityIncident(cfg, result, nowSec, m);
    if (inc === undefined) return undefined;
    absorb(cfg, inc, result, nowSec);
    return inc.id;
  }

  private groupByIncident(cfg: GroupConfig, result: EvaluationResult, nowSec: number): Incident | undefined {
    let key = '';
    const values: (string | undefined)[] = [];
    for (const s of cfg.by) {
      const value = s.stringOf(result);
      values.push(value);
      key += '\x1f' + s.name + '=' + (value === undefined ? 'null' : value);
    }
    const id = fnv1a64Hex(key);
    const found = this.incidents.get(id);
    if (found !== undefined) return found;
    if (this.incidents.size >= cfg.caps.maxOpenIncidents) return undefined;
    const inc = emptyIncident(id, nowSec);
    cfg.by.forEach((s, i) => (inc.groupBy[s.name] = values[i] ?? null));
    this.incidents.set(id, inc);
    return inc;
  }

  private entityIncident(cfg: GroupConfig, result: EvaluationResult, nowSec: number, m: MetricsHook): Incident | undefined {
    const onGuard = (guard: OvermergeGuard): void => m.onAlertPipelineOvermerge?.(guard);
    const pairs: [string, string, string][] = [];
    for (const s of cfg.entities) {
      const value = s.stringOf(result);
      if (value === undefined) continue;
      if (cfg.stopValues.has(value)) {
        onGuard('stop_value');
        continue;
      }
      const key = s.name + '\x1f' + value;
      const seen = (this.occurrences.get(key) ?? 0) + 1;
      this.occurrences.set(key, seen);
      if (seen > cfg.caps.maxValueCardinality) {
        onGuard('cardinality_ceiling');
        continue;
      }
      pairs.push([s.name, value, key]);
    }
    const touched: Incident[] = [];
    for (const [, , key] of pairs) {
      const id = this.index.get(key);
      const inc = id === undefined ? undefined : this.incidents.get(id);
      if (inc !== undefined && !touched.includes(inc)) touched.push(inc);
    }
    let survivor = touched[0];
    if (survivor === undefined) {
      if (this.incidents.size >= cfg.caps.maxOpenIncidents) return undefined;
      survivor = emptyIncident(this.newId(), nowSec);
      this.incidents.set(survivor.id, survivor);
    }
    for (const other of touched.slice(1)) this.merge(cfg, survivor, other);
    for (const [name, value, key] of pairs) this.addEntity(cfg, survivor, name, value, key);
    return survivor;
  }

  /**
   * Adds an entity value and points its index key here. A new value past `max_entities_per_incident` (when `capped`)
   * is neither kept nor indexed, so the index only ever holds what snapshots carry and restore rebuilds.
   */
  private addEntity(cfg: GroupConfig, inc: Incident, name: string, value: string, key: string, capped = true): void {
    let values = inc.entities.get(name);
    if (values === undefined) inc.entities.set(name, (values = new Set()));
    if (!values.has(value)) {
      if (capped && values.size >= cfg.caps.maxEntitiesPerIncident) return;
      values.add(value);
    }
    this.index.set(key, inc.id);
  }

  /** Folds `other` into `into` (union-find merge) and deletes `other`. */
  private merge(cfg: GroupConfig, into: Incident, other: Incident): void {
    into.firstSeen = Math.min(into.firstSeen, other.firstSeen);
    into.lastSeen = Math.max(into.lastSeen, other.lastSeen);
    into.resultCount += other.resultCount;
    for (const [rule, n] of other.ruleCounts) into.ruleCounts.set(rule, (into.ruleCounts.get(rule) ?? 0) + n);
    into.maxLevel = Math.max(into.maxLevel, other.maxLevel);
    const max = cfg.caps.maxResultsPerIncident;
    into.refs = [...into.refs, ...other.refs].slice(0, max);
    into.results = [...into.results, ...other.results].slice(0, max);
    this.incidents.delete(other.id);
    for (const [name, values] of other.entities) {
      for (const value of values) {
        const key = name + '\x1f' + value;
        // United whole: each side kept its values within the cap, and dropping some would split the incident again.
        this.addEntity(cfg, into, name, value, key, false);
      }
    }
  }

  /** The emissions due at `nowSec` (spec 08 §7), resolved incidents deleted. */
  tick(cfg: GroupConfig, nowSec: number): IncidentEmission[] {
    const out: IncidentEmission[] = [];
    const emit = (inc: Incident, trigger: IncidentTrigger): void => {
      out.push({ trigger, result: render(cfg, inc, trigger === 'resolved' ? 'resolved' : 'open', trigger) });
    };
    for (const inc of this.incidents.values()) {
      if (!inc.reported) {
        if (nowSec - inc.firstSeen >= cfg.groupWaitSec) {
          emit(inc, 'group_wait');
          inc.reported = true;
          inc.dirty = false;
          inc.lastEmitted = nowSec;
        }
      } else if (nowSec - inc.lastSeen >= cfg.resolveTimeoutSec) {
        emit(inc, 'resolved');
        this.remove(inc);
      } else if (inc.dirty && nowSec - inc.lastEmitted >= cfg.groupIntervalSec) {
        emit(inc, 'group_interval');
        inc.dirty = false;
        inc.lastEmitted = nowSec;
      } else if (cfg.repeatIntervalSec > 0 && nowSec - inc.lastEmitted >= cfg.repeatIntervalSec) {
        emit(inc, 'repeat');
        inc.lastEmitted = nowSec;
      }
    }
    return out;
  }

  private remove(inc: Incident): void {
    this.incidents.delete(inc.id);
    for (const [name, values] of inc.entities) {
      for (const value of values) {
        const key = name + '\x1f' + value;
        if (this.index.get(key) === inc.id) this.index.delete(key);
        this.occurrences.delete(key);
      }
    }
    // Counters of values that never joined an incident (over the ceiling, past an entity cap) go with the last one.
    if (this.incidents.size === 0) this.occurrences.clear();
  }

  /** Open incidents as the admin API serves them (`trigger: snapshot`). */
  list(cfg: GroupConfig): IncidentResult[] {
    return [...this.incidents.values()].map((inc) => {
      const view = render(cfg, inc, 'open', 'snapshot');
      const mode =
        inc.refs.length > 0 && inc.results.length > 0
          ? 'mixed'
          : inc.refs.length > 0
            ? 'refs'
            : inc.results.length > 0
              ? 'results'
              : 'none';
      return { ...view, sample_mode: mode, reported: inc.reported };
    });
  }

  /** Every open incident, oldest first. */
  snapshot(): IncidentSnapshot[] {
    return [...this.incidents.values()].map((inc) => ({
      id: inc.id,
      first_seen: inc.firstSeen,
      last_seen: inc.lastSeen,
      last_emitted: inc.lastEmitted,
      reported: inc.reported,
      dirty: inc.dirty,
      group_by: { ...inc.groupBy },
      entities: entitiesObject(inc),
      max_level: inc.maxLevel < 0 ? null : (LEVELS[inc.maxLevel] ?? null),
      rule_counts: Object.fromEntries(inc.ruleCounts),
      result_count: inc.resultCount,
      refs: [...inc.refs],
      results: [...inc.results],
    }));
  }

  /** Loads one snapshot entry and indexes its entities; false (skipped) when it resolved by `nowSec`. */
  restoreOne(entry: IncidentSnapshot, cfg: GroupConfig, nowSec: number): boolean {
    if (nowSec - entry.last_seen >= cfg.resolveTimeoutSec) return false;
    const inc: Incident = {
      id: entry.id,
      firstSeen: entry.first_seen,
      lastSeen: entry.last_seen,
      lastEmitted: entry.last_emitted,
      reported: entry.reported,
      dirty: entry.dirty,
      groupBy: { ...entry.group_by },
      entities: new Map(Object.entries(entry.entities).map(([name, values]) => [name, new Set(values)])),
      maxLevel: entry.max_level === null ? -1 : (LEVEL_RANK.get(entry.max_level) ?? -1),
      ruleCounts: new Map(Object.entries(entry.rule_counts)),
      resultCount: entry.result_count,
      refs: [...entry.refs],
      results: [...entry.results],
    };
    this.incidents.set(inc.id, inc);
    for (const [name, values] of inc.entities) for (const value of values) this.index.set(name + '\x1f' + value, inc.id);
    return true;
  }

  clear(): void {
    this.incidents.clear();
    this.index.clear();
    this.occurrences.clear();
  }
}

function emptyIncident(id: string, nowSec: number): Incident {
  return {
    id,
    firstSeen: nowSec,
    lastSeen: nowSec,
    lastEmitted: nowSec,
    reported: false,
    dirty: false,
    groupBy: {},
    entities: new Map(),
    maxLevel: -1,
    ruleCounts: new Map(),
    resultCount: 0,
    refs: [],
    results: [],
  };
}

/** One shared `{rule, level}` per pair: incidents keep up to `max_results_per_incident` refs, mostly the same few. */
const REFS = new Map<string, IncidentRef>();
/** Past this many distinct (rule, level) pairs the cache is dropped whole, bounding it under rule churn. */
const MAX_CACHED_REFS = 4096;

function refOf(rule: string, level: string | null): IncidentRef {
  const key = `${level ?? ''}\x1f${rule}`;
  let ref = REFS.get(key);
  if (ref === undefined) {
    if (REFS.size >= MAX_CACHED_REFS) REFS.clear();
    ref = Object.freeze({ rule, level });
    REFS.set(key, ref);
  }
  return ref;
}

function absorb(cfg: GroupConfig, inc: Incident, result: EvaluationResult, nowSec: number): void {
  inc.lastSeen = nowSec;
  inc.dirty = true;
  inc.resultCount += 1;
  const rank = result.level === null ? -1 : (LEVEL_RANK.get(result.level) ?? -1);
  if (rank > inc.maxLevel) inc.maxLevel = rank;
  const rule = ruleKeyOf(result);
  inc.ruleCounts.set(rule, (inc.ruleCounts.get(rule) ?? 0) + 1);
  if (cfg.include === 'refs') {
    if (inc.refs.length < cfg.caps.maxResultsPerIncident) inc.refs.push(refOf(rule, result.level));
  } else if (inc.results.length < cfg.caps.maxResultsPerIncident) inc.results.push(withoutEvents(result));
}

function entitiesObject(inc: Incident): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of inc.entities) if (values.size > 0) out[name] = [...values].sort();
  return out;
}

function render(cfg: GroupConfig, inc: Incident, state: 'open' | 'resolved', trigger: IncidentResult['trigger']): IncidentResult {
  const out: IncidentResult = {
    incident_id: inc.id,
    state,
    trigger,
    first_seen: inc.firstSeen,
    last_seen: inc.lastSeen,
    ...(inc.maxLevel >= 0 ? { max_level: LEVELS[inc.maxLevel] } : {}),
    result_count: inc.resultCount,
    rule_counts: Object.fromEntries([...inc.ruleCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  if (Object.keys(inc.groupBy).length > 0) out.group_by = { ...inc.groupBy };
  const entities = entitiesObject(inc);
  if (Object.keys(entities).length > 0) out.entities = entities;
  if (cfg.include === 'refs' || inc.refs.length > 0) out.refs = [...inc.refs];
  if (cfg.include === 'results' || inc.results.length > 0) out.results = [...inc.results];
  return out;
}
