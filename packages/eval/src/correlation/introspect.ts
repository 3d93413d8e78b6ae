// Read-only introspection of correlation state (spec 03 §11): per correlation and per group, the
// aggregate against the threshold, window contents, eviction and suppression timing. Never mutates.

import { appendAll } from '../append-all.js';
import type { CompiledCorrelation } from './compile.js';
import type { CorrelationState } from './correlation-state.js';
import type {
  CorrelationConfig,
  CorrelationInfo,
  CorrelationStateSnapshot,
  GroupStateInfo,
  IntrospectFilter,
  WindowStateJson,
} from './types.js';
import { conditionHolds, currentValue, type Window } from './window.js';

/** Projects `state` into the introspection wire shape, filtered and deterministically ordered. */
export function introspectState(state: CorrelationState, config: CorrelationConfig, filter: IntrospectFilter): CorrelationStateSnapshot {
  const correlations: CorrelationInfo[] = [];
  const groups: GroupStateInfo[] = [];
  for (const c of state.correlations) {
    if (filter.id !== undefined && c.id !== filter.id && c.name !== filter.id && c.title !== filter.id) continue;
    const windows = state.windows[c.index];
    const info: CorrelationInfo = {
      index: c.index,
      title: c.title,
      type: c.type,
      timespan_secs: c.timespan,
      group_by: c.groupBy.map((g) => g.name),
      rule_refs: [...c.slotRefs],
      threshold: c.thresholdText,
      active_groups: windows?.size ?? 0,
    };
    if (c.id !== undefined) info.id = c.id;
    if (c.name !== undefined) info.name = c.name;
    correlations.push(reorder(info, CORRELATION_INFO_KEYS));
    const own: GroupStateInfo[] = [];
    for (const w of windows?.values() ?? []) {
      const g = groupInfo(c, w, state.lastAlert[c.index]?.get(w.key), c.suppress ?? config.suppressSecs);
      if (filter.group === undefined || g.group_key_display.includes(filter.group)) own.push(g);
    }
    own.sort((a, b) => (a.group_key_display < b.group_key_display ? -1 : a.group_key_display > b.group_key_display ? 1 : 0));
    appendAll(groups, own);
  }
  return { correlations, groups };
}

const CORRELATION_INFO_KEYS = [
  'index',
  'id',
  'name',
  'title',
  'type',
  'timespan_secs',
  'group_by',
  'rule_refs',
  'threshold',
  'active_groups',
] as const;

// Keeps the wire key order of the spec whichever order optional keys were set in.
function reorder<T extends object>(obj: T, keys: readonly (keyof T)[]): T {
  const out = {} as T;
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function groupInfo(c: CompiledCorrelation, w: Window, lastAlert: number | undefined, suppress: number | undefined): GroupStateInfo {
  const group_key = c.groupBy.map((g, i) => {
    const value = w.group[i];
    return value === null || value === undefined ? { field: g.name } : { field: g.name, value };
  });
  const display = group_key.length === 0 ? '(no group-by)' : group_key.map((p) => `${p.field}=${p.value ?? '<none>'}`).join(', ');
  const value = currentValue(w, c);
  const met = conditionHolds(w, c, value);
  const earliest = w.earliest();
  const latest = w.latest();
  const info: GroupStateInfo = {
    correlation_index: c.index,
    correlation_title: c.title,
    type: c.type,
    group_key,
    group_key_display: display,
    threshold: c.thresholdText,
    met,
    entries: w.size,
    timespan_secs: c.timespan,
    window: windowStateJson(c, w),
  };
  if (c.id !== undefined) info.correlation_id = c.id;
  if (c.name !== undefined) info.correlation_name = c.name;
  if (value !== undefined) info.got = value;
  if (earliest !== undefined) info.earliest = earliest;
  if (latest !== undefined) info.latest = latest;
  if (earliest !== undefined && latest !== undefined) info.seconds_to_eviction = Math.max(0, earliest + c.timespan - latest);
  if (lastAlert !== undefined) info.last_alert = lastAlert;
  if (suppress !== undefined) info.suppress_secs = suppress;
  if (lastAlert !== undefined && suppress !== undefined && latest !== undefined) {
    info.suppression_remaining = Math.max(0, lastAlert + suppress - latest);
  }
  return reorder(info, GROUP_INFO_KEYS);
}

const GROUP_INFO_KEYS = [
  'correlation_index',
  'correlation_id',
  'correlation_name',
  'correlation_title',
  'type',
  'group_key',
  'group_key_display',
  'got',
  'threshold',
  'met',
  'entries',
  'earliest',
  'latest',
  'timespan_secs',
  'seconds_to_eviction',
  'last_alert',
  'suppress_secs',
  'suppression_remaining',
  'window',
] as const;

/** Raw window contents in (timestamp, sequence) order, as introspection and snapshots show them. */
export function windowStateJson(c: CompiledCorrelation, w: Window): WindowStateJson {
  const ts = w.ts.slice(w.head);
  const vals = w.val.slice(w.head);
  switch (c.type) {
    case 'event_count':
      return { kind: 'event_count', timestamps: ts };
    case 'value_count':
      return { kind: 'value_count', entries: ts.map((t, i) => [t, vals[i] as string]) };
    case 'temporal':
    case 'temporal_ordered': {
      const hits: Record<string, number[]> = {};
      for (const ref of c.slotRefs) hits[ref] = [];
      ts.forEach((t, i) => hits[c.slotRefs[vals[i] as number] as string]?.push(t));
      return { kind: 'temporal', hits };
    }
    default:
      return { kind: 'numeric', entries: ts.map((t, i) => [t, vals[i] as number]) };
  }
}
