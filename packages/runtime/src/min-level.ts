// `--min-level`: keep only results at or above a Sigma level, the first cut an analyst makes over a hunt. A stage
// after evaluation, so correlations still count every detection below the cut.
import { SIGMA_LEVELS as LEVELS, type Level } from '@tsigma/parser';
import type { ResultStage } from './run-pipeline.js';

/** The Level named `text` (any case), or undefined. */
export function levelNamed(text: string): Level | undefined {
  const lower = text.toLowerCase();
  return LEVELS.find((l) => l === lower);
}

/**
 * A stage that drops results below `min`; results without a level count as `informational`.
 *
 * @example
 * await runPipeline({ source, processor, sinks, stages: [minLevelStage('high')] });
 */
export function minLevelStage(min: Level): ResultStage {
  const floor = LEVELS.indexOf(min);
  return {
    name: `min-level ${min}`,
    process: (results) => results.filter((r) => LEVELS.indexOf(r.level ?? 'informational') >= floor),
  };
}
