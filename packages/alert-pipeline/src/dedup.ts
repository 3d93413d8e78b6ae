// Deduplication (spec 08 §5): results with the same fingerprint fold into one active alert, which re-emits a
// `repeat` summary when it kept firing and a `resolved` one when it went quiet. Bounded by `max_active_alerts`.

import type { EvaluationResult } from '@tsigma/eval';
import type { Selector } from '@tsigma/runtime';
import { fnv1a64Hex } from './fnv.js';

/** Validated `dedup:` settings; times in seconds. */
export interface DedupConfig {
  readonly fingerprint: readonly Selector[];
  readonly repeatIntervalSec: number;
  readonly resolveTimeoutSec: number;
  readonly maxActiveAlerts: number;
}

/** One active alert. */
interface ActiveAlert {
  fingerprint: string;
  firstSeen: number;
  lastSeen: number;
  lastEmitted: number;
  fireCount: number;
  emittedCount: number;
  /** The first result, without event payloads. */
  sample: EvaluationResult;
  /** The fingerprint selector names (one array shared by every alert of a config) and their values, null when absent. */
  fieldNames: readonly string[];
  fieldValues: (string | null)[];
}

/** An active alert in a snapshot (spec 08 §8). */
export interface DedupSnapshot {
  fingerprint: string;
  first_seen: number;
  last_seen: number;
  last_emitted: number;
  fire_count: number;
  emitted_count: number;
  sample: EvaluationResult;
  fields: [string, string | null][];
}

/** The rule key of fingerprints, incidents and inhibit matching: the rule id, else the title. */
export function ruleKeyOf(result: EvaluationResult): string {
  return result.rule_id ?? result.rule_title;
}

/** 16-hex FNV-1a of `rule=<ruleKey>` then `\x1f<selector>=<value>` per selector (`\x00null` when absent). */
export function fingerprintOf(selectors: readonly Selector[], result: EvaluationResult): string {
  let text = 'rule=' + ruleKeyOf(result);
  for (const s of selectors) {
    const value = s.stringOf(result);
    text += '\x1f' + s.name + '=' + (value === undefined ? '\x00null' : value);
  }
  return fnv1a64Hex(text);
}

/** A copy of `result` without its event payloads (`event`, `events`, `event_refs`); enrichments are copied too. */
export function withoutEvents(result: EvaluationResult): EvaluationResult {
  // A rest copy rather than `delete`, which would turn the long-lived sample into a slower, larger dictionary object.
  const {
    event: _e,
    events: _s,
    event_refs: _r,
    ...copy
  } = result as EvaluationResult & { event?: unknown; events?: unknown; event_refs?: unknown };
  if (copy.enrichments !== undefined) copy.enrichments = { ...copy.enrichments };
  return copy;
}

/** A due dedup summary. */
interface DedupRecord {
  state: 'repeat' | 'resolved';
  result: EvaluationResult;
}

/** Active alerts in insertion order (the order `tick` visits them). */
export class DedupStore {
  private readonly alerts = new Map<string, ActiveAlert>();
  /** Selector names per config, so alerts share one array (saves an allocation per alert). */
  private names: { cfg: DedupConfig; names: readonly string[] } | undefined;

  get size(): number {
    return this.alerts.size;
  }

  has(fingerprint: string): boolean {
    return this.alerts.has(fingerprint);
  }

  get(fingerprint: string): ActiveAlert | undefined {
    return this.alerts.get(fingerprint);
  }

  /** Every active alert, oldest first. */
  values(): IterableIterator<ActiveAlert> {
    return this.alerts.values();
  }

  /** Counts one more firing of a known alert; false when the fingerprint is not active. */
  fold(fingerprint: string, nowSec: number): boolean {
    const alert = this.alerts.get(fingerprint);
    if (alert === undefined) return false;
    alert.fireCount += 1;
    alert.lastSeen = nowSec;
    return true;
  }

  /** Opens an alert for a first firing. */
  open(cfg: DedupConfig, fingerprint: string, result: EvaluationResult, nowSec: number): void {
    this.alerts.set(fingerprint, {
      fingerprint,
      firstSeen: nowSec,
      lastSeen: nowSec,
      lastEmitted: nowSec,
      fireCount: 1,
      emittedCount: 1,
      sample: withoutEvents(result),
      fieldNames: this.namesOf(cfg),
      fieldValues: cfg.fingerprint.map((s) => s.stringOf(result) ?? null),
    });
  }

  private namesOf(cfg: DedupConfig): readonly string[] {
    if (this.names?.cfg !== cfg) this.names = { cfg, names: cfg.fingerprint.map((s) => s.name) };
    return this.names.names;
  }

  /** The summaries due at `nowSec`: `resolved` (alert deleted) or `repeat` (something folded since the last one). */
  tick(cfg: DedupConfig, nowSec: number): DedupRecord[] {
    const out: DedupRecord[] = [];
    for (const [fp, alert] of this.alerts) {
      if (nowSec - alert.lastSeen >= cfg.resolveTimeoutSec) {
        out.push({ state: 'resolved', result: record(alert, 'resolved') });
        this.alerts.delete(fp);
      } else if (cfg.repeatIntervalSec > 0 && nowSec - alert.lastEmitted >= cfg.repeatIntervalSec && alert.fireCount > alert.emittedCount) {
        alert.lastEmitted = nowSec;
        alert.emittedCount = alert.fireCount;
        out.push({ state: 'repeat', result: record(alert, 'repeat') });
      }
    }
    return out;
  }

  snapshot(): DedupSnapshot[] {
    return [...this.alerts.values()].map((a) => ({
      fingerprint: a.fingerprint,
      first_seen: a.firstSeen,
      last_seen: a.lastSeen,
      last_emitted: a.lastEmitted,
      fire_count: a.fireCount,
      emitted_count: a.emittedCount,
      sample: a.sample,
      fields: a.fieldNames.map((name, i) => [name, a.fieldValues[i] ?? null]),
    }));
  }

  /** Loads one snapshot entry; false (skipped) when it resolved by `nowSec`. */
  restoreOne(entry: DedupSnapshot, resolveTimeoutSec: number, nowSec: number): boolean {
    if (nowSec - entry.last_seen >= resolveTimeoutSec) return false;
    this.alerts.set(entry.fingerprint, {
      fingerprint: entry.fingerprint,
      firstSeen: entry.first_seen,
      lastSeen: entry.last_seen,
      lastEmitted: entry.last_emitted,
      fireCount: entry.fire_count,
      emittedCount: entry.emitted_count,
      sample: entry.sample,
      fieldNames: entry.fields.map(([name]) => name),
      fieldValues: entry.fields.map(([, value]) => value),
    });
    return true;
  }

  clear(): void {
    this.alerts.clear();
  }
}

/** The sample with the `dedup_*` keys added to its enrichments. */
function record(alert: ActiveAlert, state: 'repeat' | 'resolved'): EvaluationResult {
  const fields: Record<string, string | null> = {};
  alert.fieldNames.forEach((name, i) => (fields[name] = alert.fieldValues[i] ?? null));
  return {
    ...alert.sample,
    enrichments: {
      ...alert.sample.enrichments,
      dedup_state: state,
      dedup_fingerprint: alert.fingerprint,
      dedup_fire_count: alert.fireCount,
      dedup_first_seen: alert.firstSeen,
      dedup_last_seen: alert.lastSeen,
      dedup_fields: fields,
    },
  };
}
