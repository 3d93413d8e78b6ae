// RuntimeEngine (spec 05 §2): loads rules and pipelines from disk into a correlation engine, file by file.
// A load builds everything aside and publishes it in one step; a failed load leaves the previous state untouched.

import {
  CorrelationEngine,
  parsePipelineFile,
  silentLogger,
  sortPipelines,
  transformRule,
  windowsEventRouter,
  type CorrelationConfig,
  type CorrelationEngineOptions,
  type CorrelationSnapshot,
  type CorrelationStateSnapshot,
  type CorrelationStats,
  type DetectionResult,
  type JsonEvent,
  type Logger,
  type MatchDetail,
  type Pipeline,
  type ProcessResult,
  type RuleExplanation,
  type RuleLoadError,
} from '@tsigma/eval';
import { readSigmaFiles, type CorrelationRule, type FilterRule, type Level, type SigmaCollection, type SigmaRule } from '@tsigma/parser';
import { RuntimeError } from './errors.js';
import { eventContext } from './result-context.js';
import { describeRuleLoadError } from './rule-load-errors.js';
import { collectFieldMappings, collectRuleFields, type FieldMapping, type FieldSources, type RuleFieldSet } from './rule-fields.js';
import { findRuleFiles } from './rule-files.js';

/** Construction options; kept as given so a hot reload rebuilds with the same settings. */
export interface RuntimeEngineOptions {
  /**
   * Rule files, or directories read recursively (`*.yml` / `*.yaml`, lexical order, hidden dirs skipped); several
   * paths load as one collection, so filters and correlations may reference rules of any of them.
   */
  rulesPath: string | readonly string[];
  /** Parsed pipelines (builtins via `resolvePipeline`). */
  pipelines?: Pipeline[];
  /** Pipeline files, re-read on every `loadRules()`. */
  pipelinePaths?: string[];
  /** Correlation settings; unset keys take `defaultCorrelationConfig()` values. */
  correlationConfig?: Partial<CorrelationConfig>;
  /** Embed the event in every detection result; default false. */
  includeEvent?: boolean;
  /** How much per-field detail detection results carry (02 §7); default `off`. */
  matchDetail?: MatchDetail;
  /**
   * Skip rules that cannot apply to where an event comes from (spec 02 §11, eval's `windowsEventRouter`): a
   * Windows event (EVTX record or EVTX-shaped JSON) never runs a rule for another product, or for a category or
   * service its channel and event id cannot hold. Events that do not say where they come from run every rule.
   * Default true.
   */
  logSourceRouting?: boolean;
  /** Leave out rules that fail to parse or compile (listed in `stats.skipped`) instead of failing the load. */
  skipInvalidRules?: boolean;
  /** Receives load problems (warn) and correlation-state warnings; default: silent. */
  logger?: Logger;
  /** Wall clock in epoch seconds for the correlation `wallclock` timestamp fallback (spec 03 §3). */
  clock?: () => number;
  /**
   * Resolves `sources:` and `${source.X}` of the pipelines on every load (implemented by @tsigma/sources and passed
   * in by the app, so the runtime never depends on it). Without it, pipelines that use sources fail to load.
   */
  sources?: PipelineSourceHook;
}

/** How a load treats dynamic sources: fetch them again, or rebuild with the values held since the last fetch. */
export type SourceExpansionMode = 'resolve' | 'latest';

/**
 * The seam through which a load expands dynamic pipeline sources (spec 09 §6). `expandPipelines` returns new
 * pipelines without `sources:`, `${source.X}` or `include` items, or rejects (the load fails and, on a reload,
 * the previous engine stays).
 */
export interface PipelineSourceHook {
  expandPipelines(pipelines: readonly Pipeline[], mode: SourceExpansionMode): Promise<Pipeline[]>;
}

/** Options of one {@link RuntimeEngine.loadRules} call. */
export interface LoadRulesOptions {
  /** `resolve` (default) fetches sources again; `latest` rebuilds with the values already resolved or pushed. */
  sources?: SourceExpansionMode;
}

/** Load statistics. */
export interface EngineStats {
  detectionRules: number;
  correlationRules: number;
  filterRules: number;
  /** Live correlation windows. */
  stateEntries: number;
  /** Rules left out under `skipInvalidRules` (severity `error` only). */
  skipped: RuleLoadError[];
  /** Every problem of the load, errors and warnings, in load order (warnings never cost a rule). */
  issues: RuleLoadError[];
  /** Rule files read. */
  files: number;
}

