// The stateless detection engine (spec 02 §1, §8, §11, §12): loads rules through pipelines, applies
// filters, and evaluates events with a candidate prefilter. Holds no per-event state between calls.

import { SigmaParseError, type FilterRule, type SigmaCollection, type SigmaParseErrorCode, type SigmaRule } from '@tsigma/parser';
import { compileRule, type CompiledRule, type LoadedRule } from './compile.js';
import type { CorrelationErrorCode } from './correlation/errors.js';
import { RuleCompileError, type RuleCompileErrorCode } from './errors.js';
import { buildResult, ruleMatches, type ResultOptions } from './evaluate.js';
import type { JsonEvent } from './event.js';
import { explainRule, type RuleExplanation } from './explain.js';
import { applyCompiledFilter, compileFilter, filterTargets } from './filter.js';
import { logSourceConflicts, type EventLogSource, type LogSourceExtractor } from './logsource.js';
import type { LogSourceRouter } from './logsource-routing.js';
import { PipelineError, transformRule, type Pipeline, type PipelineErrorCode } from './pipeline/index.js';
import { CandidateIndex } from './prefilter.js';
import type { DetectionResult, MatchDetail } from './result.js';

/** Engine construction options. */
export interface EngineOptions {
  /** Attach the event to every result (default off; rules can opt in, spec 02 §9). */
  includeEvent?: boolean;
  /** Per-field detail in results (default `off`). */
  matchDetail?: MatchDetail;
  /** Derive each event's logsource and skip conflicting rules (spec 02 §11). */
  logSourceExtractor?: LogSourceExtractor;
  /** Skip rules that cannot apply to where an event comes from (e.g. `windowsEventRouter()`); default none. */
  logSourceRouter?: LogSourceRouter;
  /** Use the candidate index (default true, spec 02 §12); results are identical either way. */
  prefilter?: boolean;
}

/**
 * Every code a {@link RuleLoadError} can carry: the parser's, compilation's, correlation's and the pipelines'
 * rule-time codes, plus the load-time findings of the engines themselves.
 */
export type RuleLoadErrorCode =
  | SigmaParseErrorCode
  | RuleCompileErrorCode
  | CorrelationErrorCode
  | PipelineErrorCode
  /** A filter names rules of which none is loaded (spec 02 §8, warning). */
  | 'filter_no_target'
  /** A `tsigma.*` attribute has a value of the wrong kind, or is set where it does nothing (warnings). */
  | 'invalid_attribute'
  | 'ignored_attribute'
  /** A correlation alias maps a rule the correlation does not list (warning). */
  | 'unknown_alias_ref'
  /** Two loaded rules share id and title, so correlations cannot tell them apart (warning). */
  | 'ambiguous_rule_identity'
  /** A bug in a pipeline or the compiler, reported instead of aborting the load. */
  | 'internal_error';

/**
 * One rule or filter that could not be loaded, or a warning about one. Location: `file`, the 1-based
 * `line` and `column` of the problem (the detection item for compile errors, the rule document's start
 * when nothing finer is known), and a JSON `pointer` into the rule (e.g. `/detection/selection/CommandLine|re`)
 * where the problem has one, which is all there is for conditions.
 */
export interface RuleLoadError {
  file?: string;
  line?: number;
  column?: number;
  pointer?: string;
  documentIndex?: number;
  ruleId?: string;
  title: string;
  code: RuleLoadErrorCode;
  message: string;
  severity: 'error' | 'warning';
  /** `parse` when the rule's YAML or Sigma structure was refused; unset for compile, pipeline and correlation problems. */
  stage?: 'parse';
}

/** What {@link Engine.addCollection} loaded and what it skipped. */
export interface LoadReport {
  rulesLoaded: number;
  filtersApplied: number;
  errors: RuleLoadError[];
}

/** A route's decisions: 1 per rule (by load position) that may run, and whether any of them needs the keyword scan. */
interface Admitted {
  runs: Uint8Array;
  scanKeywords: boolean;
}

/** Routes whose rule decisions an engine keeps; far more than the channel/event-id pairs of real logs. */
const MAX_REMEMBERED_ROUTES = 4096;

/**
 * Compiles Sigma rules and evaluates events against them.
 *
 * @example
 * const engine = new Engine();
 * const report = engine.addCollection(parseSigmaYaml(yamlText, { file: 'rules.yml' }));
 * const results = engine.evaluate(new JsonEvent(JSON.parse(line)));
 */
export class Engine {
  private pipelines: Pipeline[] = [];
  private compiled: CompiledRule[] = [];
  private filterCounter = 0;
  private includeEvent: boolean;
  private matchDetail: MatchDetail;
  private extractor: LogSourceExtractor | null;
  private readonly usePrefilter: boolean;
  private index: CandidateIndex | null = null;
  private router: LogSourceRouter | null;
  /** Per route, which rules the router lets run; rebuilt with the index. */
  private admittedByRoute = new Map<string, Admitted>();

