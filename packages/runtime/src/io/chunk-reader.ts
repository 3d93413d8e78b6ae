// Pulls chunks from a Node Readable in paused mode, one at a time on demand, so a slow consumer stops the reads
// (back-pressure reaches the file or pipe). Shared by the line and JSON-document sources.

import type { Readable } from 'node:stream';

/** Reads a paused Readable chunk by chunk; `close()` makes a pending and every later `next()` resolve null. */
export class ChunkReader {
  private closed = false;
  private wake: (() => void) | undefined;
  private bytes = 0;
  /** Chunks given back, the next one last: a stack, so neither giving back nor taking costs more with its size. */
  private readonly returned: (Buffer | string)[] = [];

  constructor(private readonly input: Readable) {
    // Only a flowing stream needs pausing. Pausing one that never flowed is not harmless: process.stdin stops its
    // handle on the 'pause' event a tick later, cancelling the read we are about to request, and the process exits.
    if (input.readableFlowing === true) input.pause();
  }

  /** Gives chunks back (in their original order) to be returned by the next calls of `next()`, e.g. after a peek. */
  unread(chunks: readonly (Buffer | string)[]): void {
    // Not unshift(...chunks): a spread of many chunks (a pipe can deliver tiny ones) overflows the call stack.
    for (let i = chunks.length - 1; i >= 0; i--) this.returned.push(chunks[i] as Buffer | string);
  }

  /** Bytes (or characters, for a string stream) read so far. */
  get bytesRead(): number {
    return this.bytes;
  }

  /** The next chunk, or null at end of stream or after `close()`; rejects with the stream's error. */
  async next(): Promise<Buffer | string | null> {
    const again = this.returned.pop();
    if (again !== undefined) return again;
    for (;;) {
      if (this.closed) return null;
      const chunk = this.input.read() as Buffer | string | null;
      if (chunk !== null) {
        this.bytes += chunk.length;
        return chunk;
      }
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

  /** Stops reading; the stream itself is left to its owner. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }
}