/** One loaded rule, for listings (CLI, daemon API). */
export interface RuleSummary {
  id: string | null;
  title: string;
  level: Level | null;
  kind: 'detection' | 'correlation' | 'filter';
  /** The rule file, when known. */
  path: string | null;
  tags: string[];
}

interface Loaded {
  engine: CorrelationEngine;
  stats: Omit<EngineStats, 'stateEntries'>;
  rules: RuleSummary[];
  files: string[];
  pipelines: Pipeline[];
  fields?: { set: RuleFieldSet; mappings: FieldMapping[] };
}

/**
 * Owns the compiled rules: load with `loadRules()`, then evaluate with `processBatch()` (synchronous).
 *
 * @example
 * const engine = new RuntimeEngine({ rulesPath: 'rules/', pipelines: [builtinPipeline('sysmon')!] });
 * const stats = await engine.loadRules();
 * const [result] = engine.processBatch([new JsonEvent({ CommandLine: 'whoami' })]);
 */
export class RuntimeEngine {
  readonly options: Readonly<RuntimeEngineOptions>;
  private loaded: Loaded | undefined;

  constructor(options: RuntimeEngineOptions) {
    this.options = Object.freeze({ ...options });
  }

  /** True once a `loadRules()` call has succeeded. */
  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  /**
   * Reads pipelines (from `pipelinePaths`) and rules, compiles them and publishes the result. Rule files are
   * parsed one at a time and compiled before the next is read, so the ASTs of the whole corpus never sit in
   * memory together. Rejects with a RuntimeError naming the file: `pipeline_load` for a bad pipeline file,
   * `sources_unavailable` for pipelines that need dynamic sources when no `sources` hook is set, `source_load`
   * when the hook fails, `rule_load` (with every problem in `issues`) for an unreadable rules path or bad rules
   * unless `skipInvalidRules`. Nothing observable changes unless it resolves.
   */
  async loadRules(opts: LoadRulesOptions = {}): Promise<EngineStats> {
    const read = sortPipelines([...(this.options.pipelines ?? []), ...(await this.readPipelineFiles())]);
    const pipelines = await this.expandSources(read, opts.sources ?? 'resolve');
    rejectDynamicSources(pipelines);
    const files = await findRuleFiles(this.rulePaths());
    this.loaded = this.compile(files, pipelines);
    return this.stats();
  }

  /** Evaluates events in order; one ProcessResult per event. Correlation state advances across batches. */
  processBatch(events: readonly JsonEvent[]): ProcessResult[] {
    const { detections, times } = this.detectBatch(events);
    return this.correlateBatch(events, detections, times);
  }

  /**
   * The stateless half of {@link processBatch}: each event's detections, and the time of each event that has any
   * (NaN when it has none; unread and NaN for events without detections, as correlation never reads it).
   */
  detectBatch(events: readonly JsonEvent[]): { detections: DetectionResult[][]; times: number[] } {
    const engine = this.require().engine;
    const detections = new Array<DetectionResult[]>(events.length);
    const times = new Array<number>(events.length);
    for (let k = 0; k < events.length; k++) {
      const event = events[k] as JsonEvent;
      const found = engine.evaluate(event);
      detections[k] = found;
      if (found.length === 0) {
        times[k] = Number.NaN;
        continue;
      }
      const time = engine.eventTimeAndText(event);
      times[k] = time?.secs ?? Number.NaN;
      const context = eventContext(event, time?.text);
      for (const d of found) Object.assign(d, context);
    }
    return { detections, times };
  }

  /**
   * The stateful half: feeds detections from {@link detectBatch} (here or in a worker) into the correlations, in
   * order. `events[k]` only needs the fields in {@link correlationEventReads}; together the halves give exactly the
   * results of `processBatch`.
   */
  correlateBatch(
    events: readonly (JsonEvent | undefined)[],
    detections: readonly DetectionResult[][],
    times: readonly number[],
  ): ProcessResult[] {
    const engine = this.require().engine;
    const out = new Array<ProcessResult>(detections.length);
    for (let k = 0; k < detections.length; k++) {
      const found = detections[k] as DetectionResult[];
      const event = events[k];
      if (found.length === 0 || event === undefined) {
        out[k] = { detections: found, correlations: [] };
        continue;
      }
      const result = engine.processWithDetections(event, found, times[k] as number);
      // A correlation fires on the event that completes it: that event's time is the correlation's.
      const time = found[0]?.event_time;
      if (time !== undefined) for (const c of result.correlations) c.event_time = time;
      out[k] = result;
    }
    return out;
  }

