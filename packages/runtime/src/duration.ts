// The configuration duration grammar shared by every tsigma config file (spec 05 §1).
// Pure, no clock. @tsigma/sources re-exports it (the runtime never depends on that package).

import { RuntimeError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** One `<integer><unit>` group; `ms` is listed before `m` so the alternation takes the longer unit first. */
const GROUP = /(\d+)(ms|s|m|h|d)/y;

/**
 * Parses a duration such as `500ms`, `30s` or `1h30m` (the bare `0` is zero) into milliseconds.
 * Anything else throws a RuntimeError (`invalid_duration`) naming `key` and the bad value.
 *
 * @example parseDuration('1h30m', 'refresh') // 5_400_000
 */
export function parseDuration(value: string, key = 'duration'): number {
  if (value === '0') return 0;
  let total = 0;
  let pos = 0;
  GROUP.lastIndex = 0;
  while (pos < value.length) {
    GROUP.lastIndex = pos;
    const m = GROUP.exec(value);
    if (m === null) break;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = GROUP.lastIndex;
  }
  if (value.length === 0 || pos !== value.length || !Number.isSafeInteger(total)) {
    throw new RuntimeError(
      'invalid_duration',
      `invalid duration ${JSON.stringify(value)}: expected <integer><unit> groups with units ms, s, m, h, d (e.g. 30s, 1h30m) or 0`,
      key,
    );
  }
  return total;
}
