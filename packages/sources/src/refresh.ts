// RefreshScheduler (spec 09 §5): re-resolves sources by their refresh policy (interval timers, file watchers, push
// subscriptions, explicit triggers), one resolution per source at a time, and reports each new value.

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { silentLogger, type Logger } from '@tsigma/eval';
import { siteLabel, type DynamicSource } from './declarations.js';
import { MIN_REFRESH_INTERVAL_MS, WATCH_DEBOUNCE_MS } from './limits.js';
import type { SourceMetrics } from './metrics.js';
import type { SourceResolver } from './resolver.js';

/** Re-resolve everything, or one source. */
export type RefreshTrigger = { kind: 'all' } | { kind: 'single'; id: string };

/** One new value: `changed` is false when it equals the previous value structurally. */
export interface SourceUpdate {
  id: string;
  value: unknown;
  changed: boolean;
}

/** A source's state for listings (daemon API, `pipeline resolve`). */
export interface SourceStatus {
  source_id: string;
  /** `pipeline:<name>` or `file:<path>`. */
  origin: string;
  type: string;
  refresh: string;
  required: boolean;
  status: 'pending' | 'resolved' | 'cached' | 'default' | 'failed';
  last_resolved_at?: string;
  last_error?: string;
}

/** Options of {@link RefreshScheduler}. */
export interface RefreshSchedulerOptions {
  metrics?: SourceMetrics;
  logger?: Logger;
  /** Delay of the one retry of failed optional sources after `start()`; default 5 s (spec 09 §5). */
  retryFailedOptionalMs?: number;
}

/** Failed optional sources are retried once this long after start-up (a feed that was still booting). */
const RETRY_FAILED_OPTIONAL_MS = 5_000;

/**
 * Runs the refresh policies of a set of sources against a resolver that already did the start-up resolution.
 *
 * @example
 * const scheduler = new RefreshScheduler(sources, resolver);
 * scheduler.onUpdate((u) => { if (u.changed) void processor.reloadRules({ sources: 'latest' }); });
 * scheduler.start();
 */
export class RefreshScheduler {
  private readonly listeners = new Set<(u: SourceUpdate) => void>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly watchers: FSWatcher[] = [];
  private readonly unsubscribes: (() => Promise<void>)[] = [];
  private readonly byId: Map<string, DynamicSource>;
  private readonly logger: Logger;
  private stopped = false;

  constructor(
    private readonly sources: readonly DynamicSource[],
    private readonly resolver: SourceResolver,
    private readonly opts: RefreshSchedulerOptions = {},
  ) {
    this.byId = new Map(sources.map((s) => [s.id, s]));
    this.logger = opts.logger ?? silentLogger;
  }

  /** Starts interval timers, file watchers and push subscriptions. Timers and watchers never keep the process alive. */
  start(): void {
    for (const src of this.sources) {
      const r = src.refresh;
      if (r.kind === 'interval') {
        let ms = r.ms;
        if (ms < MIN_REFRESH_INTERVAL_MS) {
          this.logger.warn(`refresh interval of ${ms} ms is below the minimum; using ${MIN_REFRESH_INTERVAL_MS} ms`, { source_id: src.id });
          ms = MIN_REFRESH_INTERVAL_MS;
        }
        const t = setInterval(() => void this.run(src), ms);
        t.unref();
        this.timers.push(t);
      } else if (r.kind === 'watch') this.watchFile(src);
      else if (r.kind === 'push') void this.subscribe(src);
    }
    const retryMs = this.opts.retryFailedOptionalMs ?? RETRY_FAILED_OPTIONAL_MS;
    const retry = setTimeout(() => {
      const outcomes = this.resolver.outcomes();
      for (const src of this.sources) if (!src.required && outcomes.get(src.id)?.status === 'failed') void this.run(src);
    }, retryMs);
    retry.unref();
    this.timers.push(retry);
  }

  /** Starts re-resolution now; push sources are not re-fetched by `all`. */
  trigger(t: RefreshTrigger): 'started' | 'already_pending' | 'unknown_source' {
    if (t.kind === 'single') {
      const src = this.byId.get(t.id);
      if (src === undefined) return 'unknown_source';
      if (this.inFlight.has(src.id)) return 'already_pending';
      void this.run(src);
      return 'started';
    }
    let started = false;
    for (const src of this.sources) {
      if (src.refresh.kind === 'push' || this.inFlight.has(src.id)) continue;
      void this.run(src);
      started = true;
    }
    return started ? 'started' : 'already_pending';
  }

