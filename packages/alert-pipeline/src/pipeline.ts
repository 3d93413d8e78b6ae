// The alert pipeline (spec 08 §1, §4): an immutable, validated configuration that runs the stages inhibit →
// silence → dedup → group over results, advances their timers on `tick`, and saves or restores the state.
// It never reads the clock for decisions: every call gets `nowSec` (integer Unix seconds) from its caller.

import type { EvaluationResult } from '@tsigma/eval';
import type { MetricsHook, Scope } from '@tsigma/runtime';
import { fingerprintOf, type DedupConfig, type DedupSnapshot } from './dedup.js';
import { SilenceError } from './errors.js';
import type { GroupConfig, IncidentResult, IncidentSnapshot } from './grouping.js';
import type { InhibitRule, InhibitSourceSnapshot } from './inhibit.js';
import type { Silence, SilenceSnapshot } from './silence.js';
import {
  dedupProblem,
  incidentProblem,
  inhibitProblem,
  readEnvelope,
  silenceProblem,
  SNAPSHOT_VERSION,
  type AlertPipelineSnapshot,
} from './snapshot.js';
import type { AlertPipelineState } from './state.js';

/** Validated parts an AlertPipeline is made of (see `buildAlertPipeline`). */
interface AlertPipelineParts {
  scope: Scope;
  stripEvent: boolean;
  maxSilences: number;
  dedup?: DedupConfig;
  group?: GroupConfig;
  silences: Silence[];
  inhibitRules: InhibitRule[];
}

/** What `tick` emits: dedup summary results and incident emissions. */
export interface TickOutput {
  /** `repeat` / `resolved` dedup summaries: ordinary result lines for the sinks. */
  dedupLines: EvaluationResult[];
  incidents: IncidentResult[];
}

const NO_METRICS: MetricsHook = {};

/**
 * A validated alert pipeline; immutable, swapped whole on hot reload while the {@link AlertPipelineState} is kept.
 * Every call is synchronous, so on Node's one thread each is atomic with respect to the admin API.
 *
 * @example
 * const pipeline = parseAlertPipelineConfig('dedup:\n  fingerprint: [rule, match.SourceIp]\n');
 * const state = new AlertPipelineState();
 * pipeline.install(state);
 * const delivered = pipeline.process(results, state, nowSec);
 * const { dedupLines, incidents } = pipeline.tick(state, nowSec + 1);
 */
export class AlertPipeline {
  private readonly scope: Scope;
  private readonly scopeAll: boolean;
  private readonly stripEvent: boolean;
  private readonly dedup: DedupConfig | undefined;
  private readonly group: GroupConfig | undefined;
  private readonly silences: readonly Silence[];
  private readonly inhibitRules: readonly InhibitRule[];
  /** Cap on API-created silences; static ones do not count. */
  readonly maxSilences: number;
  /** Where NATS sinks publish incidents, when `group.nats_subject` is set. */
  readonly incidentNatsSubject: string | undefined;

  /** Use `buildAlertPipeline`, `parseAlertPipelineConfig` or `loadAlertPipelineFile`: they validate the parts. */
  constructor(parts: AlertPipelineParts) {
    this.scope = parts.scope;
    this.scopeAll = parts.scope.isEmpty;
    this.stripEvent = parts.stripEvent;
    this.dedup = parts.dedup;
    this.group = parts.group;
    this.silences = parts.silences;
    this.inhibitRules = parts.inhibitRules;
    this.maxSilences = parts.maxSilences;
    this.incidentNatsSubject = parts.group?.natsSubject;
  }

  /** True when the config has a `group` stage (the daemon's incident routes answer 503 without one). */
  get groupsIncidents(): boolean {
    return this.group !== undefined;
  }

  /** The static silences of the config file, for (re-)seeding a SilenceStore. */
  staticSilences(): Silence[] {
    return [...this.silences];
  }

  /**
   * Prepares `state` for this pipeline: seeds the static silences and, on reload (`previous` given), clears the
   * state of stages this config dropped, and the incidents when `group.mode` changed. Nothing is emitted for them.
   */
  install(state: AlertPipelineState, previous?: AlertPipeline): void {
    state.silences.setStatic(this.silences);
    if (previous === undefined) return;
    if (this.dedup === undefined) state.dedup.clear();
    if (this.group === undefined || (previous.group !== undefined && previous.group.mode !== this.group.mode)) state.incidents.clear();
    if (this.inhibitRules.length === 0) state.inhibit.clear();
  }

