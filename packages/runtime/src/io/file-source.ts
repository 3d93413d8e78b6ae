// Line source over a file, optionally following it like `tail -F` (spec 05 §7 built-in I/O).
// Polls with fstat/stat rather than fs.watch, which misses events on some filesystems; reads only on demand.

import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { RuntimeError } from '../errors.js';
import type { EventSource, RawEvent } from './io-types.js';
import { NOOP_ACK } from './io-types.js';
import { LineSplitter } from './line-splitter.js';

/** Bytes read per call: large enough to amortise the syscall, small enough to keep a slow consumer's backlog small. */
const FILE_READ_CHUNK_BYTES = 64 * 1024;

/** Default pause between checks for new data, rotation or truncation while following. */
export const DEFAULT_FOLLOW_POLL_MS = 250;

/** Options of {@link FileSource}. */
export interface FileSourceOptions {
  /** Keep reading after end of file: appended lines, rotation (rename + recreate) and truncation (`tail -F`). */
  follow?: boolean;
  /** Pause between checks while following; default {@link DEFAULT_FOLLOW_POLL_MS}. */
  pollIntervalMs?: number;
  /** Start at the end of the existing content (only with `follow`); default false: read it all first. */
  fromEnd?: boolean;
}

/**
 * Reads non-blank lines of a file as RawEvents (no-op ack, origin `<path>:<line>`); a byte-order mark before the
 * first line (of the file, or of its successor after rotation or truncation) is dropped. Without `follow`,
 * `recv()` resolves null at end of file; with it, it waits for more data until `close()`. A path that does not
 * exist rejects with a RuntimeError (`io`) unless following, which waits for the file to appear.
 *
 * @example
 * const source = new FileSource('/var/log/app.ndjson', { follow: true });
 */
export class FileSource implements EventSource {
  private readonly splitter = new LineSplitter();
  private readonly follow: boolean;
  private readonly pollMs: number;
  private readonly buffer = Buffer.allocUnsafe(FILE_READ_CHUNK_BYTES);
  private handle: FileHandle | undefined;
  private handleStats: Stats | undefined;
  private offset = 0;
  private pending: string[] = [];
  private lineNo = 0;
  private opening: Promise<void> | undefined;
  private closed = false;
  private sleeper: { timer: NodeJS.Timeout; resolve(): void } | undefined;

  constructor(
    readonly path: string,
    private readonly options: FileSourceOptions = {},
  ) {
    this.follow = options.follow ?? false;
    this.pollMs = options.pollIntervalMs ?? DEFAULT_FOLLOW_POLL_MS;
  }

  /**
   * Opens the file now (the first `recv()` otherwise does), so that with `fromEnd` the starting point is fixed
   * before the caller goes on. Rejects like `recv()` when the file is missing and not followed.
   */
  open(): Promise<void> {
    this.opening ??= this.openInitial();
    return this.opening;
  }

  async recv(): Promise<RawEvent | null> {
    try {
      return await this.nextEvent();
    } catch (err) {
      // close() may release the file under a read in flight; that read's failure just means "closed".
      if (this.closed) return null;
      throw err;
    }
  }

  private async nextEvent(): Promise<RawEvent | null> {
    await this.open();
    for (;;) {
      if (this.closed) return null;
      const line = this.pending.shift();
      if (line !== undefined) {
        this.lineNo++;
        if (line.trim().length === 0) continue;
        return { payload: line, ackToken: NOOP_ACK, origin: `${this.path}:${this.lineNo}` };
      }
      if (await this.readMore()) continue;
      if (!this.follow) {
        const last = this.splitter.end();
        if (last === undefined) return null;
        this.pending.push(last);
        continue;
      }
      if (await this.checkRotation()) continue;
      await this.sleep();
    }
  }

  /** Stops reading and closes the file; a pending `recv()` resolves null. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
    }
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }

  private async openInitial(): Promise<void> {
    const opened = await this.tryOpen();
    if (!opened && !this.follow) {
      throw new RuntimeError('io', 'cannot open file for reading', this.path);
    }
    if (opened && this.follow && this.options.fromEnd === true) {
      this.offset = this.handleStats?.size ?? 0;
    }
  }

  /** Opens `path` from offset 0; false if it does not exist (yet). */
  private async tryOpen(): Promise<boolean> {
    let h: FileHandle;
    try {
      h = await open(this.path, 'r');
    } catch (err) {
      if (isMissing(err)) return false;
      throw new RuntimeError('io', `cannot open file: ${(err as Error).message}`, this.path, { cause: err });
    }
    if (this.closed) {
      await h.close();
      return false;
    }
    this.handle = h;
    this.handleStats = await h.stat();
    this.offset = 0;
    return true;
  }

  /** Reads the next chunk into `pending`; false at end of file (or with no file open). */
  private async readMore(): Promise<boolean> {
    const h = this.handle;
    if (h === undefined) return false;
    const { bytesRead } = await h.read(this.buffer, 0, this.buffer.length, this.offset);
    if (bytesRead === 0) return false;
    this.offset += bytesRead;
    // Copy: the splitter's decoder may keep a partial character that refers to the reused buffer.
    this.pending = this.splitter.push(Buffer.from(this.buffer.subarray(0, bytesRead)));
    return true;
  }

  /**
   * At end of file while following: detects truncation (same file, now shorter than what was read) and rotation
   * (the path now names another file, or none). The old file was read to its end before switching.
   * Returns true when there is something new to read.
   */
  private async checkRotation(): Promise<boolean> {
    let current: Stats | undefined;
    try {
      current = await stat(this.path);
    } catch (err) {
      if (!isMissing(err)) throw new RuntimeError('io', `cannot stat file: ${(err as Error).message}`, this.path, { cause: err });
    }
    const openStats = this.handleStats;
    if (this.handle === undefined || openStats === undefined) {
      return current !== undefined && (await this.tryOpen());
    }
    if (current === undefined) return false; // renamed away, not recreated yet: keep waiting
    if (current.ino !== openStats.ino || current.dev !== openStats.dev) {
      const last = this.splitter.end();
      if (last !== undefined) this.pending.push(last);
      const old = this.handle;
      this.handle = undefined;
      await old.close();
      await this.tryOpen();
      return true;
    }
    if (current.size < this.offset) {
      // Truncated in place (copytruncate): start over; a partial line from before the truncation is void.
      this.splitter.reset();
      this.offset = 0;
      return true;
    }
    return false;
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = undefined;
        resolve();
      }, this.pollMs);
      this.sleeper = { timer, resolve };
    });
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}
