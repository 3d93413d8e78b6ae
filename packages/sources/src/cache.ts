// SourceCache (spec 09 §4): the last good value per source id, with an optional TTL that limits what is served
// (never deletes eagerly) and optional write-through persistence that keeps each entry's original time.

import { silentLogger, type Logger } from '@tsigma/eval';

/** Where cache entries survive a restart (the daemon: a SQLite table, see openSqliteCachePersistence). */
export interface SourceCachePersistence {
  loadAll(): { id: string; json: string; updatedAtSec: number }[];
  put(id: string, json: string, updatedAtSec: number): void;
  delete(id: string): void;
  clear(): void;
}

/** Options of {@link SourceCache.open}. */
export interface SourceCacheOptions {
  /** Entries older than this are not served; default: no limit. */
  ttlMs?: number;
  persistence?: SourceCachePersistence;
  logger?: Logger;
  /** Wall clock in ms; default `Date.now`. */
  now?: () => number;
}

interface Entry {
  value: unknown;
  storedAtMs: number;
}

/**
 * Last good value per source id.
 *
 * @example
 * const cache = await SourceCache.open({ ttlMs: 3_600_000 });
 * cache.set('ips', ['10.0.0.5']);
 * cache.get('ips'); // ['10.0.0.5']
 */
export class SourceCache {
  private readonly entries = new Map<string, Entry>();

  private constructor(
    private readonly ttlMs: number | undefined,
    private readonly persistence: SourceCachePersistence | undefined,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Opens a cache, loading every persisted row (rows whose JSON does not parse are skipped with a warning). */
  static open(opts: SourceCacheOptions = {}): Promise<SourceCache> {
    const cache = new SourceCache(opts.ttlMs, opts.persistence, opts.logger ?? silentLogger, opts.now ?? Date.now);
    for (const row of opts.persistence?.loadAll() ?? []) {
      try {
        cache.entries.set(row.id, { value: JSON.parse(row.json), storedAtMs: row.updatedAtSec * 1000 });
      } catch (err) {
        cache.logger.warn('skipping a persisted source cache row that is not valid JSON', {
          source_id: row.id,
          error: (err as Error).message,
        });
      }
    }
    return Promise.resolve(cache);
  }

  /** The value, or undefined when absent or older than the TTL. */
  get(id: string): unknown {
    return this.entry(id)?.value;
  }

  /** The value and when it was stored, or undefined when absent or older than the TTL. */
  entry(id: string): { value: unknown; storedAt: Date } | undefined {
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    if (this.ttlMs !== undefined && this.now() - e.storedAtMs > this.ttlMs) return undefined;
    return { value: e.value, storedAt: new Date(e.storedAtMs) };
  }

  /** Stores a value (write-through; persistence errors are logged, never thrown). */
  set(id: string, value: unknown): void {
    const storedAtMs = this.now();
    this.entries.set(id, { value, storedAtMs });
    this.persist(id, () => this.persistence?.put(id, JSON.stringify(value) ?? 'null', Math.floor(storedAtMs / 1000)));
  }

  /** Forgets one entry, persisted row included; unknown ids are a no-op. */
  invalidate(id: string): void {
    this.entries.delete(id);
    this.persist(id, () => this.persistence?.delete(id));
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
    this.persist('*', () => this.persistence?.clear());
  }

  private persist(id: string, write: () => void): void {
    try {
      write();
    } catch (err) {
      // The in-memory value stays authoritative; a failing disk only costs persistence across restarts.
      this.logger.warn('source cache persistence failed', { source_id: id, error: (err as Error).message });
    }
  }
}
