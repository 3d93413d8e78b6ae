// The stateful correlation engine (spec 03): wraps a detection engine, routes detections to
// correlation windows, chains correlation results and exposes introspection and snapshots.
// Synchronous and pure: no I/O, no timers; wall time only through the injected clock.

import type { CorrelationRule, SigmaCollection } from '@tsigma/parser';
import type { LoadedRule } from '../compile.js';
import { Engine, type EngineOptions, type LoadReport, type RuleLoadError } from '../engine.js';
import type { JsonEvent } from '../event.js';
import type { RuleExplanation } from '../explain.js';
import { silentLogger, type Logger } from '../logger.js';
import type { LogSourceExtractor } from '../logsource.js';
import type { LogSourceRouter } from '../logsource-routing.js';
import { PipelineError, transformRule, type Pipeline } from '../pipeline/index.js';
import type { DetectionResult, MatchDetail } from '../result.js';
import { compileCorrelations, MAX_CHAIN_DEPTH, type CompiledCorrelation, type LoadedRuleInfo } from './compile.js';
import { CorrelationState, type ConsumerLink } from './correlation-state.js';
import { CorrelationError, type CorrelationErrorCode, type CorrelationErrorSpot } from './errors.js';
import { EVENT_ID_FIELDS } from './evidence.js';
import { extractEventTime, extractEventTimeAndText } from './event-time.js';
import type { FieldSource } from './field-values.js';
import { introspectState } from './introspect.js';
import { exportSnapshot, importSnapshot, type RestoreOutcome } from './snapshot.js';
import {
  defaultCorrelationConfig,
  type CorrelationConfig,
  type CorrelationResult,
  type CorrelationSnapshot,
  type CorrelationStateSnapshot,
  type CorrelationStats,
  type IntrospectFilter,
} from './types.js';

/** Load outcome of {@link CorrelationEngine.addCollection}: the detection report plus correlation problems. */
export interface CorrelationLoadReport extends LoadReport {
  correlationsLoaded: number;
}

/** Construction options that are not configuration: the environment the engine runs in. */
export interface CorrelationEngineOptions {
  /** Options of the wrapped detection engine. */
  engine?: EngineOptions;
  /** Wall clock in epoch seconds, used only by the `wallclock` timestamp fallback (spec 03 §3). */
  clock?: () => number;
  /**
   * Receives operational warnings at `warn` level, such as cap eviction rounds (spec 03 §9) with their
   * `evicted` count; default {@link silentLogger}.
   */
  logger?: Logger;
}

/** Per-event output: every detection plus the correlations that fired (spec 03 §1). */
export interface ProcessResult {
  detections: DetectionResult[];
  correlations: CorrelationResult[];
}

/** The wall clock fallback when none is injected: the one sanctioned wall-time read (spec 02 intro, 03 §3). */
function systemClock(): number {
  // eslint-disable-next-line no-restricted-properties -- spec 03 §3 wall-clock fallback for embedders who inject no `clock`
  return Math.floor(Date.now() / 1000);
}

/** Identity of a detection result: rule id (or null), then title. */
type RuleIndexById = Map<string | null, Map<string, number>>;

/**
 * Correlation engine: feeds detections into Sigma correlation windows and returns both.
 *
 * @example
 * const engine = new CorrelationEngine({ suppressSecs: 300 });
 * engine.addCollection(parseSigmaYaml(text));
 * const { detections, correlations } = engine.processEvent(new JsonEvent(json));
 */
export class CorrelationEngine {
  private readonly config: CorrelationConfig;
  private readonly detector: Engine;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly detectionRules: LoadedRuleInfo[] = [];
  private readonly detectionAttributes: Readonly<Record<string, unknown>>[] = [];
  private readonly ruleIndex: RuleIndexById = new Map();
  private correlationRules: CorrelationRule[] = [];
  private correlations: CompiledCorrelation[] = [];
  private ruleLinks: ConsumerLink[][] = [];
  private correlationLinks: ConsumerLink[][] = [];
  private hiddenRules = new Set<number>();
  private readonly reportedIssues = new Set<string>();
  private readonly pipelines: Pipeline[] = [];
  private timestampFields: string[];
  private state: CorrelationState;

