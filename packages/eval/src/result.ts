// Wire shapes of evaluation results (spec 02 §9): snake_case detection results shared with the
// correlation engine, enrichment and sinks. Plain data; key order is the order of creation.

import type { Level } from '@tsigma/parser';
import type { CorrelationResult } from './correlation/types.js';
import type { EventValue } from './event.js';

/** Which kind of matcher produced a field match or explain leaf. */
export type MatcherKind =
  | 'exact'
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'regex'
  | 'one_of'
  | 'cidr'
  | 'numeric'
  | 'exists'
  | 'fieldref'
  | 'null'
  | 'bool'
  | 'expand'
  | 'timestamp'
  | 'keyword';

/** How much per-field detail detection results carry. */
export type MatchDetail = 'off' | 'summary' | 'full';

/** Header keys every result carries, taken from the rule. */
export interface RuleHeader {
  rule_title: string;
  rule_id: string | null;
  level: Level | null;
  /** Rule author, kept because the Detection Rule License requires it in match output. */
  author: string | null;
  tags: string[];
  /** Omitted when the rule has none. */
  custom_attributes?: Record<string, unknown>;
  /** Set by @tsigma/enrichment after evaluation. */
  enrichments?: Record<string, unknown>;
  // Where and when the event happened, set by @tsigma/runtime from the event (the engines leave them unset):
  /** ISO 8601 UTC time of the (last) event, from the timestamp fields; absent when the event has none. */
  event_time?: string;
  /** Windows events (EVTX records, EVTX-shaped JSON): the System block's Computer, Channel, EventID, EventRecordID. */
  computer?: string;
  channel?: string;
  event_id?: number;
  record_id?: number;
  /** The file the event was read from (EVTX inputs). */
  source?: string;
}

/** One field that contributed to a match. */
export interface FieldMatch {
  field: string;
  value: EventValue;
  selection?: string;
  matcher?: MatcherKind;
  pattern?: string;
  case_sensitive?: boolean;
  negated?: true;
}

/** A rule matched one event. */
export interface DetectionResult extends RuleHeader {
  matched_selections: string[];
  matched_fields: FieldMatch[];
  event?: unknown;
}

/** Any result the engines emit. */
export type EvaluationResult = DetectionResult | CorrelationResult;

/** True when `r` is a correlation result (it has `correlation_type`). */
export function isCorrelationResult(r: EvaluationResult): r is CorrelationResult {
  return 'correlation_type' in r;
}