  /**
   * An event's time in epoch seconds as correlations read it (the configured timestamp fields, spec 03 §3), or NaN
   * when it has none; lets a post-engine stage follow event time (`tsigma eval --alert-pipeline`).
   */
  eventTime(event: JsonEvent): number {
    return this.require().engine.eventTime(event);
  }

  /** The event fields the loaded correlations read (see `CorrelationEngine.correlationEventReads`). */
  correlationEventReads(): { paths: string[]; wholeEvent: boolean } {
    return this.require().engine.correlationEventReads();
  }

  /** Rule counts of the current load, skipped rules, and live correlation windows now. */
  stats(): EngineStats {
    const l = this.require();
    return {
      ...l.stats,
      skipped: [...l.stats.skipped],
      issues: [...l.stats.issues],
      stateEntries: correlationOf(l)?.stateCount() ?? 0,
    };
  }

  /**
   * How correlation state kept within its bounds so far: live windows, windows evicted at `maxStateEntries` and
   * the rounds that did it, expired windows, late or untimed events (all zero without correlation rules).
   */
  correlationStats(): CorrelationStats {
    return this.require().engine.stats();
  }

  /** Correlation state as a JSON-safe snapshot; null when no correlation rules are loaded. */
  exportState(): CorrelationSnapshot | null {
    return correlationOf(this.require())?.exportState() ?? null;
  }

  /**
   * Restores correlation state; windows of correlations that no longer exist are ignored. Returns false on a
   * snapshot version mismatch; with no correlation rules loaded there is nothing to restore and it returns true.
   */
  importState(snapshot: CorrelationSnapshot): boolean {
    const correlation = correlationOf(this.require());
    return correlation === undefined ? true : correlation.importState(snapshot).ok;
  }

  /**
   * Read-only view of correlation windows (spec 03 §11). With no correlation rules loaded it is the engine's
   * empty view (no correlations, no windows), so a state dump always has the same shape.
   */
  introspectCorrelations(id?: string, group?: string): CorrelationStateSnapshot {
    const filter: { id?: string; group?: string } = {};
    if (id !== undefined) filter.id = id;
    if (group !== undefined) filter.group = group;
    return this.require().engine.introspect(filter);
  }

  /** Why each loaded detection rule (or the one with this id or title) did or did not match `event`. */
  explain(event: JsonEvent, opts: { ruleId?: string } = {}): RuleExplanation[] {
    return this.require().engine.explain(event, opts);
  }

  /**
   * The pipeline items applied to each accepted detection rule (by id, else title), as `tsigma explain
   * --show-pipeline` lists them. Like {@link ruleFieldSet}, it reads the rule files of the load again.
   */
  appliedPipelineItems(): Map<string, string[]> {
    const l = this.require();
    const byRule = new Map<string, string[]>();
    for (const rule of acceptedRules(readSigmaFiles(l.files), l.stats.skipped).rules) {
      try {
        byRule.set(rule.id ?? rule.title, transformRule([...l.pipelines], rule).appliedItems);
      } catch {
        // A rule the pipelines reject was reported as a load problem and is not explained.
      }
    }
    return byRule;
  }

  /** The rule files of the load, in load order. */
  ruleFiles(): string[] {
    return [...this.require().files];
  }

  /** The loaded rules: detections, then correlations, then filters, each in file order. */
  listRules(): RuleSummary[] {
    return [...this.require().rules];
  }

  /**
   * Fields referenced by the loaded rules, after pipelines. Computed on first use by reading the rule files of the
   * load again (the load keeps no ASTs), so a file edited since the load is read as it is now.
   */
  ruleFieldSet(): RuleFieldSet {
    return this.fieldsOfLoad().set;
  }

  /** How the pipelines renamed each detection field: original name → names after the pipelines. */
  fieldMappings(): FieldMapping[] {
    return this.fieldsOfLoad().mappings;
  }