  constructor(opts: EngineOptions = {}) {
    this.includeEvent = opts.includeEvent ?? false;
    this.matchDetail = opts.matchDetail ?? 'off';
    this.extractor = opts.logSourceExtractor ?? null;
    this.usePrefilter = opts.prefilter ?? true;
    this.router = opts.logSourceRouter ?? null;
  }

  /** Adds a processing pipeline; pipelines apply in priority order (ties: insertion order) to rules added later. */
  addPipeline(p: Pipeline): void {
    this.pipelines = [...this.pipelines, p].sort((a, b) => a.priority - b.priority);
  }

  /**
   * Loads every detection rule of a collection, then applies its filters. Rules that fail are skipped
   * and reported (or thrown with `strict`); correlation rules are left to the correlation engine.
   */
  addCollection(c: SigmaCollection, opts: { strict?: boolean } = {}): LoadReport {
    return this.addCollections([c], opts);
  }

  /**
   * Loads several collections as one (a filter may target rules of any of them): the rules of each
   * collection as it comes, then every filter. `parts` is read once, in order, so a generator that parses
   * file by file never holds more than one file's rules as AST (each is garbage once compiled).
   *
   * @example
   * const report = engine.addCollections(files.map((f) => parseSigmaYaml(readFileSync(f, 'utf8'), { file: f })));
   */
  addCollections(parts: Iterable<SigmaCollection>, opts: { strict?: boolean } = {}): LoadReport {
    const report: LoadReport = { rulesLoaded: 0, filtersApplied: 0, errors: [] };
    const filters: FilterRule[] = [];
    for (const c of parts) {
      for (const e of c.errors) {
        const entry: RuleLoadError = { title: e.ruleTitle ?? '', code: e.code, message: e.message, severity: e.severity, stage: 'parse' };
        if (e.file !== undefined) entry.file = e.file;
        if (e.line !== undefined) entry.line = e.line;
        if (e.column !== undefined) entry.column = e.column;
        if (e.documentIndex !== undefined) entry.documentIndex = e.documentIndex;
        report.errors.push(entry);
      }
      for (const rule of c.rules) {
        try {
          this.addRule(rule);
          report.rulesLoaded++;
        } catch (err) {
          if (opts.strict) throw err;
          report.errors.push(loadError(rule, err));
        }
      }
      for (const filter of c.filters) filters.push(filter);
    }
    for (const filter of filters) {
      try {
        const targets = this.applyFilterCounting(filter);
        report.filtersApplied++;
        if (targets === 0 && filter.rules !== 'any' && filter.rules.length > 0) {
          report.errors.push({
            ...origin(filter),
            code: 'filter_no_target',
            message: `filter "${filter.title}" matches no loaded rule (${filter.rules.join(', ')})`,
            severity: 'warning',
          });
        }
      } catch (err) {
        if (opts.strict) throw err;
        report.errors.push(loadError(filter, err));
      }
    }
    return report;
  }

  /**
   * Transforms one rule with the engine's pipelines, compiles it and adds it.
   * @throws RuleCompileError, or the pipeline module's error for pipeline rule failures.
   */
  addRule(r: SigmaRule): void {
    const rule = this.pipelines.length > 0 ? transformRule(this.pipelines, r).rule : r;
    this.compiled.push(compileRule(rule));
    this.rulesChanged();
  }

  /** Applies a filter rule to every loaded rule it targets (spec 02 §8). */
  applyFilter(f: FilterRule): void {
    this.applyFilterCounting(f);
  }

  private applyFilterCounting(f: FilterRule): number {
    const filter = this.pipelines.length > 0 ? transformRule(this.pipelines, f).rule : f;
    const compiled = compileFilter(filter, this.filterCounter++);
    let targets = 0;
    this.compiled = this.compiled.map((rule) => {
      if (!filterTargets(filter, rule)) return rule;
      targets++;
      return applyCompiledFilter(rule, compiled);
    });
    if (targets > 0) this.rulesChanged();
    return targets;
  }

  /** Every result for the event, in rule load order. */
  evaluate(event: JsonEvent): DetectionResult[] {
    const ls = this.extractor === null ? null : this.extractor.extract(event);
    return this.run(event, ls);
  }

  /** `evaluate` for each event, in order. */
  evaluateBatch(events: readonly JsonEvent[]): DetectionResult[][] {
    return events.map((e) => this.evaluate(e));
  }

  /** Like `evaluate`, with the event's logsource given by the caller instead of the extractor. */
  evaluateWithLogSource(event: JsonEvent, ls: EventLogSource): DetectionResult[] {
    return this.run(event, ls);
  }

  /**
   * Explains every rule, or only the rules with id `ruleId` (else with that exact title). A rule the router skips
   * for this event is explained all the same, with `routed_out` saying why it would not run.
   */
  explain(event: JsonEvent, opts: { ruleId?: string } = {}): RuleExplanation[] {
    let rules = this.compiled;
    const wanted = opts.ruleId;
    if (wanted !== undefined) {
      const byId = rules.filter((r) => r.id === wanted);
      rules = byId.length > 0 ? byId : rules.filter((r) => r.title === wanted);
    }
    const route = this.router?.routeOf(event);
    return rules.map((r) => {
      const explanation = explainRule(r, event);
      const why = route === undefined ? undefined : this.router?.exclusion(route, r.logsource);
      return why === undefined ? explanation : { ...explanation, matched: false, routed_out: why };
    });
  }

