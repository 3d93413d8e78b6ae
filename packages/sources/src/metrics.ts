// The metrics seam of @tsigma/sources (spec 09 §8): five optional hooks that the runtime's MetricsHook also declares,
// so the daemon's hook object can be passed as is.

/**
 * Optional hooks called by DefaultSourceResolver and RefreshScheduler; implement only the ones you record.
 *
 * @example
 * const metrics: SourceMetrics = { onSourceResolveError: (id, kind) => console.log(id, kind) };
 */
export interface SourceMetrics {
  /** A resolution finished with a fetched value. */
  onSourceResolve?(sourceId: string, sourceType: string): void;
  /** A resolution failed with this SourceError kind (whatever the `on_error` policy made of it). */
  onSourceResolveError?(sourceId: string, errorKind: string): void;
  observeSourceResolveSeconds?(seconds: number): void;
  /** A failed resolution was answered from the cache. */
  onSourceCacheHit?(): void;
  setSourceLastResolved?(sourceId: string, unixSeconds: number): void;
}