  private fieldsOfLoad(): NonNullable<Loaded['fields']> {
    const l = this.require();
    if (l.fields === undefined) {
      const accepted = acceptedRules(readSigmaFiles(l.files), l.stats.skipped);
      const transformed = transformAll(l.pipelines, accepted);
      l.fields = { set: collectRuleFields(transformed), mappings: collectFieldMappings(accepted.rules, transformed.rules, l.pipelines) };
    }
    return l.fields;
  }

  private rulePaths(): readonly string[] {
    const p = this.options.rulesPath;
    return typeof p === 'string' ? [p] : p;
  }

  private require(): Loaded {
    if (this.loaded === undefined) {
      throw new RuntimeError('not_loaded', 'loadRules() has not completed successfully', this.rulePaths().join(', '));
    }
    return this.loaded;
  }

  private async expandSources(pipelines: Pipeline[], mode: SourceExpansionMode): Promise<Pipeline[]> {
    const hook = this.options.sources;
    if (hook === undefined) return pipelines;
    try {
      return sortPipelines(await hook.expandPipelines(pipelines, mode));
    } catch (err) {
      const subject = pipelines.map((p) => p.file ?? p.name).join(', ');
      throw new RuntimeError('source_load', (err as Error).message, subject, { cause: err });
    }
  }

  private async readPipelineFiles(): Promise<Pipeline[]> {
    const out: Pipeline[] = [];
    for (const path of this.options.pipelinePaths ?? []) {
      try {
        out.push(await parsePipelineFile(path));
      } catch (err) {
        throw new RuntimeError('pipeline_load', `cannot load pipeline: ${(err as Error).message}`, path, { cause: err });
      }
    }
    return out;
  }

  private compile(files: string[], pipelines: Pipeline[]): Loaded {
    const logger = this.options.logger ?? silentLogger;
    const options: CorrelationEngineOptions = {
      engine: { includeEvent: this.options.includeEvent ?? false, matchDetail: this.options.matchDetail ?? 'off' },
      logger,
    };
    if (this.options.clock !== undefined) options.clock = this.options.clock;
    const engine = new CorrelationEngine(this.options.correlationConfig, options);
    if (this.options.logSourceRouting !== false) engine.setLogSourceRouter(windowsEventRouter());
    for (const p of pipelines) engine.addPipeline(p);

    // Summaries are taken as each file's collection passes by, keeping no reference to its ASTs, so each
    // collection is garbage once compiled.
    const seen: NotedRule[] = [];
    const report = engine.addCollections(noteRules(readSigmaFiles(files), seen));

    const failed = report.errors.filter((e) => e.severity === 'error');
    if (failed.length > 0 && this.options.skipInvalidRules !== true) {
      const first = failed[0] as RuleLoadError;
      throw new RuntimeError(
        'rule_load',
        `${failed.length} rule problem(s); first: ${describeRuleLoadError(first)}`,
        first.file ?? files[0] ?? '',
        {
          issues: failed,
        },
      );
    }
    for (const e of report.errors) logger.warn(describeRuleLoadError(e), { file: e.file, code: e.code, rule: e.ruleId ?? e.title });

    const failedKeys = failedDocumentKeys(failed);
    const byKind: Record<RuleSummary['kind'], RuleSummary[]> = { detection: [], correlation: [], filter: [] };
    for (const { summary, document } of seen) if (!failedKeys.has(document)) byKind[summary.kind].push(summary);
    return {
      engine,
      stats: {
        detectionRules: byKind.detection.length,
        correlationRules: byKind.correlation.length,
        filterRules: byKind.filter.length,
        skipped: failed,
        issues: report.errors,
        files: files.length,
      },
      // Detections, then correlations, then filters, each in file order.
      rules: [...byKind.detection, ...byKind.correlation, ...byKind.filter],
      files,
      pipelines,
    };
  }
}

/** A rule's summary and the document it came from (to leave out documents that failed). */
interface NotedRule {
  summary: RuleSummary;
  document: string;
}