  /** The loaded rules after pipelines and filters, in load order. */
  rules(): readonly LoadedRule[] {
    return this.compiled;
  }

  /** Global include-event switch (rules with `tsigma.include_event: true` include it regardless). */
  setIncludeEvent(on: boolean): void {
    this.includeEvent = on;
  }

  /** Sets how much per-field detail results carry. */
  setMatchDetail(level: MatchDetail): void {
    this.matchDetail = level;
  }

  /** Sets or clears the logsource extractor used by `evaluate`. */
  setLogSourceExtractor(x: LogSourceExtractor | null): void {
    this.extractor = x;
  }

  /** Sets or clears the logsource router used by `evaluate`. */
  setLogSourceRouter(router: LogSourceRouter | null): void {
    this.router = router;
    this.admittedByRoute.clear();
  }

  private rulesChanged(): void {
    this.index = null;
    this.admittedByRoute.clear();
  }

  /** Which rules may run on `event`, or null when every rule may. */
  private admittedFor(event: JsonEvent, index: CandidateIndex | null): Admitted | null {
    if (this.router === null) return null;
    const route = this.router.routeOf(event);
    if (route === undefined) return null;
    let admitted = this.admittedByRoute.get(route);
    if (admitted === undefined) {
      // Hostile input could name endless routes; the decisions are cheap to make again.
      if (this.admittedByRoute.size >= MAX_REMEMBERED_ROUTES) this.admittedByRoute.clear();
      const router = this.router;
      const runs = Uint8Array.from(this.compiled, (r) => (router.exclusion(route, r.logsource) === undefined ? 1 : 0));
      admitted = { runs, scanKeywords: index === null || index.needsKeywordScan(runs) };
      this.admittedByRoute.set(route, admitted);
    }
    return admitted;
  }

  private run(event: JsonEvent, ls: EventLogSource | null): DetectionResult[] {
    const rules = this.compiled;
    const opts: ResultOptions = { matchDetail: this.matchDetail, includeEvent: this.includeEvent };
    const out: DetectionResult[] = [];
    if (this.usePrefilter) {
      const index = (this.index ??= new CandidateIndex(rules));
      const admitted = this.admittedFor(event, index);
      const runs = admitted?.runs ?? null;
      const candidates = index.candidates(event, admitted?.scanKeywords ?? true);
      for (let i = 0; i < candidates.length; i++) {
        const position = candidates[i] as number;
        if (runs !== null && runs[position] === 0) continue;
        const rule = rules[position] as CompiledRule;
        if (ls !== null && logSourceConflicts(rule.logsource, ls)) continue;
        if (ruleMatches(rule, event)) out.push(buildResult(rule, event, opts));
      }
      return out;
    }
    const runs = this.admittedFor(event, null)?.runs ?? null;
    for (let position = 0; position < rules.length; position++) {
      const rule = rules[position] as CompiledRule;
      if (runs !== null && runs[position] === 0) continue;
      if (ls !== null && logSourceConflicts(rule.logsource, ls)) continue;
      if (ruleMatches(rule, event)) out.push(buildResult(rule, event, opts));
    }
    return out;
  }
}

// The rule's identity and, with `start`, where its document starts (the finest location of whole-rule problems).
function origin(r: SigmaRule | FilterRule, start = true): Omit<RuleLoadError, 'code' | 'message' | 'severity'> {
  const o: Omit<RuleLoadError, 'code' | 'message' | 'severity'> = { title: r.title };
  if (r.source.file !== undefined) o.file = r.source.file;
  if (start && r.source.location.line > 0) {
    o.line = r.source.location.line;
    o.column = r.source.location.column;
  }
  o.documentIndex = r.source.documentIndex;
  if (r.id !== undefined) o.ruleId = r.id;
  return o;
}

function loadError(r: SigmaRule | FilterRule, err: unknown): RuleLoadError {
  if (err instanceof RuleCompileError) {
    // The item's own position, not the rule's start; a condition has only its pointer.
    const out: RuleLoadError = { ...origin(r, false), code: err.code, message: err.message, severity: 'error' };
    const { line, column, pointer } = err.spot;
    if (line !== undefined) out.line = line;
    if (column !== undefined) out.column = column;
    if (pointer !== undefined) out.pointer = pointer;
    return out;
  }
  if (err instanceof PipelineError || err instanceof SigmaParseError) {
    return { ...origin(r), code: err.code, message: err.message, severity: 'error' };
  }
  // Anything else is a bug in a pipeline or the compiler; it is still reported rather than aborting the load.
  return { ...origin(r), code: 'internal_error', message: err instanceof Error ? err.message : String(err), severity: 'error' };
}
