// Sigma timespans (`5m`, `1h`, `30d`) as counts, units and seconds (spec 01 §8).
// Pure parsing; windows and clocks live in @tsigma/eval.

import type { Timespan } from './ast.js';
import { SigmaParseError } from './errors.js';

/** Seconds per timespan unit; `M` is an average Gregorian month and `y` an average Gregorian year. */
const UNIT_SECONDS: Readonly<Record<Timespan['unit'], number>> = {
  s: 1,
  m: 60,
  h: 3_600,
  d: 86_400,
  w: 604_800,
  M: 2_629_746,
  y: 31_556_952,
};

const TIMESPAN_RE = /^([1-9][0-9]*)([smhdwMy])$/;

/**
 * Parses `<positive integer><unit>` with units `s m h d w M y`; throws `SigmaParseError` (`invalid_timespan`) otherwise.
 *
 * @example
 * parseTimespan('90m'); // { count: 90, unit: 'm', seconds: 5400, original: '90m' }
 */
export function parseTimespan(text: string): Timespan {
  const m = TIMESPAN_RE.exec(text.trim());
  const count = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(count * UNIT_SECONDS[m[2] as Timespan['unit']])) {
    throw new SigmaParseError(
      'invalid_timespan',
      `invalid timespan '${text}': expected a positive integer followed by one of s, m, h, d, w, M, y (e.g. '5m')`,
    );
  }
  const unit = m[2] as Timespan['unit'];
  return { count, unit, seconds: count * UNIT_SECONDS[unit], original: text };
}
