// Window bookkeeping for all correlations (spec 03 §4–§9): group keys, sliding/tumbling/session
// admission, suppression, actions, evidence and the memory caps. It neither evaluates detection rules
// nor orders chained results; the engine does.

import type { Logger } from '../logger.js';
import type { CompiledCorrelation, GroupByEntry } from './compile.js';
import { EvidenceBuffer, compressEvent, decompressEvent, eventRef } from './evidence.js';
import { numericView, readField, stringView, type FieldSource } from './field-values.js';
import type { CorrelationConfig, CorrelationEventMode, CorrelationEventRef, CorrelationResult, CorrelationStats } from './types.js';
import { NULL_GROUP, Window, conditionHolds, currentValue, type EntryValue, type WindowKey } from './window.js';

/** Separator between the string views of several `condition.field`s of a value_count (spec 03 §6). */
const VALUE_FIELD_SEPARATOR = '\u001f';

/** After a cap eviction round the live window count is brought down to this fraction of the cap. */
const CAP_EVICTION_TARGET = 0.9;

/** How one slot source (a detection rule or a lower correlation) feeds one correlation. */
export interface ConsumerLink {
  corr: CompiledCorrelation;
  /** Slots of `corr` this source fills. */
  slots: number[];
  /** Event field per `group-by` entry, aliases already resolved for this source. */
  groupFields: string[];
  /** Coalesce alternatives per group field (pipelines, spec 03 §4), or undefined. */
  groupCoalesce: (string[] | undefined)[];
}

/** Per-correlation settings after `tsigma.*` attributes override the configuration (spec 03 §13). */
interface Tuning {
  suppress: number | undefined;
  reset: boolean;
  eventMode: CorrelationEventMode;
  maxEvents: number;
  groupCap: number | undefined;
}

/** What the state store needs from the engine's configuration and environment. */
interface StateSettings {
  config: CorrelationConfig;
  logger: Logger;
}

/** All live windows and suppression records, plus the counters describing eviction. */
export class CorrelationState {
  /** Per compiled correlation: live windows by group key. */
  windows: Map<WindowKey, Window>[];
  /** Per compiled correlation: time of the last emitted alert by group key. */
  lastAlert: Map<WindowKey, number>[];
  liveWindows = 0;
  sequence = 0;
  readonly stats: Omit<CorrelationStats, 'liveWindows'> = {
    windowsEvictedByCap: 0,
    capEvictionRounds: 0,
    windowsExpired: 0,
    entriesDroppedByCap: 0,
    lateContributions: 0,
    eventsWithoutTime: 0,
  };

  /** Per compiled correlation: its attributes merged over the engine configuration. */
  readonly tuning: Tuning[];

  constructor(
    readonly correlations: readonly CompiledCorrelation[],
    readonly settings: StateSettings,
  ) {
    this.windows = correlations.map(() => new Map<WindowKey, Window>());
    this.lastAlert = correlations.map(() => new Map<WindowKey, number>());
    const config = settings.config;
    this.tuning = correlations.map((c) => ({
      suppress: c.suppress ?? config.suppressSecs,
      reset: (c.action ?? config.action) === 'reset',
      eventMode: c.eventMode ?? config.eventMode,
      maxEvents: c.maxEvents ?? config.maxCorrelationEvents,
      groupCap: c.maxGroupEntries ?? config.maxGroupEntries,
    }));
  }

  /**
   * Offers one contribution to one correlation at time `t`; returns the correlation result when it
   * fires. `raw` is the original event for evidence (absent for chained results).
   */
  contribute(
    link: ConsumerLink,
    source: FieldSource,
    t: number,
    raw: (FieldSource & { toJSON(): unknown }) | undefined,
  ): CorrelationResult | undefined {
    const c = link.corr;
    const value = contributionValue(link, source);
    if (value === undefined) return undefined;
    const fields = link.groupFields;
    let group: (string | null)[] | undefined;
    let key: WindowKey;
    if (fields.length === 1) {
      // Hot path: one group-by field keys the window by its value, without building a parts array.
      const part = stringView(readField(source, fields[0] as string, link.groupCoalesce[0]));
      key = part ?? NULL_GROUP;
    } else {
      group = fields.map((field, i) => stringView(readField(source, field, link.groupCoalesce[i])));
      key = windowKey(group);
    }
    const windows = this.windows[c.index] as Map<WindowKey, Window>;
    let w = windows.get(key);
    if (w === undefined) {
      if (this.liveWindows >= this.settings.config.maxStateEntries) this.evictForCap(t);
      w = new Window(key, group ?? groupOfKey(key, fields.length), c, t);
      windows.set(key, w);
      this.liveWindows++;
    } else if (!this.admit(c, w, t)) {
      this.stats.lateContributions++;
      return undefined;
    }

    const seq = this.sequence++;
    if (typeof value === 'object') for (const slot of value) w.insert(t, seq, slot);
    else w.insert(t, seq, value);
    if (t > w.watermark) w.watermark = t;
    if (c.window === 'sliding') w.evictBefore(w.watermark - c.timespan);
    const tuning = this.tuning[c.index] as Tuning;
    if (tuning.groupCap !== undefined) this.enforceGroupCap(c, w, tuning.groupCap);
    if (raw !== undefined && tuning.eventMode !== 'none') this.recordEvidence(w, raw, t, tuning);

    const aggregate = currentValue(w, c);
    if (!conditionHolds(w, c, aggregate)) return undefined;
    const alerts = this.lastAlert[c.index] as Map<WindowKey, number>;
    if (tuning.suppress !== undefined) {
      const last = alerts.get(key);
      if (last !== undefined && t - last < tuning.suppress) return undefined;
    }

    const result = buildResult(c, w.group, aggregate ?? 0, raw !== undefined ? w.evidence : undefined, tuning.eventMode);
    alerts.set(key, t);
    if (tuning.reset) w.clear();
    return result;
  }

