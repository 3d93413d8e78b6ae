// Line source over any Node Readable (spec 05 §7 StdinSource): stdin by default, any stream in tests or embedders.
// Reads in paused mode, pulling a chunk only when the consumer asks for more, so a slow consumer stops the reads.

import type { Readable } from 'node:stream';
import type { EventSource, RawEvent } from './io-types.js';
import { NOOP_ACK } from './io-types.js';
import { LineSplitter } from './line-splitter.js';

/**
 * Reads non-blank lines from a Readable (default `process.stdin`); each line is one RawEvent with a no-op ack
 * and origin `<label>#<line number>`. `recv()` resolves null at end of input or after `close()`.
 *
 * @example
 * const source = new StdinSource(createReadStream('events.ndjson'), 'events.ndjson');
 * for (let ev = await source.recv(); ev; ev = await source.recv()) console.log(ev.payload);
 */
export class StdinSource implements EventSource {
  private readonly splitter = new LineSplitter();
  private pending: string[] = [];
  /** Index of the next unread line in `pending` (an index, not shift(), which is linear in the array size). */
  private next = 0;
  private lineNo = 0;
  private ended = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly input: Readable = process.stdin,
    private readonly label = 'stdin',
  ) {
    input.pause();
  }

  async recv(): Promise<RawEvent | null> {
    const events = await this.recvMany(1);
    return events === null ? null : (events[0] as RawEvent);
  }

  /** Up to `max` events from what is already read, reading one more chunk only when none is left. */
  async recvMany(max: number): Promise<RawEvent[] | null> {
    for (;;) {
      if (this.closed) return null;
      const out: RawEvent[] = [];
      while (this.next < this.pending.length && out.length < max) {
        const line = this.pending[this.next++] as string;
        this.lineNo++;
        if (isBlank(line)) continue;
        out.push(new LineEvent(line, this.label, this.lineNo));
      }
      if (out.length > 0) return out;
      if (this.ended) return null;
      const chunk = await this.readChunk();
      if (chunk === null) {
        this.ended = true;
        const last = this.splitter.end();
        this.pending = last === undefined ? [] : [last];
      } else {
        this.pending = this.splitter.push(chunk);
      }
      this.next = 0;
    }
  }

  /** Stops reading; a pending `recv()` resolves null. The underlying stream is left to its owner. */
  close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    return Promise.resolve();
  }

  /** The next chunk, or null at end of stream / on close; waits for `readable` instead of flowing. */
  private async readChunk(): Promise<Buffer | string | null> {
    for (;;) {
      if (this.closed) return null;
      const chunk = this.input.read() as Buffer | string | null;
      if (chunk !== null) return chunk;
      if (this.input.readableEnded || this.input.destroyed) {
        const error = this.input.errored;
        if (error) throw error;
        return null;
      }
      await new Promise<void>((resolve, reject) => {
        const done = (): void => {
          this.input.off('readable', done);
          this.input.off('end', done);
          this.input.off('close', done);
          this.input.off('error', fail);
          this.wake = undefined;
          resolve();
        };
        const fail = (err: Error): void => {
          done();
          reject(err);
        };
        this.wake = done;
        this.input.on('readable', done);
        this.input.on('end', done);
        this.input.on('close', done);
        this.input.on('error', fail);
      });
    }
  }
}

/** True for an empty or whitespace-only line; checks the first character before paying for a trim. */
function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  const c = line.charCodeAt(0);
  // Not whitespace (space, tab, CR, LF, VT, FF, NBSP, BOM): the common case of a line that starts with data.
  if (c > 32 && c !== 0xa0 && c !== 0xfeff) return false;
  return line.trim().length === 0;
}

/**
 * A line read from the stream. `origin` is built on first access: it is needed only for dead letters, and
 * formatting it for every line costs a string per event on the hot path.
 */
class LineEvent implements RawEvent {
  readonly ackToken = NOOP_ACK;
  constructor(
    readonly payload: string,
    private readonly label: string,
    private readonly lineNo: number,
  ) {}
  get origin(): string {
    return `${this.label}#${this.lineNo}`;
  }
}
