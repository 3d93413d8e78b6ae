// The runtime's PipelineSourceHook, implemented: collects declarations from pipelines and source files, checks
// references, resolves (or reuses the latest values) and returns expanded pipelines. Apps pass it to RuntimeEngine.

import { silentLogger, type Logger, type Pipeline } from '@tsigma/eval';
import type { PipelineSourceHook, SourceExpansionMode } from '@tsigma/runtime';
import { assertUniqueIds, validateSourceDeclarations, type DynamicSource } from './declarations.js';
import { RefreshScheduler, type RefreshSchedulerOptions } from './refresh.js';
import { resolveAll, type SourceResolver } from './resolver.js';
import { assertReferencesDeclared, expandIncludes, TemplateExpander } from './template.js';

/** Options of {@link PipelineSources}. */
export interface PipelineSourcesOptions {
  /** Resolves the declared sources; without one nothing is fetched (see {@link PipelineSources}). */
  resolver?: SourceResolver;
  /** Declarations from standalone source files (see loadSourceFiles). */
  fileSources?: readonly DynamicSource[];
  /** Allow `include` of http and nats sources. */
  allowRemoteInclude?: boolean;
  /** Every source counts as required with `on_error: fail` (the CI gate `validate --resolve-sources`). */
  strict?: boolean;
  logger?: Logger;
}

/**
 * Dynamic sources for a RuntimeEngine: `expandPipelines` runs on every load and reload. Declarations and references
 * are always checked; without a resolver nothing is fetched, `include` items are dropped and every source counts as
 * null (spec 11 §1: commands that do not resolve sources still load such pipelines).
 *
 * @example
 * const sources = new PipelineSources({ resolver: new DefaultSourceResolver() });
 * const engine = new RuntimeEngine({ rulesPath: 'rules/', pipelinePaths: ['dyn.yml'], sources });
 */
export class PipelineSources implements PipelineSourceHook {
  private declared: DynamicSource[] = [];
  private readonly expander: TemplateExpander;
  private readonly logger: Logger;

  constructor(private readonly opts: PipelineSourcesOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.expander = new TemplateExpander(this.logger);
  }

  /** Every declaration of the pipelines (in order) and of the source files; ids unique across all sites. */
  collect(pipelines: readonly Pipeline[]): DynamicSource[] {
    const all: DynamicSource[] = [];
    for (const p of pipelines) {
      const site =
        p.file === undefined ? { kind: 'pipeline' as const, name: p.name } : { kind: 'pipeline' as const, name: p.name, file: p.file };
      all.push(...validateSourceDeclarations(p.sources, site));
    }
    all.push(...(this.opts.fileSources ?? []));
    assertUniqueIds(all);
    assertReferencesDeclared(pipelines, new Set(all.map((s) => s.id)));
    return all;
  }

  async expandPipelines(pipelines: readonly Pipeline[], mode: SourceExpansionMode): Promise<Pipeline[]> {
    const sources = this.collect(pipelines);
    this.declared = sources;
    const resolver = this.opts.resolver;
    if (resolver === undefined) {
      const nulls = new Map(sources.map((s) => [s.id, null]));
      return pipelines.map((p) => ({
        ...this.expander.expand(p, nulls),
        items: p.items.filter((i) => i.include === undefined),
        sources: [],
      }));
    }
    const latest = resolver.latestValues();
    // Push sources are never re-fetched on reloads, and `latest` rebuilds fetch only what has no value yet.
    const toResolve = sources.filter((s) => !latest.has(s.id) || (mode === 'resolve' && s.refresh.kind !== 'push'));
    const strict = this.opts.strict === true;
    const fresh = await resolveAll(
      resolver,
      strict ? toResolve.map((s) => ({ ...s, required: true, onError: 'fail' as const })) : toResolve,
      { logger: this.logger },
    );
    const values = new Map<string, unknown>();
    for (const s of sources) values.set(s.id, fresh.has(s.id) ? fresh.get(s.id) : (latest.get(s.id) ?? null));
    const include = { allowRemoteInclude: this.opts.allowRemoteInclude === true };
    return pipelines.map((p) => ({ ...expandIncludes(this.expander.expand(p, values), values, sources, include), sources: [] }));
  }

  /**
   * Pipelines with `vars` expanded and includes spliced, given the values (`pipeline resolve --expand`); the
   * declarations are collected from `pipelines` again.
   */
  expand(pipelines: readonly Pipeline[], values: ReadonlyMap<string, unknown>): Pipeline[] {
    const declared = this.collect(pipelines);
    const include = { allowRemoteInclude: this.opts.allowRemoteInclude === true };
    return pipelines.map((p) => ({ ...expandIncludes(this.expander.expand(p, values), values, declared, include), sources: [] }));
  }

  /** The resolver sources are fetched with; throws when this instance was made without one. */
  resolver(): SourceResolver {
    if (this.opts.resolver === undefined) throw new Error('this PipelineSources has no resolver');
    return this.opts.resolver;
  }

  /** The declarations of the last expansion. */
  sources(): DynamicSource[] {
    return [...this.declared];
  }

  /** A scheduler over the declarations of the last expansion, sharing this resolver (not started). */
  scheduler(opts: RefreshSchedulerOptions = {}): RefreshScheduler {
    if (this.opts.resolver === undefined) throw new Error('PipelineSources.scheduler() needs a resolver');
    return new RefreshScheduler(this.declared, this.opts.resolver, { logger: this.logger, ...opts });
  }
}
