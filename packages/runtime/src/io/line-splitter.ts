// Splits a byte stream into text lines for the line-oriented sources (stdin, files).
// Bounded: a line that never ends is cut at MAX_BUFFERED_LINE_CHARS instead of growing without limit.

import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_BYTES } from '../input/decode-line.js';

/**
 * Longest line kept in memory. Anything longer is already an `oversize` parse failure (1 MiB of UTF-8 is at
 * most 1 Mi UTF-16 units), so keeping one unit more preserves that verdict while bounding the buffer.
 */
const MAX_BUFFERED_LINE_CHARS = MAX_LINE_BYTES + 1;

/**
 * Incremental UTF-8 line splitter: `\n` and `\r\n` end a line; multi-byte characters may span chunks; a byte-order
 * mark at the start of the stream is dropped (it would hide the first record from every decoder).
 * Work is linear in the input however it is chunked: the unfinished line is kept as pieces and joined once, when
 * its newline arrives, rather than re-joined to every chunk (a long line written into a pipe a few bytes at a time
 * would otherwise cost its length once per chunk).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  /** The unfinished last line, in pieces; pieces stop being kept once it is too long to be a valid line. */
  private partial: string[] = [];
  private partialLength = 0;
  /** False until the stream's first character, which is dropped when it is a byte-order mark. */
  private started = false;
  private scanned = 0;

  /** Feeds one chunk and returns the lines it completed. */
  push(chunk: Buffer | string): string[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    this.scanned += text.length;
    if (!text.includes('\n')) {
      this.keep(text);
      return [];
    }
    const joined = this.partial.length === 0 ? text : this.takePartial() + text;
    if (joined !== text) this.scanned += joined.length;
    const parts = joined.split('\n');
    this.keep(parts.pop() ?? '');
    // In place: most lines need neither change, and this runs once per input line.
    for (let i = 0; i < parts.length; i++) {
      const line = parts[i] as string;
      if (line.length > MAX_BUFFERED_LINE_CHARS || line.charCodeAt(line.length - 1) === CR) parts[i] = cap(stripCr(line));
    }
    return parts;
  }

  /** Ends the stream and returns the unterminated last line, if any; the next push starts a new stream. */
  end(): string | undefined {
    const rest = stripCr(this.takePartial() + this.decoder.end());
    this.started = false;
    return rest.length > 0 ? cap(rest) : undefined;
  }

  /** Drops buffered text (used when a followed file is truncated): the next push starts a new stream. */
  reset(): void {
    this.takePartial();
    this.decoder.end();
    this.started = false;
  }

  /** Characters looked at or copied so far; internal, for tests that check the work is linear in the input. */
  get charsScanned(): number {
    return this.scanned;
  }

  /** Adds text to the unfinished line; past the line limit only the verdict matters, so nothing more is kept. */
  private keep(text: string): void {
    if (text.length === 0 || this.partialLength > MAX_BUFFERED_LINE_CHARS) return;
    this.partial.push(text);
    this.partialLength += text.length;
  }

  private takePartial(): string {
    const pieces = this.partial;
    if (pieces.length === 0) return '';
    this.partial = [];
    this.partialLength = 0;
    return pieces.length === 1 ? (pieces[0] as string) : pieces.join('');
  }
}

const CR = 13;
const BOM = 0xfeff;

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function cap(line: string): string {
  return line.length > MAX_BUFFERED_LINE_CHARS ? line.slice(0, MAX_BUFFERED_LINE_CHARS) : line;
}
