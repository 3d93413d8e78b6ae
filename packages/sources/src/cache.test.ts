import { describe, expect, it } from 'vitest';
import { SourceCache, type SourceCachePersistence } from './cache.js';

/** The persistence contract in memory (the SQLite one is tested against a real file in test/integration). */
function memoryPersistence(): SourceCachePersistence & { rows: Map<string, { json: string; at: number }> } {
  const rows = new Map<string, { json: string; at: number }>();
  return {
    rows,
    loadAll: () => [...rows].map(([id, r]) => ({ id, json: r.json, updatedAtSec: r.at })),
    put: (id, json, at) => void rows.set(id, { json, at }),
    delete: (id) => void rows.delete(id),
    clear: () => rows.clear(),
  };
}

describe('SourceCache (spec 09 §4, §9 test 9)', () => {
  it('a value set survives reopening over the same persistence; a TTL shorter than its age hides it', async () => {
    const persistence = memoryPersistence();
    let now = 1_000_000_000_000;
    const first = await SourceCache.open({ persistence, now: () => now });
    first.set('ips', ['10.0.0.5']);
    now += 120_000;
    const reopened = await SourceCache.open({ persistence, now: () => now });
    expect(reopened.get('ips')).toEqual(['10.0.0.5']);
    expect(reopened.entry('ips')?.storedAt.getTime()).toBe(1_000_000_000_000);
    const short = await SourceCache.open({ persistence, ttlMs: 60_000, now: () => now });
    expect(short.get('ips')).toBeUndefined();
    expect(persistence.rows.has('ips')).toBe(true);
  });

  it('invalidate deletes the persisted row; unknown ids are a no-op; clear empties both', async () => {
    const persistence = memoryPersistence();
    const cache = await SourceCache.open({ persistence });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.invalidate('a');
    cache.invalidate('zzz');
    expect(cache.get('a')).toBeUndefined();
    expect([...persistence.rows.keys()]).toEqual(['b']);
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
    expect(persistence.rows.size).toBe(0);
  });

  it('skips persisted rows that are not JSON, and never throws when persistence fails', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const persistence = memoryPersistence();
    persistence.rows.set('bad', { json: '{', at: 1 });
    persistence.rows.set('good', { json: '[1]', at: 1 });
    const cache = await SourceCache.open({ persistence, logger });
    expect(cache.get('bad')).toBeUndefined();
    expect(cache.get('good')).toEqual([1]);
    const failing = {
      ...persistence,
      put: () => {
        throw new Error('disk full');
      },
    };
    const c2 = await SourceCache.open({ persistence: failing, logger });
    c2.set('x', 1);
    expect(c2.get('x')).toBe(1);
    expect(warnings).toHaveLength(3); // the bad row twice (two opens), the failed write once
  });
});
