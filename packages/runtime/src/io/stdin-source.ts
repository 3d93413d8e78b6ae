// Line source over any Node Readable (spec 05 §7 StdinSource): stdin by default, any stream in tests or embedders.
// Reads in paused mode, pulling a chunk only when the consumer asks for more, so a slow consumer stops the reads.

import type { Readable } from 'node:stream';
import { ChunkReader } from './chunk-reader.js';
import type { EventSource, RawEvent } from './io-types.js';
import { NOOP_ACK } from './io-types.js';
import { LineSplitter } from './line-splitter.js';

/**
 * Reads non-blank lines from a Readable (default `process.stdin`); each line is one RawEvent with a no-op ack
 * and origin `<label>:<line number>` (blank lines count). A byte-order mark before the first line is dropped.
 * `recv()` resolves null at end of input or after `close()`.
 *
 * @example
 * const source = new StdinSource(createReadStream('events.ndjson'), 'events.ndjson');
 * for (let ev = await source.recv(); ev; ev = await source.recv()) console.log(ev.payload);
 */
export class StdinSource implements EventSource {
  private readonly splitter = new LineSplitter();
  private readonly reader: ChunkReader;
  private pending: string[] = [];
  private pendingAt = 0;
  private lineNo = 0;
  private ended = false;
  private closed = false;

  constructor(
    input: Readable | ChunkReader = process.stdin,
    private readonly label = 'stdin',
  ) {
    this.reader = input instanceof ChunkReader ? input : new ChunkReader(input);
  }

  async recv(): Promise<RawEvent | null> {
    const one = await this.recvMany(1);
    return one === null ? null : (one[0] as RawEvent);
  }

  async recvMany(max: number): Promise<RawEvent[] | null> {
    const out: RawEvent[] = [];
    while (out.length === 0) {
      if (this.closed) return null;
      while (this.pendingAt < this.pending.length && out.length < max) {
        const line = this.pending[this.pendingAt++] as string;
        this.lineNo++;
        if (isBlank(line)) continue;
        out.push(new LineEvent(line, this.label, this.lineNo));
      }
      if (out.length > 0 || !(await this.refill())) break;
    }
    return out.length > 0 ? out : null;
  }

  /** Stops reading; a pending `recv()` resolves null. The underlying stream is left to its owner. */
  close(): Promise<void> {
    this.closed = true;
    this.reader.close();
    return Promise.resolve();
  }

  /** Reads until at least one line is pending; false at the end of input. */
  private async refill(): Promise<boolean> {
    while (this.pendingAt >= this.pending.length) {
      if (this.ended || this.closed) return false;
      const chunk = await this.reader.next();
      if (chunk === null) {
        this.ended = true;
        const last = this.splitter.end();
        this.pending = last === undefined ? [] : [last];
      } else {
        this.pending = this.splitter.push(chunk);
      }
      this.pendingAt = 0;
    }
    return true;
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
    return `${this.label}:${this.lineNo}`;
  }
}
