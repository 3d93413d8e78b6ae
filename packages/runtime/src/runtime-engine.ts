// RuntimeEngine (spec 05 §2): loads rules and pipelines from disk into a detection or correlation engine.
// A load builds everything aside and publishes it in one step; a failed load leaves the previous state untouched.

import { stat } from 'node:fs/promises';
import {
  CorrelationEngine,
  Engine,
  parsePipelineFile,
  silentLogger,
  sortPipelines,
  transformRule,
  type CorrelationConfig,
  type CorrelationEngineOptions,
  type CorrelationSnapshot,
  type CorrelationStateSnapshot,
  type JsonEvent,
  type Pipeline,
  type ProcessResult,
  type RuleLoadError,
} from '@tsigma/eval';
import {
  parseSigmaDirectory,
  parseSigmaFile,
  type CorrelationRule,
  type FilterRule,
  type Level,
  type SigmaCollection,
  type SigmaRule,
} from '@tsigma/parser';
import { RuntimeError } from './errors.js';
import { collectRuleFields, type FieldSources, type RuleFieldSet } from './rule-fields.js';

/** Construction options; kept as given so a hot reload rebuilds with the same settings. */
export interface RuntimeEngineOptions {
  /** A rule file, or a directory read recursively (`*.yml` / `*.yaml`, lexical order, hidden dirs skipped). */
  rulesPath: string;
  /** Parsed pipelines (builtins via `resolvePipeline`). */
  pipelines?: Pipeline[];
  /** Pipeline files, re-read on every `loadRules()`. */
  pipelinePaths?: string[];
  /** Correlation settings; unset keys take `defaultCorrelationConfig()` values. */
  correlationConfig?: Partial<CorrelationConfig>;
  /** Embed the event in every detection result; default false. */
  includeEvent?: boolean;
  /** Leave out rules that fail to parse or compile (listed in `stats.skipped`) instead of failing the load. */
  skipInvalidRules?: boolean;
  /** Receives load warnings (skipped rules, parser and engine warnings); default: one line on stderr each. */
  onWarning?: (message: string) => void;
  /** Wall clock in epoch seconds for the correlation `wallclock` timestamp fallback (spec 03 §3). */
  clock?: () => number;
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

/** The compiled evaluator: a plain detection engine, or a correlation engine wrapping one. */
type Backend = { kind: 'detection'; engine: Engine } | { kind: 'correlation'; engine: CorrelationEngine };

interface Loaded {
  backend: Backend;
  stats: Omit<EngineStats, 'stateEntries'>;
  rules: RuleSummary[];
  fields: () => RuleFieldSet;
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
   * Reads pipelines (from `pipelinePaths`) and rules, compiles them and publishes the result.
   * Rejects with a RuntimeError naming the file: `pipeline_load` for a bad pipeline file, `sources_unavailable`
   * for pipelines that need dynamic sources, `rule_load` (with every problem in `issues`) for bad rules unless
   * `skipInvalidRules`. Nothing observable changes unless it resolves.
   */
  async loadRules(): Promise<EngineStats> {
    const pipelines = sortPipelines([...(this.options.pipelines ?? []), ...(await this.readPipelineFiles())]);
    rejectDynamicSources(pipelines);
    const collection = await this.readRules();
    this.loaded = this.compile(collection, pipelines);
    return this.stats();
  }

  /** Evaluates events in order; one ProcessResult per event. Correlation state advances across batches. */
  processBatch(events: readonly JsonEvent[]): ProcessResult[] {
    const { backend } = this.require();
    if (backend.kind === 'correlation') return backend.engine.processBatch(events);
    const detector = backend.engine;
    return events.map((e) => ({ detections: detector.evaluate(e), correlations: [] }));
  }

