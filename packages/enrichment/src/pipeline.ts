// EnrichmentPipeline (spec 07 §3): runs each result's enrichers in declaration order, up to `maxConcurrent` results
// at a time, with a per-call deadline and the enricher's on_error policy. It never rejects and never writes a value
// that arrives after its deadline: enrichers return values, and only this file stores them.

import { silentLogger, type EvaluationResult, type Logger } from '@tsigma/eval';
import type { MetricsHook } from '@tsigma/runtime';
import { injectEnrichment, kindOfResult, type Enricher } from './enricher.js';
import { EnrichError } from './errors.js';

/** Default number of results enriched at the same time. */
export const DEFAULT_MAX_CONCURRENT = 16;

/** Options of {@link EnrichmentPipeline}. */
export interface EnrichmentPipelineOptions {
  /** Results enriched at the same time; default {@link DEFAULT_MAX_CONCURRENT}. */
  maxConcurrent?: number;
  metrics?: MetricsHook;
  /** Where `skip` failures are logged at warn; default silent. */
  logger?: Logger;
  /** Files the pipeline was built from (the enrichers file, lookup tables), for a caller that reloads on change. */
  files?: readonly string[];
}

/** The status label of `tsigma_enrichment_total`. */
type Status = 'success' | 'skip' | 'error' | 'timeout' | 'drop';

const TIMED_OUT = Symbol('timed out');

interface Step {
  enricher: Enricher;
  scopeEmpty: boolean;
}

/**
 * Enriches results after evaluation.
 *
 * @example
 * const pipeline = new EnrichmentPipeline([runbook], { maxConcurrent: 16 });
 * const enriched = await pipeline.run(results); // survivors, in input order
 */
export class EnrichmentPipeline {
  private readonly steps: readonly Step[];
  private readonly maxConcurrent: number;
  private readonly metrics: MetricsHook;
  private readonly logger: Logger;
  /** Files the pipeline was built from, for a caller that rebuilds it when one changes. */
  readonly files: readonly string[];

  constructor(enrichers: readonly Enricher[], opts: EnrichmentPipelineOptions = {}) {
    this.steps = enrichers.map((enricher) => ({ enricher, scopeEmpty: enricher.scope.isEmpty }));
    this.maxConcurrent = Math.max(1, Math.floor(opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT));
    this.metrics = opts.metrics ?? {};
    this.logger = opts.logger ?? silentLogger;
    this.files = opts.files ?? [];
    // Every series exists at zero before the first result (spec 07 §8).
    for (const e of enrichers) {
      this.metrics.registerEnricher?.(e.id, e.kind);
      if (isHttpCached(e)) this.metrics.registerHttpEnricherCache?.(e.id);
    }
  }

  /** Number of enrichers. */
  get size(): number {
    return this.steps.length;
  }

  /** The enrichers, in declaration order. */
  get enrichers(): readonly Enricher[] {
    return this.steps.map((s) => s.enricher);
  }

  /** True when a built-in enricher's template reads the retained event: results then need `event` (include-event). */
  get readsEvent(): boolean {
    return this.steps.some((s) => (s.enricher as { readsEvent?: unknown }).readsEvent === true);
  }

