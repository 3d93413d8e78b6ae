// The enrichment pipeline as a runtime result stage (spec 00 data flow: after the engine, before the alert
// pipeline), shared by `tsigma eval --enrichers` and tsigmad.
import type { ResultStage } from '@tsigma/runtime';
import type { EnrichmentPipeline } from './pipeline.js';

/**
 * A stage running the pipeline `current()` returns (read per call, so a reload can swap it) over each input line's
 * results. With `stripEvents`, events embedded only for the enrichers are removed again after.
 *
 * @example
 * await runPipeline({ source, processor, sinks, stages: [enrichmentStage(() => pipeline, { stripEvents: true })] });
 */
export function enrichmentStage(current: () => EnrichmentPipeline, options: { stripEvents: boolean }): ResultStage {
  return {
    name: 'enrichment',
    async process(results) {
      const kept = await current().run(results);
      if (options.stripEvents) for (const r of kept) if ('event' in r) delete r.event;
      return kept;
    },
  };
}
