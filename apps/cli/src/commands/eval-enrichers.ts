// `tsigma eval --enrichers <file>` (spec 07, spec 11 §7): the enrichment pipeline as a result stage of the run,
// before the alert pipeline. Loading and running live in @tsigma/enrichment; this file only wires them.
import type { Logger } from '@tsigma/eval';
import { EnrichmentConfigError, loadEnrichersFile, type EnrichmentPipeline } from '@tsigma/enrichment';
import type { EgressPolicy, SourceCache } from '@tsigma/sources';
import { CliError, EXIT_USAGE } from '../exit-codes.js';

/** What the enrichers file may use from the run: the dynamic-source cache and ids, the egress policy, a logger. */
interface EnrichersContext {
  sourceCache: SourceCache;
  sourceIds: readonly string[] | undefined;
  egress: EgressPolicy;
  logger: Logger;
}

/** Loads the file; a bad one is a configuration error (exit 3) naming the file, enricher and key. */
export async function loadEnrichers(path: string, ctx: EnrichersContext): Promise<EnrichmentPipeline> {
  try {
    return await loadEnrichersFile(path, {
      sourceCache: ctx.sourceCache,
      ...(ctx.sourceIds === undefined ? {} : { sourceIds: ctx.sourceIds }),
      egress: ctx.egress,
      logger: ctx.logger,
    });
  } catch (error) {
    if (error instanceof EnrichmentConfigError) throw new CliError(EXIT_USAGE, `--enrichers: ${error.message}`, { cause: error });
    throw error;
  }
}