  constructor(config?: Partial<CorrelationConfig>, options: CorrelationEngineOptions = {}) {
    this.config = defaultCorrelationConfig();
    // Keys given as `undefined` (as option parsers often produce) keep their defaults.
    for (const [key, value] of Object.entries(config ?? {})) {
      if (value !== undefined) (this.config as unknown as Record<string, unknown>)[key] = value;
    }
    this.detector = new Engine(options.engine);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.timestampFields = [...this.config.timestampFields];
    this.state = this.newState();
  }

  /** Loads detection rules and filters into the detection engine, then compiles the collection's correlations. */
  addCollection(c: SigmaCollection, opts?: { strict?: boolean }): CorrelationLoadReport {
    return this.addCollections([c], opts);
  }

  /**
   * Loads several collections as one, reading `parts` once and in order (see {@link Engine.addCollections}):
   * detection rules as each collection comes, then filters, then the correlations of all of them together.
   */
  addCollections(parts: Iterable<SigmaCollection>, opts?: { strict?: boolean }): CorrelationLoadReport {
    const loadedBefore = this.detector.rules().length;
    const correlationRules: CorrelationRule[] = [];
    const report = this.detector.addCollections(keepingCorrelations(parts, correlationRules), opts);
    const identityIssues: RuleLoadError[] = [];
    for (const rule of this.detector.rules().slice(loadedBefore)) {
      if (!this.registerDetectionRule(rule)) {
        identityIssues.push({
          title: rule.title,
          code: 'ambiguous_rule_identity',
          severity: 'warning',
          documentIndex: rule.documentIndex,
          ...(rule.file === undefined ? {} : { file: rule.file }),
          ...(rule.id === undefined ? {} : { ruleId: rule.id }),
          message: `another loaded rule has the same id and title as "${rule.title}"; correlations attribute its detections to the first one`,
        });
      }
    }
    // Correlations of every collection added so far are recompiled together, so references may cross
    // collections; existing windows are carried over by correlation identity.
    const carried = this.state.liveWindows > 0 ? this.exportState() : undefined;
    const before = this.correlations.length;
    const transformed = this.transformCorrelations(correlationRules, opts?.strict === true);
    this.correlationRules = [...this.correlationRules, ...transformed.rules];
    const compiled = compileCorrelations(this.correlationRules, this.detectionRules, this.detectionAttributes);
    const newIssues = compiled.issues.filter((i) => !this.reportedIssues.has(issueKey(i)));
    for (const i of newIssues) this.reportedIssues.add(issueKey(i));
    const firstError = newIssues.find((i) => i.severity === 'error');
    if (opts?.strict === true && firstError !== undefined) {
      const spot: CorrelationErrorSpot = { subject: firstError.title };
      if (firstError.file !== undefined) spot.file = firstError.file;
      if (firstError.ruleId !== undefined) spot.ruleId = firstError.ruleId;
      throw new CorrelationError(firstError.code as CorrelationErrorCode, firstError.message, spot);
    }
    this.install(compiled.correlations, compiled.timestampFields);
    if (carried !== undefined) this.importState(carried);
    return {
      rulesLoaded: report.rulesLoaded,
      filtersApplied: report.filtersApplied,
      correlationsLoaded: compiled.correlations.length - before,
      errors: [...report.errors, ...identityIssues, ...transformed.errors, ...newIssues],
    };
  }

  // Pipelines rewrite correlation field names and attributes too (spec 04 §8); a failing rule is skipped.
  private transformCorrelations(rules: readonly CorrelationRule[], strict: boolean): { rules: CorrelationRule[]; errors: RuleLoadError[] } {
    if (this.pipelines.length === 0) return { rules: [...rules], errors: [] };
    const out: CorrelationRule[] = [];
    const errors: RuleLoadError[] = [];
    for (const rule of rules) {
      try {
        out.push(transformRule(this.pipelines, rule).rule);
      } catch (err) {
        if (strict || !(err instanceof PipelineError)) throw err;
        const e: RuleLoadError = {
          title: rule.title,
          code: err.code,
          message: err.message,
          severity: 'error',
          documentIndex: rule.source.documentIndex,
        };
        if (rule.source.file !== undefined) e.file = rule.source.file;
        if (rule.source.location.line > 0) {
          e.line = rule.source.location.line;
          e.column = rule.source.location.column;
        }
        if (rule.id !== undefined) e.ruleId = rule.id;
        errors.push(e);
      }
    }
    return { rules: out, errors };
  }