  /**
   * Runs the stages over one batch of results, in order, and returns what goes on to the sinks. Takes ownership of
   * the results: survivors are annotated (`enrichments.incident_id`) and stripped (`strip_event`) in place.
   */
  process(results: EvaluationResult[], state: AlertPipelineState, nowSec: number, m: MetricsHook = NO_METRICS): EvaluationResult[] {
    // Timed only for a hook that records it: two clock reads per call are a measurable share of a folded result.
    const started = m.observeAlertPipelineDuration === undefined ? 0 : performance.now();
    const kept: EvaluationResult[] = [];
    for (const result of results) {
      if (!this.scopeAll && !this.scope.matches(result)) {
        kept.push(result);
        continue;
      }
      if (this.inhibitRules.length > 0) {
        const rule = state.inhibit.evaluate(this.inhibitRules, result, nowSec);
        if (rule !== undefined) {
          m.onAlertPipelineInhibited?.(rule);
          continue;
        }
      }
      if (state.silences.activeMatch(result, nowSec) !== undefined) {
        m.onAlertPipelineSilenced?.();
        continue;
      }
      if (this.dedup !== undefined) {
        const fp = fingerprintOf(this.dedup.fingerprint, result);
        if (state.dedup.fold(fp, nowSec)) {
          m.onAlertPipelineResult?.('folded');
          continue;
        }
        // At the cap a new fingerprint passes un-deduplicated instead of growing the store; counted apart.
        if (state.dedup.size < this.dedup.maxActiveAlerts) state.dedup.open(this.dedup, fp, result, nowSec);
        else m.onAlertPipelineDedupOverflow?.();
        m.onAlertPipelineResult?.('emitted');
      }
      if (this.group !== undefined) {
        const id = state.incidents.assign(this.group, result, nowSec, m);
        if (id !== undefined) {
          if (result.enrichments !== undefined && 'incident_id' in result.enrichments)
            state.logger.debug('alert pipeline: overwriting a user-set incident_id enrichment', { rule: result.rule_title });
          result.enrichments = { ...result.enrichments, incident_id: id };
        }
      }
      if (this.stripEvent) stripEventPayloads(result);
      kept.push(result);
    }
    if (this.dedup !== undefined) m.setAlertPipelineStoreEntries?.(state.dedup.size);
    if (this.group !== undefined) m.setIncidentsOpen?.(state.incidents.size);
    if (m.observeAlertPipelineDuration !== undefined) m.observeAlertPipelineDuration((performance.now() - started) / 1000);
    return kept;
  }

  /** Advances the timers to `nowSec`: due dedup summaries and incident emissions; then expired silences and sources go. */
  tick(state: AlertPipelineState, nowSec: number, m: MetricsHook = NO_METRICS): TickOutput {
    const started = performance.now();
    const out: TickOutput = { dedupLines: [], incidents: [] };
    if (this.dedup !== undefined) {
      for (const record of state.dedup.tick(this.dedup, nowSec)) {
        m.onAlertPipelineResult?.(record.state);
        m.onAlertPipelineSummaryEmitted?.();
        if (record.state === 'resolved') m.onAlertPipelineEviction?.();
        out.dedupLines.push(record.result);
      }
      m.setAlertPipelineStoreEntries?.(state.dedup.size);
    }
    if (this.group !== undefined) {
      for (const emission of state.incidents.tick(this.group, nowSec)) {
        m.onIncidentEmitted?.(emission.trigger);
        out.incidents.push(emission.result);
      }
      m.setIncidentsOpen?.(state.incidents.size);
    }
    state.silences.gc(nowSec);
    m.setSilencesActive?.(state.silences.activeCount(nowSec));
    state.inhibit.gc(this.inhibitRules, nowSec);
    m.setInhibitSourcesActive?.(state.inhibit.activeCount(this.inhibitRules, nowSec));
    if (out.dedupLines.length > 0 || out.incidents.length > 0) m.observeAlertPipelineDuration?.((performance.now() - started) / 1000);
    return out;
  }

