// The daemon's state database (spec 10 §5): a PID lock file beside it, SQLite in WAL mode, one row each for the
// correlation snapshot (with the NATS source position) and the alert-pipeline snapshot, and the restore decision.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Replay } from './config.js';

/** A state-database problem at start-up (exit 3). */
export class StateDbError extends Error {
  override readonly name = 'StateDbError';
}

/** The highest acked NATS position. */
export interface SourcePosition {
  streamSeq: number;
  timestampSec: number;
}

/** What a previous run saved. */
interface StoredState {
  correlation?: { snapshot: string; position?: SourcePosition };
  alertPipeline?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS correlation_state (id INTEGER PRIMARY KEY CHECK (id = 1),
  snapshot TEXT NOT NULL, updated_at INTEGER NOT NULL, source_sequence INTEGER, source_timestamp INTEGER);
CREATE TABLE IF NOT EXISTS alert_pipeline_state (id INTEGER PRIMARY KEY CHECK (id = 1),
  snapshot TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS source_cache (source_id TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
`;

/** The open database and its lock; `close()` releases both. */
export class StateStore {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly lockPath: string,
  ) {}

  /** Takes `<path>.pid` (a live owner is an error, a stale one is replaced), opens the database, creates the tables. */
  static open(path: string): StateStore {
    const lockPath = `${path}.pid`;
    takeLock(lockPath);
    try {
      let db: Database.Database;
      try {
        db = new Database(path);
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.exec(SCHEMA);
        db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', '1') ON CONFLICT(key) DO NOTHING").run();
      } catch (error) {
        throw new StateDbError(`cannot open the state database ${path}: ${(error as Error).message}`);
      }
      return new StateStore(db, path, lockPath);
    } catch (error) {
      rmSync(lockPath, { force: true });
      throw error;
    }
  }

  load(): StoredState {
    const out: StoredState = {};
    const c = this.db.prepare('SELECT snapshot, source_sequence, source_timestamp FROM correlation_state WHERE id = 1').get() as
      { snapshot: string; source_sequence: number | null; source_timestamp: number | null } | undefined;
    if (c !== undefined) {
      out.correlation = {
        snapshot: c.snapshot,
        ...(c.source_sequence === null ? {} : { position: { streamSeq: c.source_sequence, timestampSec: c.source_timestamp ?? 0 } }),
      };
    }
    const a = this.db.prepare('SELECT snapshot FROM alert_pipeline_state WHERE id = 1').get() as { snapshot: string } | undefined;
    if (a !== undefined) out.alertPipeline = a.snapshot;
    return out;
  }

  /** Saves both snapshots in one transaction; `undefined` leaves a row as it is. Throws on I/O errors. */
  save(correlation: { snapshot: string; position?: SourcePosition } | undefined, alertPipeline: string | undefined): void {
    const now = Math.floor(Date.now() / 1000);
    const tx = this.db.transaction(() => {
      if (correlation !== undefined) {
        this.db
          .prepare(
            'INSERT INTO correlation_state (id, snapshot, updated_at, source_sequence, source_timestamp) VALUES (1, ?, ?, ?, ?) ' +
              'ON CONFLICT(id) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at, ' +
              'source_sequence = coalesce(excluded.source_sequence, correlation_state.source_sequence), ' +
              'source_timestamp = coalesce(excluded.source_timestamp, correlation_state.source_timestamp)',
          )
          .run(correlation.snapshot, now, correlation.position?.streamSeq ?? null, correlation.position?.timestampSec ?? null);
      }
      if (alertPipeline !== undefined) {
        this.db
          .prepare(
            'INSERT INTO alert_pipeline_state (id, snapshot, updated_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at',
          )
          .run(alertPipeline, now);
      }
    });
    tx();
  }

  /** `--clear-state`: deletes the correlation and alert rows; the source cache is kept. */
  clear(): void {
    this.db.exec('DELETE FROM correlation_state; DELETE FROM alert_pipeline_state;');
  }

  close(): void {
    try {
      this.db.close();
    } finally {
      rmSync(this.lockPath, { force: true });
    }
  }
}

function takeLock(lockPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StateDbError(`cannot create the lock file ${lockPath}: ${(error as Error).message}`);
      }
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(lockPath, 'utf8').trim());
    } catch {
      // Vanished between the two calls: try again.
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new StateDbError(`the state database is in use by process ${pid} (lock file ${lockPath})`);
    }
    rmSync(lockPath, { force: true });
  }
  throw new StateDbError(`cannot take the lock file ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The inputs of the restore decision. */
export interface RestoreSituation {
  clearState: boolean;
  keepState: boolean;
  natsInput: boolean;
  replay: Replay;
  stored?: SourcePosition;
}

/** Whether stored state is restored (spec 10 §5 table), for correlation and alert state alike. */
export function decideStateRestore(s: RestoreSituation): boolean {
  if (s.clearState) return false;
  if (s.keepState) return true;
  if (!s.natsInput) return true;
  switch (s.replay.kind) {
    case 'resume':
      return true;
    case 'all':
    case 'latest':
      return false;
    case 'sequence':
      return s.stored !== undefined && s.replay.seq > s.stored.streamSeq;
    case 'time':
      return s.stored !== undefined && Math.floor(s.replay.at.getTime() / 1000) > s.stored.timestampSec;
  }
}