  /** Adds a processing pipeline to the detection engine, for rules added later (spec 04). */
  addPipeline(p: Pipeline): void {
    this.detector.addPipeline(p);
    this.pipelines.push(p);
  }

  /** Forwarded to the detection engine: attach events to detection results. */
  setIncludeEvent(on: boolean): void {
    this.detector.setIncludeEvent(on);
  }

  /** Forwarded to the detection engine: per-field detail in detection results. */
  setMatchDetail(level: MatchDetail): void {
    this.detector.setMatchDetail(level);
  }

  /** Forwarded to the detection engine: logsource routing (spec 02 §11). */
  setLogSourceExtractor(x: LogSourceExtractor | null): void {
    this.detector.setLogSourceExtractor(x);
  }

  /** Forwarded to the detection engine: routing by where events come from (`windowsEventRouter`). */
  setLogSourceRouter(router: LogSourceRouter | null): void {
    this.detector.setLogSourceRouter(router);
  }

  /** Evaluates detections only; correlation state is untouched. */
  evaluate(event: JsonEvent): DetectionResult[] {
    return this.detector.evaluate(event);
  }

  /** Processes one event, taking its time from the event's timestamp fields (spec 03 §3). */
  processEvent(event: JsonEvent): ProcessResult {
    const detections = this.detector.evaluate(event);
    // Without detections nothing can contribute, so the event's time is not even read.
    if (detections.length === 0) return { detections, correlations: [] };
    return this.processWithDetections(event, detections, extractEventTime(event, this.timestampFields) ?? Number.NaN);
  }

  /** Processes one event at an explicit time in epoch seconds, bypassing timestamp extraction. */
  processEventAt(event: JsonEvent, tsSecs: number): ProcessResult {
    return this.processWithDetections(event, this.detector.evaluate(event), tsSecs);
  }

  /**
   * The event's time in epoch seconds as correlations read it (spec 03 §3), or NaN when it has none: what
   * {@link processEvent} passes to {@link processWithDetections}, for callers that detect and correlate apart.
   */
  eventTime(event: JsonEvent): number {
    return extractEventTime(event, this.timestampFields) ?? Number.NaN;
  }

  /**
   * {@link eventTime} and the same instant as ISO 8601 UTC with milliseconds (results' `event_time`), from one read
   * of the timestamp fields; undefined when the event has no time.
   */
  eventTimeAndText(event: JsonEvent): { secs: number; text: string } | undefined {
    return extractEventTimeAndText(event, this.timestampFields);
  }

  /**
   * What the correlations read from an event that fed them: every field path (group-by fields after aliases,
   * coalesce alternatives, aggregated fields, and the id fields of `refs` evidence), or the whole event when some
   * correlation keeps `full` evidence. An event reduced to these paths (as own keys) correlates exactly as the
   * whole event does, which lets detection run elsewhere and ship only this much back.
   */
  correlationEventReads(): { paths: string[]; wholeEvent: boolean } {
    const paths = new Set<string>();
    const addField = (field: string, coalesce: readonly string[] | undefined): void => {
      paths.add(field);
      for (const alternative of coalesce ?? []) paths.add(alternative);
    };
    let wholeEvent = false;
    let refs = false;
    for (const links of this.ruleLinks) {
      for (const link of links) {
        link.groupFields.forEach((field, i) => addField(field, link.groupCoalesce[i]));
        const c = link.corr;
        for (const field of c.fields ?? []) addField(field, c.fieldCoalesce?.[field]);
        const mode = c.eventMode ?? this.config.eventMode;
        if (mode === 'full') wholeEvent = true;
        else if (mode === 'refs') refs = true;
      }
    }
    if (refs) for (const field of EVENT_ID_FIELDS) paths.add(field);
    return { paths: [...paths], wholeEvent };
  }

