// SQLite-backed SourceCachePersistence (spec 09 §4, 10 §5): table source_cache in a real database file, WAL
// journal. A file that is not a valid database is a SourceConfigError naming the file.

import Database from 'better-sqlite3';
import type { SourceCachePersistence } from './cache.js';
import { SourceConfigError } from './errors.js';

/** A persistence that can be closed (the database handle). */
export interface SqliteCachePersistence extends SourceCachePersistence {
  close(): void;
}

/**
 * Opens (creating if needed) the cache table in the SQLite file at `path`.
 *
 * @example
 * const cache = await SourceCache.open({ persistence: openSqliteCachePersistence('state.db') });
 */
export function openSqliteCachePersistence(path: string): SqliteCachePersistence {
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS source_cache (source_id TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)');
    // Reading every row once proves the file is usable now rather than at the first refresh.
    db.prepare('SELECT count(*) FROM source_cache').get();
  } catch (err) {
    throw new SourceConfigError('cache_file', `cannot open the source cache database: ${(err as Error).message}`, path, { cause: err });
  }
  const put = db.prepare(
    'INSERT INTO source_cache (source_id, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(source_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  );
  const del = db.prepare('DELETE FROM source_cache WHERE source_id = ?');
  const all = db.prepare('SELECT source_id, value, updated_at FROM source_cache');
  return {
    loadAll: () =>
      (all.all() as { source_id: string; value: string; updated_at: number }[]).map((r) => ({
        id: r.source_id,
        json: r.value,
        updatedAtSec: r.updated_at,
      })),
    put: (id, json, updatedAtSec) => void put.run(id, json, updatedAtSec),
    delete: (id) => void del.run(id),
    clear: () => void db.exec('DELETE FROM source_cache'),
    close: () => db.close(),
  };
}
