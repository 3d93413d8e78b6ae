// Splits a byte stream into text lines for the line-oriented sources (stdin, files).
// Bounded: a line that never ends is cut at MAX_BUFFERED_LINE_CHARS instead of growing without limit.

import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_BYTES } from '../input/decode-line.js';

/**
 * Longest line kept in memory. Anything longer is already an `oversize` parse failure (1 MiB of UTF-8 is at
 * most 1 Mi UTF-16 units), so keeping one unit more preserves that verdict while bounding the buffer.
 */
const MAX_BUFFERED_LINE_CHARS = MAX_LINE_BYTES + 1;

/** Incremental UTF-8 line splitter: `\n` and `\r\n` end a line; multi-byte characters may span chunks. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  /** Feeds one chunk and returns the lines it completed. */
  push(chunk: Buffer | string): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.partial = cap(parts.pop() ?? '');
    // In place: most lines need neither change, and this runs once per input line.
    for (let i = 0; i < parts.length; i++) {
      const line = parts[i] as string;
      if (line.length > MAX_BUFFERED_LINE_CHARS || line.charCodeAt(line.length - 1) === CR) parts[i] = cap(stripCr(line));
    }
    return parts;
  }

  /** Ends the stream and returns the unterminated last line, if any. */
  end(): string | undefined {
    const rest = stripCr(this.partial + this.decoder.end());
    this.partial = '';
    return rest.length > 0 ? cap(rest) : undefined;
  }

  /** Drops buffered text (used when a followed file is truncated). */
  reset(): void {
    this.partial = '';
    this.decoder.end();
  }
}

const CR = 13;

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function cap(line: string): string {
  return line.length > MAX_BUFFERED_LINE_CHARS ? line.slice(0, MAX_BUFFERED_LINE_CHARS) : line;
}