  /** Processes `events` in order; the same as calling {@link processEvent} for each. */
  processBatch(events: readonly JsonEvent[]): ProcessResult[] {
    return events.map((e) => this.processEvent(e));
  }

  /**
   * Feeds already-computed detections of `event` into the correlations at time `tsSecs`. A non-finite
   * time counts as missing and follows `timestampFallback`.
   */
  processWithDetections(event: JsonEvent, detections: DetectionResult[], tsSecs: number): ProcessResult {
    let t = Math.floor(tsSecs);
    if (!Number.isFinite(t)) {
      if (this.config.timestampFallback === 'skip') {
        this.state.stats.eventsWithoutTime++;
        return { detections: this.visibleDetections(detections), correlations: [] };
      }
      t = this.clock();
    }
    const correlations: CorrelationResult[] = [];
    // Results that chained correlations consume; only built when some correlation feeds another.
    let fired: { result: CorrelationResult; corr: number }[] = [];
    for (const d of detections) {
      const links = this.ruleLinks[this.ruleIndexOf(d)];
      if (links === undefined) continue;
      for (const link of links) {
        const r = this.state.contribute(link, event, t, event);
        if (r === undefined) continue;
        correlations.push(r);
        if (this.correlationLinks[link.corr.index]?.length) fired.push({ result: r, corr: link.corr.index });
      }
    }
    // Chained correlations see emitted results breadth-first, at the same time (spec 03 §8).
    for (let depth = 1; fired.length > 0 && depth < MAX_CHAIN_DEPTH; depth++) {
      const next: typeof fired = [];
      for (const { result, corr } of fired) {
        const source = resultAsEvent(result);
        for (const link of this.correlationLinks[corr] ?? []) {
          const r = this.state.contribute(link, source, t, undefined);
          if (r === undefined) continue;
          correlations.push(r);
          if (this.correlationLinks[link.corr.index]?.length) next.push({ result: r, corr: link.corr.index });
        }
      }
      fired = next;
    }
    return { detections: this.visibleDetections(detections), correlations };
  }

  /** Drops expired entries, empty windows and stale suppression records as of `nowSecs` (spec 03 §9). */
  evictExpired(nowSecs: number): void {
    this.state.evictByTime(nowSecs);
    this.state.expireSuppression(nowSecs);
  }

  /** Why each detection rule did or did not match `event` (see {@link Engine.explain}); correlations are not explained. */
  explain(event: JsonEvent, opts: { ruleId?: string } = {}): RuleExplanation[] {
    return this.detector.explain(event, opts);
  }

  /** Read-only projection of every correlation and live window (spec 03 §11). */
  introspect(filter?: IntrospectFilter): CorrelationStateSnapshot {
    return introspectState(this.state, this.config, filter ?? {});
  }

  /** Deterministic, JSON-serialisable copy of all correlation state (spec 03 §12, spec 05 name). */
  exportState(): CorrelationSnapshot {
    return exportSnapshot(this.state);
  }

  /**
   * Replaces correlation state with `snapshot`; entries already expired at `nowSecs` (when given) are
   * pruned. A snapshot of another version, or not shaped like one, is refused and nothing changes.
   */
  importState(snapshot: unknown, nowSecs?: number): RestoreOutcome {
    const fresh = this.newState();
    const outcome = importSnapshot(fresh, snapshot);
    if (!outcome.ok) return outcome;
    this.state = fresh;
    if (nowSecs !== undefined) this.evictExpired(nowSecs);
    return outcome;
  }

  /** Live (correlation, group) windows. */
  stateCount(): number {
    return this.state.liveWindows;
  }

  /** Stored evidence entries across all windows. */
  eventBufferCount(): number {
    return this.state.evidenceCount();
  }

  /** Stored evidence bytes across all windows (compressed events; references estimated). */
  eventBufferBytes(): number {
    return this.state.evidenceBytes();
  }

  /** Eviction and admission counters (memory bounds made observable). */
  stats(): CorrelationStats {
    return { liveWindows: this.state.liveWindows, ...this.state.stats };
  }

  private newState(): CorrelationState {
    return new CorrelationState(this.correlations, { config: this.config, logger: this.logger });
  }