  /**
   * The emissions still due when the input ends at `lastSec` (a one-shot run over a file): one tick late enough that
   * every incident's `group_wait` and pending `group_interval` have run, so each incident reports its final counts.
   * Alerts and incidents whose resolve timeout passes by then resolve in the same tick.
   */
  drain(state: AlertPipelineState, lastSec: number, m: MetricsHook = NO_METRICS): TickOutput {
    const horizon = this.group === undefined ? 0 : Math.max(this.group.groupWaitSec, this.group.groupIntervalSec);
    return this.tick(state, lastSec + horizon, m);
  }

  /** Open incidents as the admin API serves them (`trigger: snapshot`, with `sample_mode` and `reported`). */
  openIncidents(state: AlertPipelineState): IncidentResult[] {
    return this.group === undefined ? [] : state.incidents.list(this.group);
  }

  /** The state as a versioned JSON-serialisable snapshot (API silences only: static ones come from config). */
  snapshot(state: AlertPipelineState): AlertPipelineSnapshot {
    return {
      version: SNAPSHOT_VERSION,
      dedup: state.dedup.snapshot(),
      incidents: state.incidents.snapshot(),
      silences: state.silences.apiSnapshot(),
      inhibit_sources: state.inhibit.snapshot(),
    };
  }

  /**
   * Loads a snapshot into `state` (replacing its dedup alerts, incidents, API silences and inhibition sources),
   * pruning what expired by `nowSec` and skipping, with a warning, entries that do not validate or exceed the caps
   * (`max_active_alerts`, `max_open_incidents`). Returns false,
   * with a warning naming the version, for a snapshot of another version: the caller starts fresh. Throws an
   * AlertPipelineError `snapshot_corrupt` when the snapshot is not an object with a version and array sections;
   * `state` is then untouched.
   */
  restore(state: AlertPipelineState, snap: unknown, nowSec: number): boolean {
    const sections = readEnvelope(snap);
    if (sections.version !== SNAPSHOT_VERSION) {
      state.logger.warn('alert pipeline snapshot ignored: unsupported version', { version: sections.version, supported: SNAPSHOT_VERSION });
      return false;
    }
    const skip = (section: string, index: number, why: string): void =>
      state.logger.warn('alert pipeline snapshot entry skipped', { section, index, reason: why });
    state.dedup.clear();
    state.incidents.clear();
    state.silences.clearApi();
    state.inhibit.clear();
    sections.silences.forEach((entry, i) => {
      const problem = silenceProblem(entry);
      if (problem !== undefined) return skip('silences', i, problem);
      try {
        state.silences.restoreApi(entry as SilenceSnapshot, nowSec);
      } catch (error) {
        if (!(error instanceof SilenceError)) throw error;
        skip('silences', i, error.message);
      }
    });
    const dedup = this.dedup;
    if (dedup !== undefined) {
      sections.dedup.forEach((entry, i) => {
        const problem = dedupProblem(entry);
        if (problem !== undefined) return skip('dedup', i, problem);
        // A config that lowered the cap since the snapshot keeps the oldest alerts, never more than the cap.
        if (state.dedup.size >= dedup.maxActiveAlerts) return skip('dedup', i, 'over max_active_alerts');
        state.dedup.restoreOne(entry as DedupSnapshot, dedup.resolveTimeoutSec, nowSec);
      });
    }
    const group = this.group;
    if (group !== undefined) {
      sections.incidents.forEach((entry, i) => {
        const problem = incidentProblem(entry);
        if (problem !== undefined) return skip('incidents', i, problem);
        if (state.incidents.size >= group.caps.maxOpenIncidents) return skip('incidents', i, 'over max_open_incidents');
        state.incidents.restoreOne(entry as IncidentSnapshot, group, nowSec);
      });
    }
    sections.inhibit_sources.forEach((entry, i) => {
      const problem = inhibitProblem(entry);
      if (problem !== undefined) return skip('inhibit_sources', i, problem);
      state.inhibit.restoreOne(entry as InhibitSourceSnapshot, this.inhibitRules, nowSec);
    });
    return true;
  }
}

/** Removes raw event payloads from a delivered result (after every selector has read them). */
function stripEventPayloads(result: EvaluationResult): void {
  const r = result as { event?: unknown; events?: unknown; event_refs?: unknown };
  delete r.event;
  delete r.events;
  delete r.event_refs;
}
