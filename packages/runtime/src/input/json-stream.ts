// Splits a JSON text or stream into documents: NDJSON, one top-level array, or concatenated (pretty-printed)
// values, all handled by one validating scanner. It only finds document boundaries and checks the syntax;
// it never builds values, so callers parse each document once (e.g. as a `json` line of a LogProcessor batch).

import { MAX_LINE_BYTES } from './decode-line.js';

/**
 * A document larger than this is reported instead of yielded: the line decoder rejects such a text anyway
 * (spec 05 §4), and the cap bounds the streaming splitter's buffer to one document plus one chunk.
 */
export const MAX_DOCUMENT_BYTES = MAX_LINE_BYTES;

/** One document: its exact source text, or why the text at that place is not a JSON document. */
export type JsonDocument =
  | { ok: true; text: string; /** 1-based line where the document starts. */ line: number }
  | { ok: false; /** 1-based line where the bad document (or stray text) starts. */ line: number; reason: string };

/** Scanner states; the container states say what may come next inside the innermost object or array. */
const enum State {
  Top,
  Value,
  ArrayFirst,
  ObjectFirst,
  Key,
  Colon,
  AfterValue,
  String,
  Number,
  Literal,
  Resync,
}

const OBJECT = 1;
const ARRAY = 2;
const NUMBER_SYNTAX = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Byte count is only needed once a text could exceed the limit at 3 UTF-8 bytes per UTF-16 unit. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * Incremental splitter: `push` text as it arrives and collect the documents it completes, then `end`.
 * A top-level array contributes its elements (each one a document); every other top-level value is a document.
 * After a syntax error it reports one error and resumes at the next line that starts (in column 1) with a
 * character that can begin a JSON value, which recovers both a broken NDJSON line and a broken pretty-printed
 * object; an error inside a top-level array abandons the rest of that array the same way.
 */
export class JsonDocumentSplitter {
  private buf = '';
  private pos = 0;
  private line = 1;
  /** Index in `buf` of the first character of the current line (negative once compaction dropped it). */
  private lineStartIdx = 0;
  private state = State.Top;
  /** True while the current string is an object key, so a colon must follow it. */
  private stringIsKey = false;
  /** Start of the number or literal being scanned, kept so it can be validated once it ends. */
  private tokenStart = -1;
  /** Open objects and arrays, innermost last. */
  private readonly containers: number[] = [];
  /** 1 while inside a top-level array whose elements are the documents, else 0. */
  private docDepth = 0;
  private arrayLine = 0;
  private docStart = -1;
  private docLine = 0;
  private oversize = false;
  private started = false;
  private out: JsonDocument[] = [];

  /** Scans `chunk` and returns the documents (and errors) it completed, in input order. */
  push(chunk: string): JsonDocument[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    // compact() left only the text a pending document or token still needs, with `pos` relative to it.
    this.buf = this.buf.length === 0 ? chunk : this.buf + chunk;
    this.scan();
    this.compact();
    return this.take();
  }

  /** Finishes the input: completes a trailing number or literal and reports anything left unclosed. */
  end(): JsonDocument[] {
    const state = this.state;
    if ((state === State.Number || state === State.Literal) && this.containers.length === this.docDepth) {
      this.finishToken();
    }
    if (this.docStart >= 0 || this.containers.length > this.docDepth) {
      this.report(this.docLine, `unexpected end of input: document starting at line ${this.docLine} is not closed`);
    } else if (this.docDepth > 0) {
      this.report(this.arrayLine, `unexpected end of input: array starting at line ${this.arrayLine} is not closed`);
    }
    this.reset();
    this.buf = '';
    this.pos = 0;
    return this.take();
  }

  private take(): JsonDocument[] {
    const done = this.out;
    this.out = [];
    return done;
  }

