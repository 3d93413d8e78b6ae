// How many detection workers a run gets when the user did not say: the machine's cores, but only for inputs big
// enough to pay for starting them (each worker loads the rules itself, about a second for all of SigmaHQ).

import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { EventInput } from '../io/event-inputs.js';

/** Below this much file input, one thread finishes before extra workers would have loaded their rules. */
export const PARALLEL_MIN_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * The default worker count for these inputs: `availableParallelism()` when the named files add up to at least
 * {@link PARALLEL_MIN_INPUT_BYTES}, else 1 (one thread, no pool). Streams and inline events count as small, since
 * their size is unknown; unreadable paths count as empty (reading them reports the error).
 */
export function defaultWorkerCount(inputs: readonly EventInput[], cores: number = availableParallelism()): number {
  if (cores < 2) return 1;
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