  // Window admission for an existing window (spec 03 §5); may clear it. False = drop as late.
  private admit(c: CompiledCorrelation, w: Window, t: number): boolean {
    switch (c.window) {
      case 'sliding':
        return t >= w.watermark - c.timespan;
      case 'tumbling': {
        const bucket = Math.floor(t / c.timespan);
        const current = Math.floor(w.watermark / c.timespan);
        if (bucket < current) return false;
        if (bucket > current) w.clear();
        return true;
      }
      case 'session': {
        const earliest = w.earliest();
        const latest = w.latest();
        if (earliest !== undefined && latest !== undefined && (t - latest > (c.gap ?? 0) || t - earliest > c.timespan)) {
          w.clear();
        }
        return true;
      }
    }
  }

  private enforceGroupCap(c: CompiledCorrelation, w: Window, cap: number): void {
    while (w.size > cap) {
      // A session keeps its first entry as the anchor its span is measured from.
      w.removeAt(c.window === 'session' ? 1 : 0);
      this.stats.entriesDroppedByCap++;
    }
  }

  private recordEvidence(w: Window, raw: FieldSource & { toJSON(): unknown }, t: number, tuning: Tuning): void {
    w.evidence ??= new EvidenceBuffer(tuning.maxEvents);
    w.evidence.push(t, tuning.eventMode === 'full' ? compressEvent(raw.toJSON()) : eventRef(raw, t));
  }

  /** Adds a window restored from a snapshot (no cap round: restore happens before traffic). */
  restoreWindow(c: CompiledCorrelation, group: (string | null)[], watermark: number): Window {
    const key = windowKey(group);
    const windows = this.windows[c.index] as Map<WindowKey, Window>;
    let w = windows.get(key);
    if (w === undefined) {
      w = new Window(key, group, c, watermark);
      windows.set(key, w);
      this.liveWindows++;
    }
    return w;
  }

  /** Drops expired entries against `now` for every window, then empty windows (spec 03 §9). */
  evictByTime(now: number): void {
    let dropped = 0;
    for (const c of this.correlations) {
      const windows = this.windows[c.index] as Map<WindowKey, Window>;
      for (const [key, w] of windows) {
        if (c.window === 'sliding') {
          w.evictBefore(now - c.timespan);
        } else {
          const latest = w.latest();
          const span = c.window === 'session' ? (c.gap ?? c.timespan) : c.timespan;
          if (latest !== undefined && latest < now - span) w.clear();
        }
        if (w.size === 0) {
          windows.delete(key);
          dropped++;
        }
      }
    }
    this.liveWindows -= dropped;
    this.stats.windowsExpired += dropped;
  }

  // One eviction round when a new window would exceed the cap (spec 03 §9): time first, then the
  // windows whose newest entry is oldest, down to CAP_EVICTION_TARGET of the cap.
  private evictForCap(t: number): void {
    this.evictByTime(t);
    this.expireSuppression(t);
    const cap = this.settings.config.maxStateEntries;
    if (this.liveWindows < cap) return;
    const target = Math.floor(CAP_EVICTION_TARGET * cap);
    const all: { corr: number; w: Window; latest: number }[] = [];
    this.windows.forEach((windows, corr) => {
      for (const w of windows.values()) all.push({ corr, w, latest: w.latest() ?? w.watermark });
    });
    all.sort((a, b) => a.latest - b.latest);
    let evicted = 0;
    // The correlation of every evicted window, or -1 once they span several: the log names it only when it is one.
    let only = -2;
    for (const { corr, w } of all) {
      if (this.liveWindows <= target) break;
      this.windows[corr]?.delete(w.key);
      this.lastAlert[corr]?.delete(w.key);
      this.liveWindows--;
      evicted++;
      only = only === -2 || only === corr ? corr : -1;
    }
    this.stats.windowsEvictedByCap += evicted;
    this.stats.capEvictionRounds++;
    const one = only >= 0 ? this.correlations[only] : undefined;
    this.settings.logger.warn(`correlation state reached ${cap} windows; evicted ${evicted} least recently updated windows`, {
      cap,
      evicted,
      ...(one === undefined ? {} : { correlation: one.identity }),
    });
  }

