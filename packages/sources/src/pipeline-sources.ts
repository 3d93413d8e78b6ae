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
  resolver: SourceResolver;
  /** Declarations from standalone source files (see loadSourceFiles). */
  fileSources?: readonly DynamicSource[];
  /** Allow `include` of http and nats sources. */
  allowRemoteInclude?: boolean;
  logger?: Logger;
}

/**
 * Dynamic sources for a RuntimeEngine: `expandPipelines` runs on every load and reload.
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
    const latest = this.opts.resolver.latestValues();
    // Push sources are never re-fetched on reloads, and `latest` rebuilds fetch only what has no value yet.
    const toResolve = sources.filter((s) => !latest.has(s.id) || (mode === 'resolve' && s.refresh.kind !== 'push'));
    const fresh = await resolveAll(this.opts.resolver, toResolve, { logger: this.logger });
    const values = new Map<string, unknown>();
    for (const s of sources) values.set(s.id, fresh.has(s.id) ? fresh.get(s.id) : (latest.get(s.id) ?? null));
    this.declared = sources;
    return this.expand(pipelines, values);
  }

  /** Pipelines with `vars` expanded and includes spliced, given the values (pure; `pipeline resolve --expand`). */
  expand(pipelines: readonly Pipeline[], values: ReadonlyMap<string, unknown>): Pipeline[] {
    const include = { allowRemoteInclude: this.opts.allowRemoteInclude === true };
    return pipelines.map((p) => ({ ...expandIncludes(this.expander.expand(p, values), values, this.declared, include), sources: [] }));
  }

  /** The declarations of the last expansion. */
  sources(): DynamicSource[] {
    return [...this.declared];
  }

  /** A scheduler over the declarations of the last expansion, sharing this resolver (not started). */
  scheduler(opts: RefreshSchedulerOptions = {}): RefreshScheduler {
    return new RefreshScheduler(this.declared, this.opts.resolver, { logger: this.logger, ...opts });
  }
}
