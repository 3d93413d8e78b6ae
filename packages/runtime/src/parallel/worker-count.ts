// How many detection workers a run gets when the user did not say: the machine's cores, but only for inputs big
// enough to pay for starting them (each worker loads the rules itself, about a second for all of SigmaHQ).

import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { EventInput } from '../io/event-inputs.js';

/** Below this much file input, one thread finishes before extra workers would have loaded their rules. */
export const PARALLEL_MIN_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * Below this many detection rules, detecting an event costs less than shipping its results back to be correlated
 * and written, so workers only add work: measured, a 6-rule correlation workload ran at 77k events/s with two
 * workers against 133k on one thread, while `rules/windows` (2,400 rules) gained 1.2–1.6x.
 */
export const PARALLEL_MIN_RULES = 100;

/**
 * The default worker count for these inputs and this many loaded detection rules: `availableParallelism()` when the
 * named files add up to at least {@link PARALLEL_MIN_INPUT_BYTES} and there are at least {@link PARALLEL_MIN_RULES}
 * rules, else 1 (one thread, no pool). Streams and inline events count as small, since their size is unknown;
 * unreadable paths count as empty (reading them reports the error).
 */
export function defaultWorkerCount(inputs: readonly EventInput[], detectionRules: number, cores: number = availableParallelism()): number {
  if (cores < 2 || detectionRules < PARALLEL_MIN_RULES) return 1;
  let bytes = 0;
  for (const input of inputs) {
    if (input.kind !== 'file') continue;
    try {
      bytes += statSync(input.path).size;
    } catch {
      // Reported when the input is opened.
    }
  }
  return bytes >= PARALLEL_MIN_INPUT_BYTES ? cores : 1;
}