  /** Rule counts of the current load, skipped rules, and live correlation windows now. */
  stats(): EngineStats {
    const l = this.require();
    return { ...l.stats, skipped: [...l.stats.skipped], stateEntries: correlationOf(l)?.stateCount() ?? 0 };
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

  /** Read-only view of correlation windows (spec 03 §11); null when no correlation rules are loaded. */
  introspectCorrelations(id?: string, group?: string): CorrelationStateSnapshot | null {
    const filter: { id?: string; group?: string } = {};
    if (id !== undefined) filter.id = id;
    if (group !== undefined) filter.group = group;
    return correlationOf(this.require())?.introspect(filter) ?? null;
  }

  /** The loaded rules: detections, then correlations, then filters, each in file order. */
  listRules(): RuleSummary[] {
    return [...this.require().rules];
  }

  /** Fields referenced by the loaded rules, after pipelines. */
  ruleFieldSet(): RuleFieldSet {
    return this.require().fields();
  }

  private require(): Loaded {
    if (this.loaded === undefined) {
      throw new RuntimeError('not_loaded', 'loadRules() has not completed successfully', this.options.rulesPath);
    }
    return this.loaded;
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

  private async readRules(): Promise<SigmaCollection> {
    const path = this.options.rulesPath;
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (err) {
      throw new RuntimeError('rule_load', `cannot read rules path: ${(err as Error).message}`, path, { cause: err });
    }
    return isDir ? parseSigmaDirectory(path) : parseSigmaFile(path);
  }

  private compile(collection: SigmaCollection, pipelines: Pipeline[]): Loaded {
    const warn = this.options.onWarning ?? writeWarning;
    const includeEvent = this.options.includeEvent ?? false;
    let backend: Backend;
    let errors: RuleLoadError[];
    if (collection.correlations.length > 0) {
      const options: CorrelationEngineOptions = { engine: { includeEvent }, logger: { ...silentLogger, warn } };
      if (this.options.clock !== undefined) options.clock = this.options.clock;
      const correlation = new CorrelationEngine(this.options.correlationConfig, options);
      for (const p of pipelines) correlation.addPipeline(p);
      errors = correlation.addCollection(collection).errors;
      backend = { kind: 'correlation', engine: correlation };
    } else {
      const detector = new Engine({ includeEvent });
      for (const p of pipelines) detector.addPipeline(p);
      errors = detector.addCollection(collection).errors;
      backend = { kind: 'detection', engine: detector };
    }
    const failed = errors.filter((e) => e.severity === 'error');
    if (failed.length > 0 && this.options.skipInvalidRules !== true) {
      const first = failed[0] as RuleLoadError;
      throw new RuntimeError(
        'rule_load',
        `${failed.length} rule problem(s); first: ${describeIssue(first)}`,
        first.file ?? this.options.rulesPath,
        {
          issues: failed,
        },
      );
    }
    for (const e of errors) warn(`${e.severity === 'error' ? 'skipped rule' : 'warning'}: ${describeIssue(e)}`);

    const loaded = <T extends SigmaRule | CorrelationRule | FilterRule>(r: T): boolean => !failed.some((e) => sameDocument(e, r));
    const accepted = {
      rules: collection.rules.filter(loaded),
      correlations: collection.correlations.filter(loaded),
      filters: collection.filters.filter(loaded),
    };
    const rules: RuleSummary[] = [
      ...accepted.rules.map((r) => summary('detection', r)),
      ...accepted.correlations.map((c) => summary('correlation', c)),
      ...accepted.filters.map((f) => summary('filter', f)),
    ];
    let fields: RuleFieldSet | undefined;
    return {
      backend,
      stats: {
        detectionRules: accepted.rules.length,
        correlationRules: accepted.correlations.length,
        filterRules: accepted.filters.length,
        skipped: failed,
      },
      rules,
      // Computed on first use: transforming every rule again is wasted work for a reload nobody inspects.
      fields: () => (fields ??= collectRuleFields(transformAll(pipelines, accepted))),
    };
  }
}

/** Applies the pipelines to each accepted rule, for the post-pipeline field set. */
function transformAll(pipelines: readonly Pipeline[], src: FieldSources): FieldSources {
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

/** Pipelines with `sources:` or `${source.*}` placeholders need @tsigma/sources; never compile them unexpanded. */
function rejectDynamicSources(pipelines: readonly Pipeline[]): void {
  for (const p of pipelines) {
    const templated = Object.values(p.vars).some((values) => values.some((v) => v.includes('${source.')));
    if (p.sources.length > 0 || templated) {
      throw new RuntimeError(
        'sources_unavailable',
        `pipeline "${p.name}" declares dynamic sources or \${source.*} placeholders, which need a source resolver (not available in this build)`,
        p.file ?? p.name,
      );
    }
  }
}

function correlationOf(l: Loaded): CorrelationEngine | undefined {
  return l.backend.kind === 'correlation' ? l.backend.engine : undefined;
}

function sameDocument(e: RuleLoadError, r: SigmaRule | CorrelationRule | FilterRule): boolean {
  return e.file === r.source.file && e.documentIndex === r.source.documentIndex && e.documentIndex !== undefined;
}

function summary(kind: RuleSummary['kind'], r: SigmaRule | CorrelationRule | FilterRule): RuleSummary {
  return { id: r.id ?? null, title: r.title, level: r.level ?? null, kind, path: r.source.file ?? null, tags: [...r.tags] };
}

function describeIssue(e: RuleLoadError): string {
  const where = [e.file ?? '<unknown file>', e.documentIndex !== undefined ? `document ${e.documentIndex}` : undefined]
    .filter((x) => x !== undefined)
    .join(' ');
  const title = e.title.length > 0 ? ` (rule "${e.title}")` : '';
  return `${where}${title}: [${e.code}] ${e.message}`;
}

function writeWarning(message: string): void {
  process.stderr.write(`tsigma: ${message}\n`);
}
