// Public data shapes of the correlation engine (spec 03 §1, §10–§12): configuration, results,
// introspection and snapshot wire formats, plus the default configuration. No engine behaviour lives here.

import type { CorrelationType } from '@tsigma/parser';
import type { RuleHeader } from '../result.js';

/** How contributing events are attached to correlation results (spec 03 §9). */
export type CorrelationEventMode = 'none' | 'full' | 'refs';

/** What happens to a window after its correlation fires (spec 03 §7). */
export type CorrelationAction = 'alert' | 'reset';

/** Engine-wide correlation settings; per-correlation `tsigma.*` attributes override them (spec 03 §13). */
export interface CorrelationConfig {
  /** Event fields tried in order for the event time, after rule-provided `tsigma.timestamp_field`s. */
  timestampFields: string[];
  /** When no timestamp field parses: use the injected clock, or leave correlation state untouched. */
  timestampFallback: 'wallclock' | 'skip';
  /** Cap on live (correlation, group) windows; reaching it triggers an eviction round. */
  maxStateEntries: number;
  /** Cap on entries inside one window; unset means unbounded. */
  maxGroupEntries?: number;
  /** Suppression after an alert, in seconds; unset means none. */
  suppressSecs?: number;
  /** Action after a correlation fires. */
  action: CorrelationAction;
  /** When false, detections of rules only feeding `generate: false` correlations are left out. */
  emitDetections: boolean;
  /** Evidence attached to correlation results. */
  eventMode: CorrelationEventMode;
  /** Evidence entries kept per window (oldest dropped first). */
  maxCorrelationEvents: number;
}

/** One contributing event reference (spec 03 §9, `refs` mode). */
export interface CorrelationEventRef {
  timestamp: number;
  id?: string;
}

/** A fired correlation (spec 03 §10); header keys come from the correlation rule. */
export interface CorrelationResult extends RuleHeader {
  correlation_type: CorrelationType;
  group_key: [string, string][];
  aggregated_value: number;
  timespan_secs: number;
  events?: unknown[];
  event_refs?: CorrelationEventRef[];
}

/** Raw window contents as served by introspection and stored in snapshots (spec 03 §11). */
export type WindowStateJson =
  | { kind: 'event_count'; timestamps: number[] }
  | { kind: 'value_count'; entries: [number, string][] }
  | { kind: 'temporal'; hits: Record<string, number[]> }
  | { kind: 'numeric'; entries: [number, number][] };

/** Static description of one compiled correlation (spec 03 §11). */
export interface CorrelationInfo {
  index: number;
  id?: string;
  name?: string;
  title: string;
  type: CorrelationType;
  timespan_secs: number;
  group_by: string[];
  rule_refs: string[];
  threshold: string;
  active_groups: number;
}

/** Live state of one (correlation, group) window (spec 03 §11). */
export interface GroupStateInfo {
  correlation_index: number;
  correlation_id?: string;
  correlation_name?: string;
  correlation_title: string;
  type: CorrelationType;
  group_key: { field: string; value?: string }[];
  group_key_display: string;
  got?: number;
  threshold: string;
  met: boolean;
  entries: number;
  earliest?: number;
  latest?: number;
  timespan_secs: number;
  seconds_to_eviction?: number;
  last_alert?: number;
  suppress_secs?: number;
  suppression_remaining?: number;
  window: WindowStateJson;
}

/** Read-only projection of all correlation state (spec 03 §11). */
export interface CorrelationStateSnapshot {
  correlations: CorrelationInfo[];
  groups: GroupStateInfo[];
}

/** Filter for {@link CorrelationStateSnapshot}: `id` matches id, name or title; `group` is a substring of the display. */
export interface IntrospectFilter {
  id?: string;
  group?: string;
}

/** A group key as stored in snapshots: one part per `group-by` entry, `null` when absent. */
export type SnapshotGroup = (string | null)[];

/** Versioned, JSON-serialisable correlation state (spec 03 §12). */
export interface CorrelationSnapshot {
  version: typeof CORRELATION_SNAPSHOT_VERSION;
  windows: Record<string, { group: SnapshotGroup; state: WindowStateJson; watermark: number }[]>;
  last_alert: Record<string, { group: SnapshotGroup; ts: number }[]>;
  event_buffers: Record<string, { group: SnapshotGroup; entries: { ts: number; data: string }[] }[]>;
  event_ref_buffers: Record<string, { group: SnapshotGroup; refs: CorrelationEventRef[] }[]>;
  sequence: number;
}

/** The only snapshot format this engine writes and accepts. */
export const CORRELATION_SNAPSHOT_VERSION = 1;

/** Counters describing how the engine enforced its time and memory bounds. */
export interface CorrelationStats {
  /** Live (correlation, group) windows. */
  liveWindows: number;
  /** Windows dropped by the `maxStateEntries` cap (oldest latest-entry first). */
  windowsEvictedByCap: number;
  /** Rounds in which the cap forced evictions. */
  capEvictionRounds: number;
  /** Windows dropped because all their entries expired. */
  windowsExpired: number;
  /** Entries dropped by the `maxGroupEntries` cap. */
  entriesDroppedByCap: number;
  /** Contributions dropped as late (older than the window's watermark minus its span). */
  lateContributions: number;
  /** Events with detections but no parsable timestamp, left out of correlation while `timestampFallback` is `skip`. */
  eventsWithoutTime: number;
}

/** Fresh default configuration (spec 03 §1). */
export function defaultCorrelationConfig(): CorrelationConfig {
  return {
    timestampFields: [
      '@timestamp',
      'timestamp',
      'EventTime',
      'TimeCreated',
      'eventTime',
      'published',
      'UtcTime',
      'Event.System.TimeCreated.#attributes.SystemTime',
    ],
    timestampFallback: 'wallclock',
    maxStateEntries: DEFAULT_MAX_STATE_ENTRIES,
    action: 'alert',
    emitDetections: true,
    eventMode: 'none',
    maxCorrelationEvents: DEFAULT_MAX_CORRELATION_EVENTS,
  };
}

/** Default cap on live windows: bounds memory to a few hundred MB even with large per-window state. */
const DEFAULT_MAX_STATE_ENTRIES = 100_000;

/** Default evidence entries per window: enough to explain an alert without storing whole streams. */
const DEFAULT_MAX_CORRELATION_EVENTS = 10;
