// Field reads used by correlation group keys and aggregates (spec 03 §4, §6): the event lookup seen
// through pipeline coalesce lists. Read-only; value views come from the detection matchers (spec 02 §3).

import type { EventValue } from '../event.js';
import { numericView as numericOf, stringView as stringOf } from '../matchers.js';

/** The part of the event abstraction (spec 02 §2) the correlation engine reads. */
export interface FieldSource {
  get(path: string): EventValue | undefined;
}

/** String view of a read value; `null` for absent, null, object and array values. */
export function stringView(value: EventValue | undefined): string | null {
  return value === undefined ? null : stringOf(value);
}

/** Numeric view of a read value; `undefined` when it has none. */
export function numericView(value: EventValue | undefined): number | undefined {
  return value === undefined ? undefined : numericOf(value);
}

/** Reads `field`, or the first present alternative when a pipeline set a coalesce list for it (spec 03 §4). */
export function readField(event: FieldSource, field: string, coalesce: readonly string[] | undefined): EventValue | undefined {
  if (coalesce === undefined) return event.get(field);
  for (const path of coalesce) {
    const value = event.get(path);
    if (value !== undefined) return value;
  }
  return undefined;
}