  private scan(): void {
    const buf = this.buf;
    const n = buf.length;
    let pos = this.pos;
    while (pos < n) {
      const c = buf.charCodeAt(pos);
      switch (this.state) {
        case State.String: {
          let i = pos;
          let code = c;
          while (code !== 0x22 && code !== 0x5c && code >= 0x20) {
            if (++i >= n) break;
            code = buf.charCodeAt(i);
          }
          if (i >= n) {
            pos = n;
            continue;
          }
          if (code === 0x22) {
            pos = i + 1;
            if (this.stringIsKey) this.state = State.Colon;
            else this.valueDone(pos);
            continue;
          }
          if (code === 0x5c) {
            const escape = this.readEscape(i);
            if (escape === 0) {
              // The escape is cut by the chunk boundary: wait for more input, keeping the backslash.
              this.pos = i;
              return;
            }
            if (escape < 0) {
              pos = this.fail(i, 'invalid escape sequence in string');
              continue;
            }
            pos = i + escape;
            continue;
          }
          pos = this.fail(i, code === 0x0a ? 'unterminated string' : 'control character in string');
          continue;
        }
        case State.Number:
          if ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45) {
            pos++;
            continue;
          }
          this.pos = pos;
          pos = this.finishToken();
          continue;
        case State.Literal:
          if (c >= 0x61 && c <= 0x7a) {
            pos++;
            continue;
          }
          this.pos = pos;
          pos = this.finishToken();
          continue;
        case State.Resync:
          if (pos === this.lineStartIdx && startsValue(c)) {
            this.state = State.Top;
            continue;
          }
          pos = this.skipLine(pos);
          continue;
        default:
          break;
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        pos++;
        continue;
      }
      if (c === 0x0a) {
        pos++;
        this.line++;
        this.lineStartIdx = pos;
        continue;
      }
      pos = this.structural(c, pos);
    }
    this.pos = pos;
  }

  /** Handles a non-blank character outside strings and bare tokens; returns the next position. */
  private structural(c: number, pos: number): number {
    switch (this.state) {
      case State.Top:
      case State.Value:
      case State.ArrayFirst:
      case State.ObjectFirst:
      case State.Key:
        break;
      case State.Colon:
        if (c === 0x3a) {
          this.state = State.Value;
          return pos + 1;
        }
        return this.fail(pos, `expected ":" but found ${describe(c)}`);
      case State.AfterValue: {
        const top = this.containers[this.containers.length - 1];
        if (c === 0x2c) {
          this.state = top === OBJECT ? State.Key : State.Value;
          return pos + 1;
        }
        if ((c === 0x7d && top === OBJECT) || (c === 0x5d && top === ARRAY)) return this.close(pos);
        return this.fail(pos, `expected "," or "${top === OBJECT ? '}' : ']'}" but found ${describe(c)}`);
      }
      default:
        return this.fail(pos, `unexpected ${describe(c)}`);
    }
    const state = this.state;
    if (state === State.ObjectFirst && c === 0x7d) return this.close(pos);
    if (state === State.ArrayFirst && c === 0x5d) return this.close(pos);
    if (state === State.ObjectFirst || state === State.Key) {
      if (c !== 0x22) return this.fail(pos, `expected a string key but found ${describe(c)}`);
      this.state = State.String;
      this.stringIsKey = true;
      return pos + 1;
    }
    if (state === State.Top && c === 0x5b) {
      this.containers.push(ARRAY);
      this.docDepth = 1;
      this.arrayLine = this.line;
      this.state = State.ArrayFirst;
      return pos + 1;
    }
    if (!startsValue(c)) return this.fail(pos, `unexpected ${describe(c)}`);
    if (this.containers.length === this.docDepth) {
      this.docStart = pos;
      this.docLine = this.line;
    }
    if (c === 0x7b || c === 0x5b) {
      this.containers.push(c === 0x7b ? OBJECT : ARRAY);
      this.state = c === 0x7b ? State.ObjectFirst : State.ArrayFirst;
    } else if (c === 0x22) {
      this.state = State.String;
      this.stringIsKey = false;
    } else {
      this.tokenStart = pos;
      this.state = c === 0x2d || (c >= 0x30 && c <= 0x39) ? State.Number : State.Literal;
    }
    return pos + 1;
  }

  /** Closes the innermost container at `pos`; closing the unwrapped top-level array emits nothing. */
  private close(pos: number): number {
    this.containers.pop();
    if (this.containers.length < this.docDepth) {
      this.docDepth = 0;
      this.state = State.Top;
    } else {
      this.valueDone(pos + 1);
    }
    return pos + 1;
  }

  /** Validates the number or literal that ends at `this.pos`; returns where scanning resumes. */
  private finishToken(): number {
    const end = this.pos;
    const token = this.buf.slice(this.tokenStart, end);
    const valid = this.state === State.Number ? NUMBER_SYNTAX.test(token) : token === 'true' || token === 'false' || token === 'null';
    this.tokenStart = -1;
    if (!valid) return this.fail(end, `invalid ${this.state === State.Number ? 'number' : 'literal'} "${token.slice(0, 40)}"`);
    this.valueDone(end);
    return end;
  }

  /** A value ended just before `end`: emit it if it is a whole document, then expect what follows a value. */
  private valueDone(end: number): void {
    if (this.containers.length === this.docDepth) {
      const text = this.oversize ? '' : this.buf.slice(this.docStart, end);
      if (this.oversize || exceedsDocumentLimit(text)) {
        this.report(this.docLine, `document starting at line ${this.docLine} exceeds ${MAX_DOCUMENT_BYTES} bytes`);
      } else {
        this.out.push({ ok: true, text, line: this.docLine });
      }
      this.docStart = -1;
      this.oversize = false;
    }
    this.state = this.containers.length === 0 ? State.Top : State.AfterValue;
  }

  /**
   * Length of the escape at `i` (a backslash): 2, or 6 for `\uXXXX`; 0 when the chunk ends inside it;
   * -1 when it is not a JSON escape.
   */
  private readEscape(i: number): number {
    const buf = this.buf;
    if (i + 1 >= buf.length) return 0;
    const e = buf.charCodeAt(i + 1);
    if (e !== 0x75 /* u */) return '"\\/bfnrt'.includes(buf[i + 1]!) ? 2 : -1;
    if (i + 6 > buf.length) return 0;
    return /^[0-9a-fA-F]{4}$/.test(buf.slice(i + 2, i + 6)) ? 6 : -1;
  }

  /**
   * Reports a syntax error found at `pos` and switches to resynchronisation; returns where scanning resumes.
   * An offending character in column 1 is kept, since it may start the next document.
   */
  private fail(pos: number, what: string): number {
    const column = pos - this.lineStartIdx + 1;
    const inDocument = this.docStart >= 0 || this.oversize;
    const line = inDocument ? this.docLine : this.line;
    const where = line === this.line ? '' : ` in document starting at line ${line}`;
    this.report(line, `${what} at line ${this.line}, column ${column}${where}`);
    this.reset();
    this.state = State.Resync;
    return pos === this.lineStartIdx ? pos : this.skipLine(pos);
  }

  /** Advances past the next newline (counting it), or to the end of the buffer. */
  private skipLine(pos: number): number {
    const nl = this.buf.indexOf('\n', pos);
    if (nl < 0) return this.buf.length;
    this.line++;
    this.lineStartIdx = nl + 1;
    return nl + 1;
  }

  private report(line: number, reason: string): void {
    this.out.push({ ok: false, line, reason });
  }

  private reset(): void {
    this.containers.length = 0;
    this.docDepth = 0;
    this.docStart = -1;
    this.tokenStart = -1;
    this.oversize = false;
    this.state = State.Top;
  }

  /**
   * Drops scanned text that no pending document needs. A document that has outgrown the limit stops being
   * buffered (it is still scanned to find its end, then reported), which bounds memory.
   */
  private compact(): void {
    if (this.docStart >= 0 && !this.oversize && this.pos - this.docStart > MAX_DOCUMENT_BYTES) this.oversize = true;
    let keep = this.pos;
    if (this.docStart >= 0 && !this.oversize) keep = Math.min(keep, this.docStart);
    if (this.tokenStart >= 0) keep = Math.min(keep, this.tokenStart);
    if (keep === 0) return;
    this.buf = this.buf.slice(keep);
    this.pos -= keep;
    this.lineStartIdx -= keep;
    if (this.docStart >= 0) this.docStart = this.oversize ? 0 : this.docStart - keep;
    if (this.tokenStart >= 0) this.tokenStart -= keep;
  }
}

