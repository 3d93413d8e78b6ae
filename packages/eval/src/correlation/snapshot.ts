// Versioned export and import of correlation state (spec 03 §12). Export is deterministic and
// JSON-round-trippable; import validates shape and version and never throws on bad input.

import { appendAll } from '../append-all.js';
import type { CompiledCorrelation } from './compile.js';
import { groupOfKey, windowKey, type CorrelationState } from './correlation-state.js';
import { CorrelationError } from './errors.js';
import { EvidenceBuffer } from './evidence.js';
import { windowStateJson } from './introspect.js';
import { CORRELATION_SNAPSHOT_VERSION, type CorrelationEventRef, type CorrelationSnapshot, type SnapshotGroup } from './types.js';
import type { EntryValue, Window, WindowKey } from './window.js';

/** Result of a restore: counts on success, a {@link CorrelationError} when the snapshot is refused. */
export type RestoreOutcome = { ok: true; windows: number; skipped: number } | { ok: false; error: CorrelationError };

/** Copies all state of `state` into a snapshot, keyed by correlation identity, sorted. */
export function exportSnapshot(state: CorrelationState): CorrelationSnapshot {
  const snap: CorrelationSnapshot = {
    version: CORRELATION_SNAPSHOT_VERSION,
    windows: {},
    last_alert: {},
    event_buffers: {},
    event_ref_buffers: {},
    sequence: state.sequence,
  };
  const ordered = [...state.correlations].sort((a, b) => compareText(a.identity, b.identity));
  for (const c of ordered) {
    const windows = [...(state.windows[c.index]?.values() ?? [])].sort((a, b) => compareText(groupText(a.group), groupText(b.group)));
    if (windows.length > 0) {
      appendAll(
        (snap.windows[c.identity] ??= []),
        windows.map((w) => ({ group: [...w.group], state: windowStateJson(c, w), watermark: w.watermark })),
      );
    }
    for (const w of windows) {
      const ev = w.evidence;
      if (ev === undefined || ev.items.length === 0) continue;
      if (Buffer.isBuffer(ev.items[0])) {
        (snap.event_buffers[c.identity] ??= []).push({
          group: [...w.group],
          entries: ev.items.map((b, i) => ({ ts: ev.ts[i] as number, data: (b as Buffer).toString('base64') })),
        });
      } else {
        (snap.event_ref_buffers[c.identity] ??= []).push({
          group: [...w.group],
          refs: ev.items.map((r) => ({ ...(r as CorrelationEventRef) })),
        });
      }
    }
    const alerts = [...(state.lastAlert[c.index] ?? new Map<WindowKey, number>()).entries()];
    if (alerts.length > 0) {
      const groups = alerts.map(([key, ts]) => ({ group: groupOfKey(key, c.groupBy.length), ts }));
      appendAll(
        (snap.last_alert[c.identity] ??= []),
        groups.sort((a, b) => compareText(groupText(a.group), groupText(b.group))),
      );
    }
  }
  return snap;
}

/** Loads `raw` into the empty `state`; on refusal `state` may be partly filled and must be discarded. */
export function importSnapshot(state: CorrelationState, raw: unknown): RestoreOutcome {
  const refuse = (code: 'snapshot_version' | 'snapshot_malformed', detail: string): RestoreOutcome => ({
    ok: false,
    error: new CorrelationError(code, detail, { subject: 'snapshot' }),
  });
  if (!isRecord(raw)) return refuse('snapshot_malformed', 'a correlation snapshot must be an object');
  if (raw['version'] !== CORRELATION_SNAPSHOT_VERSION) {
    return refuse('snapshot_version', `snapshot version ${JSON.stringify(raw['version'])} is not ${CORRELATION_SNAPSHOT_VERSION}`);
  }
  const parts = ['windows', 'last_alert', 'event_buffers', 'event_ref_buffers'] as const;
  for (const p of parts) if (!isRecord(raw[p])) return refuse('snapshot_malformed', `snapshot.${p} must be an object`);
  if (!isTime(raw['sequence'])) return refuse('snapshot_malformed', 'snapshot.sequence must be a non-negative integer');
  const snap = raw as unknown as CorrelationSnapshot;

  const byIdentity = new Map<string, CompiledCorrelation>();
  for (const c of state.correlations) if (!byIdentity.has(c.identity)) byIdentity.set(c.identity, c);
  state.sequence = snap.sequence;
  let restored = 0;
  let skipped = 0;
  for (const [identity, list] of Object.entries(snap.windows)) {
    const c = byIdentity.get(identity);
    for (const item of Array.isArray(list) ? list : []) {
      const entries =
        c === undefined || !isRecord(item) || !validGroup(item['group'], c) || !isTime(item['watermark'])
          ? undefined
          : entriesOf(c, item['state']);
      if (c === undefined || entries === undefined) {
        skipped++;
        continue;
      }
      const w = state.restoreWindow(c, item.group, item.watermark);
      for (const [t, value] of entries) w.insert(t, state.sequence++, value);
      restored++;
    }
  }
  restoreEvidence(state, byIdentity, snap);
  for (const [identity, list] of Object.entries(snap.last_alert)) {
    const c = byIdentity.get(identity);
    if (c === undefined || !Array.isArray(list)) continue;
    for (const item of list) {
      if (isRecord(item) && validGroup(item['group'], c) && isTime(item['ts'])) {
        state.lastAlert[c.index]?.set(windowKey(item['group']), item['ts']);
      }
    }
  }
  return { ok: true, windows: restored, skipped };
}

