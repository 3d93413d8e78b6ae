// The Enricher contract (spec 07 §1): an enricher returns the value to store instead of writing it, so a call that
// outlives its deadline can never write late; the pipeline alone stores values with injectEnrichment.

import type { EvaluationResult } from '@tsigma/eval';
import type { Scope } from '@tsigma/runtime';

/** Which results an enricher sees. */
export type EnricherKind = 'detection' | 'correlation';
/** What a failed call does to its result: store nothing, store `null`, or drop the result. */
export type OnError = 'skip' | 'null' | 'drop';
/** What an enrichment call receives besides the result. */
export interface EnrichContext {
  /** Aborted when the enricher's timeout expires; I/O must stop on it. */
  signal: AbortSignal;
}

/** Default per-call deadline. */
export const DEFAULT_ENRICH_TIMEOUT_MS = 5000;

/**
 * Attaches context to results of one kind. Implementations never mutate the result.
 *
 * @example
 * const owner: Enricher = {
 *   id: 'owner', kind: 'detection', injectField: 'owner', timeoutMs: 5000, onError: 'skip', scope: new Scope(),
 *   enrich: async (r) => (r.rule_id === 'x' ? 'IT-Ops' : undefined),
 * };
 */
export interface Enricher {
  readonly id: string;
  readonly kind: EnricherKind;
  readonly injectField: string;
  readonly timeoutMs: number;
  readonly onError: OnError;
  readonly scope: Scope;
  /** Returns the value to store under `enrichments[injectField]`; undefined stores nothing. */
  enrich(result: Readonly<EvaluationResult>, ctx: EnrichContext): Promise<unknown>;
  /**
   * Optional synchronous form for enrichers that do no I/O (template, table lookup): the pipeline then skips the
   * timer and abort controller, which a synchronous call could not be interrupted by anyway. Throws as `enrich` rejects.
   */
  enrichNow?(result: Readonly<EvaluationResult>): unknown;
}

/**
 * Stores `value` under `result.enrichments[field]` (a flat key), creating `enrichments` only now, so results nothing
 * was written to serialize without it.
 *
 * @example
 * injectEnrichment(result, 'runbook_url', 'https://wiki.example/runbooks/r1');
 */
export function injectEnrichment(result: EvaluationResult, field: string, value: unknown): void {
  (result.enrichments ??= {})[field] = value;
}

/** The kind of a result: correlations carry `correlation_type`. */
export function kindOfResult(result: Readonly<EvaluationResult>): EnricherKind {
  return 'correlation_type' in result ? 'correlation' : 'detection';
}
