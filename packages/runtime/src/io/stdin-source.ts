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
    for (;;) {
      if (this.closed) return null;
      const line = this.pending.shift();
      if (line !== undefined) {
        this.lineNo++;
        if (line.trim().length === 0) continue;
        return { payload: line, ackToken: NOOP_ACK, origin: `${this.label}#${this.lineNo}` };
      }
      if (this.ended) return null;
      const chunk = await this.readChunk();
      if (chunk === null) {
        this.ended = true;
        const last = this.splitter.end();
        if (last !== undefined) this.pending.push(last);
      } else {
        this.pending = this.splitter.push(chunk);
      }
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