function restoreEvidence(state: CorrelationState, byIdentity: ReadonlyMap<string, CompiledCorrelation>, snap: CorrelationSnapshot): void {
  const windowFor = (identity: string, group: unknown): [CompiledCorrelation, Window] | undefined => {
    const c = byIdentity.get(identity);
    if (c === undefined || !validGroup(group, c)) return undefined;
    const w = state.windows[c.index]?.get(windowKey(group));
    return w === undefined ? undefined : [c, w];
  };
  for (const [identity, list] of Object.entries(snap.event_buffers)) {
    for (const item of Array.isArray(list) ? list : []) {
      const found = isRecord(item) && Array.isArray(item['entries']) ? windowFor(identity, item['group']) : undefined;
      if (found === undefined) continue;
      const [c, w] = found;
      const buffer = new EvidenceBuffer(state.tuning[c.index]?.maxEvents ?? 1);
      for (const e of item.entries as unknown[]) {
        if (isRecord(e) && isTime(e['ts']) && typeof e['data'] === 'string') buffer.push(e['ts'], Buffer.from(e['data'], 'base64'));
      }
      w.evidence = buffer;
    }
  }
  for (const [identity, list] of Object.entries(snap.event_ref_buffers)) {
    for (const item of Array.isArray(list) ? list : []) {
      const found = isRecord(item) && Array.isArray(item['refs']) ? windowFor(identity, item['group']) : undefined;
      if (found === undefined) continue;
      const [c, w] = found;
      const buffer = new EvidenceBuffer(state.tuning[c.index]?.maxEvents ?? 1);
      for (const r of item.refs as unknown[]) {
        if (!isRecord(r) || !isTime(r['timestamp'])) continue;
        buffer.push(
          r['timestamp'],
          typeof r['id'] === 'string' ? { timestamp: r['timestamp'], id: r['id'] } : { timestamp: r['timestamp'] },
        );
      }
      w.evidence = buffer;
    }
  }
}

// Entries of a stored window state in (timestamp, stored) order, or undefined when the kind no longer fits.
function entriesOf(c: CompiledCorrelation, s: unknown): [number, EntryValue][] | undefined {
  if (!isRecord(s)) return undefined;
  switch (c.type) {
    case 'event_count':
      return s['kind'] === 'event_count' && Array.isArray(s['timestamps']) && s['timestamps'].every(isTime)
        ? s['timestamps'].map((t) => [t, 0])
        : undefined;
    case 'value_count':
      return s['kind'] === 'value_count' &&
        Array.isArray(s['entries']) &&
        s['entries'].every((e) => Array.isArray(e) && isTime(e[0]) && typeof e[1] === 'string')
        ? (s['entries'] as [number, string][]).map(([t, v]) => [t, v])
        : undefined;
    case 'temporal':
    case 'temporal_ordered': {
      const hits = s['hits'];
      if (s['kind'] !== 'temporal' || !isRecord(hits)) return undefined;
      const out: [number, EntryValue][] = [];
      c.slotRefs.forEach((ref, slot) => {
        const times = hits[ref];
        if (Array.isArray(times)) for (const t of times) if (isTime(t)) out.push([t, slot]);
      });
      // Stable sort: hits of one second keep `rules` order, which is the order they can form an assignment in.
      return out.sort((a, b) => a[0] - b[0]);
    }
    default:
      return s['kind'] === 'numeric' &&
        Array.isArray(s['entries']) &&
        s['entries'].every((e) => Array.isArray(e) && isTime(e[0]) && typeof e[1] === 'number' && Number.isFinite(e[1]))
        ? (s['entries'] as [number, number][]).map(([t, v]) => [t, v])
        : undefined;
  }
}

function validGroup(group: unknown, c: CompiledCorrelation): group is SnapshotGroup {
  return Array.isArray(group) && group.length === c.groupBy.length && group.every((g) => g === null || typeof g === 'string');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function groupText(group: readonly (string | null)[]): string {
  return JSON.stringify(group);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