  /** Enriches `results` in place and returns the survivors in input order; never rejects. */
  async run(results: EvaluationResult[]): Promise<EvaluationResult[]> {
    if (this.steps.length === 0 || results.length === 0) return results;
    const keep = new Uint8Array(results.length).fill(1);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < results.length) {
        const i = next++;
        try {
          const outcome = this.enrichOne(results[i] as EvaluationResult);
          const kept = typeof outcome === 'boolean' ? outcome : await outcome;
          if (!kept) keep[i] = 0;
        } catch (error) {
          // Only a throwing metrics hook or logger gets here; the result goes on as far as it was enriched.
          this.logger.error(`enrichment failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`, {
            rule: (results[i] as EvaluationResult).rule_title,
          });
        }
      }
    };
    const workers: Promise<void>[] = [];
    for (let w = 0; w < Math.min(this.maxConcurrent, results.length); w++) workers.push(worker());
    await Promise.all(workers);
    return keep.includes(0) ? results.filter((_, i) => keep[i] === 1) : results;
  }

  /** Closes what enrichers hold open (HTTP connection pools). */
  async close(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const { enricher } of this.steps) {
      const close = (enricher as { close?: () => Promise<void> }).close;
      if (close !== undefined) closing.push(close.call(enricher));
    }
    await Promise.all(closing);
  }

  /** Runs the chain of one result; false when an enricher dropped it. Synchronous until an enricher needs I/O. */
  private enrichOne(result: EvaluationResult, from = 0): boolean | Promise<boolean> {
    const kind = kindOfResult(result);
    for (let s = from; s < this.steps.length; s++) {
      const { enricher: e, scopeEmpty } = this.steps[s] as Step;
      if (e.kind !== kind || (!scopeEmpty && !e.scope.matches(result))) continue;
      if (e.enrichNow === undefined) return this.enrichAsync(result, e, s);
      this.metrics.onEnrichmentQueueDepthChange?.(1);
      const started = performance.now();
      let value: unknown;
      try {
        value = e.enrichNow(result);
      } catch (error) {
        this.metrics.onEnrichmentQueueDepthChange?.(-1);
        if (!this.failed(result, e, error, false, started)) return false;
        continue;
      }
      this.metrics.onEnrichmentQueueDepthChange?.(-1);
      this.succeeded(result, e, value, started);
    }
    return true;
  }

  private async enrichAsync(result: EvaluationResult, e: Enricher, s: number): Promise<boolean> {
    this.metrics.onEnrichmentQueueDepthChange?.(1);
    const started = performance.now();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => {
        abort.abort(new EnrichError(e.id, 'timeout', `did not finish within ${e.timeoutMs} ms`));
        resolve(TIMED_OUT);
      }, e.timeoutMs);
    });
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(e.enrich(result, { signal: abort.signal }));
    } catch (error) {
      call = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // Settled into a value so a rejection after the deadline is handled here and never becomes unhandled.
    const settled = call.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const outcome = await Promise.race([settled, deadline]);
    clearTimeout(timer);
    this.metrics.onEnrichmentQueueDepthChange?.(-1);
    if (outcome === TIMED_OUT) {
      if (!this.failed(result, e, abort.signal.reason, true, started)) return false;
    } else if (outcome.ok) {
      this.succeeded(result, e, outcome.value, started);
    } else if (!this.failed(result, e, outcome.error, false, started)) return false;
    const rest = this.enrichOne(result, s + 1);
    return typeof rest === 'boolean' ? rest : await rest;
  }

  private succeeded(result: EvaluationResult, e: Enricher, value: unknown, started: number): void {
    if (value !== undefined) injectEnrichment(result, e.injectField, value);
    this.completed(e, 'success', started);
  }

  /** Applies on_error; false when the result is dropped. */
  private failed(result: EvaluationResult, e: Enricher, error: unknown, timedOut: boolean, started: number): boolean {
    const message = error instanceof Error ? error.message : String(error);
    switch (e.onError) {
      case 'skip':
        this.logger.warn(`enrichment skipped: ${message}`, { enricher_id: e.id, rule: result.rule_title });
        this.completed(e, timedOut ? 'timeout' : 'skip', started);
        return true;
      case 'null':
        injectEnrichment(result, e.injectField, null);
        this.completed(e, timedOut ? 'timeout' : 'error', started);
        return true;
      case 'drop':
        this.completed(e, 'drop', started);
        return false;
    }
  }

  private completed(e: Enricher, status: Status, started: number): void {
    this.metrics.onEnrichmentCompleted?.(e.id, e.kind, status, (performance.now() - started) / 1000);
  }
}

/** `http` enrichers (HttpEnricher) have cache series too. */
function isHttpCached(e: Enricher): boolean {
  return (e as { type?: unknown }).type === 'http';
}