  /** Drops suppression records that can no longer suppress anything at `now` (spec 03 §9). */
  expireSuppression(now: number): void {
    for (const c of this.correlations) {
      const suppress = this.tuning[c.index]?.suppress;
      const alerts = this.lastAlert[c.index] as Map<WindowKey, number>;
      const windows = this.windows[c.index] as Map<WindowKey, Window>;
      for (const [key, last] of alerts) {
        // Without suppression a record only informs introspection, so it lives as long as its window.
        const stale = suppress === undefined ? !windows.has(key) : now - last >= suppress;
        if (stale) alerts.delete(key);
      }
    }
  }

  /** Evidence entries held across all windows. */
  evidenceCount(): number {
    let n = 0;
    for (const windows of this.windows) for (const w of windows.values()) n += w.evidence?.items.length ?? 0;
    return n;
  }

  /** Approximate evidence bytes held across all windows. */
  evidenceBytes(): number {
    let n = 0;
    for (const windows of this.windows) for (const w of windows.values()) n += w.evidence?.bytes() ?? 0;
    return n;
  }
}

// The result object, with keys created in wire order (spec 02 §9, 03 §10).
function buildResult(
  c: CompiledCorrelation,
  group: readonly (string | null)[],
  aggregate: number,
  evidence: EvidenceBuffer | undefined,
  mode: CorrelationEventMode,
): CorrelationResult {
  const groupKey: [string, string][] = [];
  for (let i = 0; i < group.length; i++) {
    const v = group[i];
    if (v !== null && v !== undefined) groupKey.push([(c.groupBy[i] as GroupByEntry).name, v]);
  }
  const h = c.header;
  const result: CorrelationResult =
    h.custom_attributes === undefined
      ? {
          rule_title: h.rule_title,
          rule_id: h.rule_id,
          level: h.level,
          author: h.author,
          tags: [...h.tags],
          correlation_type: c.type,
          group_key: groupKey,
          aggregated_value: aggregate,
          timespan_secs: c.timespan,
        }
      : {
          rule_title: h.rule_title,
          rule_id: h.rule_id,
          level: h.level,
          author: h.author,
          tags: [...h.tags],
          custom_attributes: { ...h.custom_attributes },
          correlation_type: c.type,
          group_key: groupKey,
          aggregated_value: aggregate,
          timespan_secs: c.timespan,
        };
  if (evidence !== undefined) {
    if (mode === 'full') result.events = evidence.items.map((b) => decompressEvent(b as Buffer));
    else result.event_refs = evidence.items.map((r) => ({ ...(r as CorrelationEventRef) }));
  }
  return result;
}

/** Map key of a group: fast paths for zero and one part. */
export function windowKey(group: readonly (string | null)[]): WindowKey {
  if (group.length === 0) return '';
  if (group.length === 1) return group[0] ?? NULL_GROUP;
  return JSON.stringify(group);
}

/** Inverse of {@link windowKey} for a correlation with `parts` group-by entries. */
export function groupOfKey(key: WindowKey, parts: number): (string | null)[] {
  if (parts === 0) return [];
  if (key === NULL_GROUP) return [null];
  return parts === 1 ? [key] : (JSON.parse(key) as (string | null)[]);
}

/** The value one event contributes to a correlation (spec 03 §6), or undefined when it contributes nothing. */
function contributionValue(link: ConsumerLink, source: FieldSource): EntryValue | readonly number[] | undefined {
  const c = link.corr;
  switch (c.type) {
    case 'event_count':
      return 0;
    case 'temporal':
    case 'temporal_ordered':
      return link.slots;
    case 'value_count': {
      const fields = c.fields ?? [];
      if (fields.length === 1)
        return stringView(readField(source, fields[0] as string, c.fieldCoalesce?.[fields[0] as string])) ?? undefined;
      const parts: string[] = [];
      for (const f of fields) {
        const v = stringView(readField(source, f, c.fieldCoalesce?.[f]));
        if (v === null) return undefined;
        parts.push(v);
      }
      return parts.join(VALUE_FIELD_SEPARATOR);
    }
    default: {
      const field = c.fields?.[0] as string;
      return numericView(readField(source, field, c.fieldCoalesce?.[field]));
    }
  }
}