/** Passes collections through unchanged, noting each rule's summary (not the rule itself). */
function* noteRules(parts: Iterable<SigmaCollection>, out: NotedRule[]): Generator<SigmaCollection> {
  const note = (kind: RuleSummary['kind'], rule: SigmaRule | CorrelationRule | FilterRule): void => {
    out.push({ summary: summary(kind, rule), document: documentKey(rule.source.file, rule.source.documentIndex) });
  };
  for (const c of parts) {
    for (const rule of c.rules) note('detection', rule);
    for (const rule of c.correlations) note('correlation', rule);
    for (const rule of c.filters) note('filter', rule);
    yield c;
  }
}

/** The rules of `parts` that the load kept (documents with an error were skipped). */
function acceptedRules(parts: Iterable<SigmaCollection>, skipped: readonly RuleLoadError[]): FieldSources {
  const isFailed = failedDocuments(skipped);
  const out = { rules: [] as SigmaRule[], correlations: [] as CorrelationRule[], filters: [] as FilterRule[] };
  for (const c of parts) {
    for (const r of c.rules) if (!isFailed(r)) out.rules.push(r);
    for (const r of c.correlations) if (!isFailed(r)) out.correlations.push(r);
    for (const r of c.filters) if (!isFailed(r)) out.filters.push(r);
  }
  return out;
}

function documentKey(file: string | undefined, documentIndex: number | undefined): string {
  return `${file ?? ''}\u0000${documentIndex}`;
}

/** The documents (file and index) that a load error cost. */
function failedDocumentKeys(failed: readonly RuleLoadError[]): Set<string> {
  return new Set(failed.filter((e) => e.documentIndex !== undefined).map((e) => documentKey(e.file, e.documentIndex)));
}

function failedDocuments(failed: readonly RuleLoadError[]): (r: SigmaRule | CorrelationRule | FilterRule) => boolean {
  const keys = failedDocumentKeys(failed);
  return (r) => keys.has(documentKey(r.source.file, r.source.documentIndex));
}

/** Applies the pipelines to each accepted rule, for the post-pipeline field set. */
function transformAll(
  pipelines: readonly Pipeline[],
  src: FieldSources,
): { rules: SigmaRule[]; correlations: CorrelationRule[]; filters: FilterRule[] } {
  const one = <T extends SigmaRule | CorrelationRule | FilterRule>(r: T): T => {
    if (pipelines.length === 0) return r;
    try {
      return transformRule([...pipelines], r).rule as T;
    } catch {
      // Only rules whose pipeline failure was a warning get here; their fields are listed as written.
      return r;
    }
  };
  return { rules: src.rules.map(one), correlations: src.correlations.map(one), filters: src.filters.map(one) };
}

/**
 * Pipelines with `sources:`, `${source.*}` placeholders or `include` items need a source hook; never compile them
 * unexpanded, where a reference would silently match nothing. The message names the sources involved.
 */
function rejectDynamicSources(pipelines: readonly Pipeline[]): void {
  for (const p of pipelines) {
    const ids = new Set<string>();
    for (const values of Object.values(p.vars)) for (const v of values) for (const m of v.matchAll(SOURCE_REF)) ids.add(m[1] as string);
    for (const item of p.items) if (item.include !== undefined) for (const m of item.include.matchAll(SOURCE_REF)) ids.add(m[1] as string);
    for (const s of p.sources) {
      const id = typeof s === 'object' && s !== null ? (s as { id?: unknown }).id : undefined;
      if (typeof id === 'string') ids.add(id);
    }
    const unresolved = Object.values(p.vars).some((values) => values.some((v) => v.includes('${source.')));
    if (p.sources.length > 0 || unresolved || ids.size > 0) {
      const names = ids.size > 0 ? ` (${[...ids].map((i) => `'${i}'`).join(', ')})` : '';
      throw new RuntimeError(
        'sources_unavailable',
        `pipeline "${p.name}" uses dynamic sources${names}, which need a source resolver (none was configured)`,
        p.file ?? p.name,
      );
    }
  }
}

/** A `${source.<id>…}` reference; only the id is read here. */
const SOURCE_REF = /\$\{source\.([A-Za-z_][A-Za-z0-9_]*)/g;

function correlationOf(l: Loaded): CorrelationEngine | undefined {
  return l.stats.correlationRules > 0 ? l.engine : undefined;
}

function summary(kind: RuleSummary['kind'], r: SigmaRule | CorrelationRule | FilterRule): RuleSummary {
  return { id: r.id ?? null, title: r.title, level: r.level ?? null, kind, path: r.source.file ?? null, tags: [...r.tags] };
}