/**
 * Splits a whole JSON text into documents (NDJSON, a top-level array, or concatenated values).
 *
 * @example splitJsonDocuments('[{"a":1},\n {"b":2}]') // → [{ok:true, text:'{"a":1}', line:1}, {ok:true, text:'{"b":2}', line:2}]
 */
export function splitJsonDocuments(text: string): JsonDocument[] {
  const splitter = new JsonDocumentSplitter();
  return [...splitter.push(text), ...splitter.end()];
}

/**
 * Streams documents out of chunks of text or UTF-8 bytes (a Node `Readable` such as `process.stdin` or a file
 * stream qualifies). Chunks are consecutive slices of the text, not lines: a line reader must give the newlines
 * back, since line numbers and error recovery depend on them. Memory stays bounded by one document plus one chunk.
 *
 * @example for await (const doc of readJsonDocuments(createReadStream('events.json'))) if (doc.ok) handle(doc.text);
 */
export async function* readJsonDocuments(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<JsonDocument> {
  const splitter = new JsonDocumentSplitter();
  // TextDecoder keeps a multi-byte character cut by a chunk boundary until the next chunk; it also drops a BOM.
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* splitter.push(text);
  }
  const tail = decoder.decode();
  if (tail !== '') yield* splitter.push(tail);
  yield* splitter.end();
}

/** Characters that can begin a JSON value: `{ [ "`, `-`, digits, and the first letters of true/false/null. */
function startsValue(c: number): boolean {
  return c === 0x7b || c === 0x5b || c === 0x22 || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}

function exceedsDocumentLimit(text: string): boolean {
  if (text.length * MAX_UTF8_BYTES_PER_UNIT <= MAX_DOCUMENT_BYTES) return false;
  return text.length > MAX_DOCUMENT_BYTES || Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES;
}

function describe(c: number): string {
  return `"${String.fromCharCode(c)}"`;
}
