// Opt-in logsource routing (spec 02 §11): derives an event's logsource from configured fields and
// decides whether a rule conflicts with it. It only prunes on an explicit disagreement (fail open).

import type { LogSource } from '@tsigma/parser';
import type { JsonEvent } from './event.js';
import { stringView } from './matchers.js';

/** An event's logsource: any dimension may be unset. */
export interface EventLogSource {
  product?: string;
  service?: string;
  category?: string;
  custom?: Record<string, string>;
}

/** Which event fields hold each dimension, and static defaults. */
export interface LogSourceExtractorConfig {
  fieldMap?: { product?: string; service?: string; category?: string; custom?: Record<string, string> };
  defaults?: EventLogSource;
}

const STANDARD_DIMS = ['product', 'service', 'category'] as const;

/**
 * Derives an event's logsource from its fields (default field names `product`, `service`, `category`),
 * falling back to configured defaults.
 *
 * @example
 * const x = new LogSourceExtractor({ defaults: { product: 'windows' } });
 * x.extract(new JsonEvent({ category: 'process_creation' })); // { product: 'windows', category: 'process_creation' }
 */
export class LogSourceExtractor {
  constructor(readonly config: LogSourceExtractorConfig = {}) {}

  /** The logsource asserted by `event`. */
  extract(event: JsonEvent): EventLogSource {
    const map = this.config.fieldMap ?? {};
    const defaults = this.config.defaults ?? {};
    const out: EventLogSource = {};
    for (const dim of STANDARD_DIMS) {
      const v = readDim(event, map[dim] ?? dim) ?? defaults[dim];
      if (v !== undefined) out[dim] = v;
    }
    const custom: Record<string, string> = { ...(defaults.custom ?? {}) };
    for (const [dim, field] of Object.entries(map.custom ?? {})) {
      const v = readDim(event, field);
      if (v !== undefined) custom[dim] = v;
    }
    if (Object.keys(custom).length > 0) out.custom = custom;
    return out;
  }
}

function readDim(event: JsonEvent, field: string): string | undefined {
  const v = event.get(field);
  if (v === undefined || Array.isArray(v)) return undefined;
  const s = stringView(v)?.trim();
  return s === undefined || s === '' ? undefined : s;
}

/** True when a dimension is set on both sides with different values (ASCII case-insensitive). */
export function logSourceConflicts(rule: LogSource, event: EventLogSource): boolean {
  for (const dim of STANDARD_DIMS) {
    const r = rule[dim];
    const e = event[dim];
    if (r !== undefined && e !== undefined && r.toLowerCase() !== e.toLowerCase()) return true;
  }
  if (event.custom !== undefined) {
    for (const [dim, e] of Object.entries(event.custom)) {
      const r = rule.custom[dim];
      if (r !== undefined && r.toLowerCase() !== e.toLowerCase()) return true;
    }
  }
  return false;
}