  // Registers a loaded rule; false when an earlier rule has the same (id, title), which results cannot tell apart.
  private registerDetectionRule(rule: LoadedRule): boolean {
    const index = this.detectionRules.length;
    const info: LoadedRuleInfo = { title: rule.title, documentIndex: rule.documentIndex };
    if (rule.file !== undefined) info.file = rule.file;
    if (rule.id !== undefined) info.id = rule.id;
    if (rule.name !== undefined) info.name = rule.name;
    this.detectionRules.push(info);
    this.detectionAttributes.push(rule.customAttributes);
    const byTitle = this.ruleIndex.get(rule.id ?? null) ?? new Map<string, number>();
    this.ruleIndex.set(rule.id ?? null, byTitle);
    if (byTitle.has(rule.title)) return false;
    byTitle.set(rule.title, index);
    return true;
  }

  private ruleIndexOf(d: DetectionResult): number {
    return this.ruleIndex.get(d.rule_id)?.get(d.rule_title) ?? -1;
  }

  // Builds routing tables from slot sources to correlations and the detections hidden by `generate: false`.
  private install(correlations: CompiledCorrelation[], ruleTimestampFields: string[]): void {
    this.correlations = correlations;
    this.ruleLinks = this.detectionRules.map(() => []);
    this.correlationLinks = correlations.map(() => []);
    const referencedBy = this.detectionRules.map(() => [] as CompiledCorrelation[]);
    for (const c of correlations) {
      const ruleSlots = new Map<number, number[]>();
      const correlationSlots = new Map<number, number[]>();
      c.slots.forEach((t, slot) => {
        const bySource = t.kind === 'rule' ? ruleSlots : correlationSlots;
        bySource.set(t.index, [...(bySource.get(t.index) ?? []), slot]);
      });
      for (const [index, slots] of ruleSlots) {
        this.ruleLinks[index]?.push(linkFor(c, slots, this.detectionRules[index] ?? {}));
        referencedBy[index]?.push(c);
      }
      for (const [index, slots] of correlationSlots) {
        this.correlationLinks[index]?.push(linkFor(c, slots, correlations[index] ?? {}));
      }
    }
    this.hiddenRules = new Set();
    referencedBy.forEach((cs, i) => {
      if (cs.length > 0 && cs.every((c) => !c.generate)) this.hiddenRules.add(i);
    });
    this.timestampFields = [...ruleTimestampFields, ...this.config.timestampFields.filter((f) => !ruleTimestampFields.includes(f))];
    this.state = this.newState();
  }

  private visibleDetections(detections: DetectionResult[]): DetectionResult[] {
    if (this.config.emitDetections || this.hiddenRules.size === 0) return detections;
    return detections.filter((d) => !this.hiddenRules.has(this.ruleIndexOf(d)));
  }
}

// Group fields for one source: an alias entry uses the source's name, else its id, else the alias name.
function linkFor(c: CompiledCorrelation, slots: number[], source: { id?: string; name?: string }): ConsumerLink {
  const groupFields = c.groupBy.map((g) => {
    if (g.alias === undefined) return g.name;
    const byName = source.name !== undefined ? g.alias[source.name] : undefined;
    const byId = source.id !== undefined ? g.alias[source.id] : undefined;
    return byName ?? byId ?? g.name;
  });
  return { corr: c, slots, groupFields, groupCoalesce: groupFields.map((f) => c.fieldCoalesce?.[f]) };
}

function issueKey(i: RuleLoadError): string {
  return `${i.code}\u0000${i.title}\u0000${i.message}`;
}

// A lower correlation result seen by an upper correlation: its group key pairs plus `aggregated_value`.
function resultAsEvent(r: CorrelationResult): FieldSource {
  return {
    get(path: string) {
      if (path === 'aggregated_value') return r.aggregated_value;
      for (const [field, value] of r.group_key) if (field === path) return value;
      return undefined;
    },
  };
}

/** `parts` as they are, with each one's correlation rules appended to `into` on the way. */
function* keepingCorrelations(parts: Iterable<SigmaCollection>, into: CorrelationRule[]): Generator<SigmaCollection> {
  for (const c of parts) {
    for (const r of c.correlations) into.push(r);
    yield c;
  }
}