  /** Calls `listener` with every new value; returns the function that removes it. */
  onUpdate(listener: (u: SourceUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Latest value per source id. */
  values(): Map<string, unknown> {
    return this.resolver.latestValues();
  }

  /** Each source's status, in declaration order. */
  status(): SourceStatus[] {
    const outcomes = this.resolver.outcomes();
    return this.sources.map((src) => {
      const o = outcomes.get(src.id);
      const s: SourceStatus = {
        source_id: src.id,
        origin: siteLabel(src.declaredIn),
        type: src.type,
        refresh: src.refreshText,
        required: src.required,
        status: o?.status ?? 'pending',
      };
      if (o !== undefined && o.status !== 'failed') s.last_resolved_at = o.at.toISOString();
      if (o?.error !== undefined) s.last_error = o.error;
      return s;
    });
  }

  /** Waits until no resolution is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Stops timers, watchers and subscriptions and waits for running resolutions. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of this.watchers) w.close();
    await Promise.allSettled(this.unsubscribes.map((u) => u()));
    await this.idle();
  }

  private run(src: DynamicSource): Promise<void> {
    const running = this.inFlight.get(src.id);
    if (running !== undefined) return running;
    const job = (async () => {
      const before = this.resolver.latestValues();
      try {
        const { data } = await this.resolver.resolve(src);
        this.emit(src.id, data, before.has(src.id) ? before.get(src.id) : undefined, before.has(src.id));
      } catch (err) {
        // Keep the last good value: a failed refresh never reaches the rules (spec 09 §4).
        this.logger.warn(`refresh failed: ${(err as Error).message}; keeping the last good value`, { source_id: src.id });
      }
    })().finally(() => this.inFlight.delete(src.id));
    this.inFlight.set(src.id, job);
    return job;
  }

  private emit(id: string, value: unknown, previous: unknown, hadPrevious: boolean): void {
    if (this.stopped) return;
    const update = { id, value, changed: !hadPrevious || !isDeepStrictEqual(previous, value) };
    for (const l of this.listeners) {
      try {
        l(update);
      } catch (err) {
        this.logger.error(`source update listener failed: ${(err as Error).message}`, { source_id: id });
      }
    }
  }

  /** Watches the file's directory, so a file that is replaced (rename over it) or created later is seen too. */
  private watchFile(src: DynamicSource): void {
    const path = src.path as string;
    const name = basename(path);
    let timer: NodeJS.Timeout | undefined;
    try {
      const w = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (this.stopped || (file !== null && file !== name)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void this.run(src), WATCH_DEBOUNCE_MS);
        timer.unref();
      });
      w.on('close', () => clearTimeout(timer));
      w.on('error', (err) => this.logger.warn(`file watch failed: ${err.message}`, { source_id: src.id }));
      this.watchers.push(w);
    } catch (err) {
      this.logger.warn(`cannot watch ${path}: ${(err as Error).message}; the source refreshes only on triggers`, { source_id: src.id });
    }
  }

  private async subscribe(src: DynamicSource): Promise<void> {
    const fetcher = this.resolver.fetcherFor(src.type);
    if (fetcher?.subscribe === undefined) {
      this.logger.warn(`source type '${src.type}' cannot push; the source refreshes only on triggers`, { source_id: src.id });
      return;
    }
    const controller = new AbortController();
    try {
      const unsubscribe = await fetcher.subscribe(
        src,
        (text) => void this.acceptPush(src, text),
        this.resolver.fetchContext(src, controller.signal),
      );
      this.unsubscribes.push(async () => {
        controller.abort();
        await unsubscribe();
      });
    } catch (err) {
      this.logger.warn(`push subscription failed: ${(err as Error).message}`, { source_id: src.id });
    }
  }

  private async acceptPush(src: DynamicSource, text: string): Promise<void> {
    const before = this.resolver.latestValues();
    try {
      const value = await this.resolver.valueFromText(src, text);
      this.resolver.setValue(src.id, value);
      this.opts.metrics?.onSourceResolve?.(src.id, src.type);
      this.emit(src.id, value, before.get(src.id), before.has(src.id));
    } catch (err) {
      const kind = (err as { kind?: string }).kind ?? 'parse';
      this.opts.metrics?.onSourceResolveError?.(src.id, kind);
      this.logger.warn(`pushed message rejected: ${(err as Error).message}; keeping the last good value`, { source_id: src.id });
    }
  }
}
