// HttpResponseCache (spec 07 §5): parsed HTTP responses of one enricher, keyed by (method, url, body hash[, header
// hash]), with a TTL checked on read and eviction of the oldest insert when full. One per enricher instance, so two
// enrichers with different credentials never share entries.

/** Cache events, for the `tsigma_enrichment_http_cache_*` counters. */
export interface HttpCacheEvents {
  onHit?(): void;
  onMiss?(): void;
  onExpiration?(): void;
}

interface Entry {
  value: unknown;
  storedAtMs: number;
}

/**
 * A TTL cache of parsed response bodies.
 *
 * @example
 * const cache = new HttpResponseCache(3_600_000, 10_000);
 * cache.set(key, body);
 * cache.get(key); // { value: body }
 */
export class HttpResponseCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly events: HttpCacheEvents = {},
    /** Wall clock in ms; default `Date.now`. */
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries held (expired ones included until read). */
  get size(): number {
    return this.entries.size;
  }

  /** A hit (`{ value }`), or undefined for a miss; an expired entry is removed and counted as expiration and miss. */
  get(key: string): { value: unknown } | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.now() - entry.storedAtMs < this.ttlMs) {
      this.events.onHit?.();
      return { value: entry.value };
    }
    if (entry !== undefined) {
      this.entries.delete(key);
      this.events.onExpiration?.();
    }
    this.events.onMiss?.();
    return undefined;
  }

  /** Stores a value; when full, the oldest inserted entry makes room. */
  set(key: string, value: unknown): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, storedAtMs: this.now() });
  }
}
