// Splits a JSON text or stream into documents: NDJSON, one top-level array, or concatenated (pretty-printed)
// values, all handled by one validating scanner. It only finds document boundaries and checks the syntax;
// it never builds values, so callers parse each document once (e.g. as a `json` line of a LogProcessor batch).

import { MAX_LINE_BYTES } from './decode-line.js';
import { MAX_EVENT_DEPTH } from './event-depth.js';

/**
 * A document larger than this is reported instead of yielded: the line decoder rejects such a text anyway
 * (spec 05 §4), and the cap bounds the streaming splitter's buffer to one document plus one chunk.
 */
export const MAX_DOCUMENT_BYTES = MAX_LINE_BYTES;

/**
 * One document: its exact source text, or why the text at that place is not a JSON document (a syntax error, a
 * document above MAX_DOCUMENT_BYTES, or one nested deeper than MAX_EVENT_DEPTH).
 */
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

/** Record layouts: one line (NDJSON), pretty-printed with indentation, or pretty-printed flat (`indent=0`). */
const enum Shape {
  Undecided,
  OneLine,
  Pretty,
  Flat,
}

const OBJECT = 1;
const ARRAY = 2;
const NUMBER_SYNTAX = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Byte count is only needed once a text could exceed the limit at 3 UTF-8 bytes per UTF-16 unit. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * Incremental splitter: `push` text as it arrives and collect the documents it completes, then `end`.
 * A top-level array contributes its elements (each one a document); every other top-level value is a document.
 *
 * Records and recovery. The documents are *records* (inside a top-level array, its elements). Producers that write
 * records line by line start each one on a new line, in the column where the records before it started (column 1
 * for NDJSON and for concatenated pretty-printed objects); pretty-printers end a record's first line right after
 * its opening bracket and indent everything nested in it to the right of that column, except its closing bracket.
 * So while a record that began in column C is open, a line whose first character is in column C or further left
 * ends it when the record was written on one line (its first line went on after the opening bracket): the record
 * was cut short and is reported, and the line is read as something new, the next record or garbage reported on
 * its own. This is what keeps a line cut after `"key":` from swallowing the next record as its value. In a
 * pretty-printed record, such a line is its closing bracket (nothing special), or starts the next record with
 * `{` or `[` (the open one is reported), or, starting with anything else, marks unindented (flat) printing, such
 * as Python's `indent=0`, which puts keys and nested array elements in column 1 too: in a flat record only a `{`
 * or `[` in place of a member value (after `"key":`, where no printer starts a line) starts the next record.
 * After a syntax error the rest of the broken record is skipped: a record written on one line up to the next line
 * that opens in column C or further left, whatever it holds; a pretty-printed record up to a line starting with
 * `{` or `[` that far left, or inside a top-level array with its closing `]` (a line starting with a string may as
 * well be one of its keys). After an error outside every record, scanning goes on at the next line. Inside a
 * top-level array that began in column A, a `{` or `[` in column A or further left where the array's `,` or `]`
 * was due starts a record after the array, which was cut short.
 * Nothing is re-scanned: recovery only moves forward, so the work stays linear in the input.
 */
export class JsonDocumentSplitter {
  /**
   * The text being scanned: the latest chunk, preceded only by the few characters of an escape that the previous
   * chunk cut. Text scanned earlier is never re-joined to it (that would copy a long pending document once per
   * chunk); a pending document keeps its earlier text in `docHead`, a pending number or literal in `tokenHead`.
   */
  private buf = '';
  private pos = 0;
  private line = 1;
  /** Index in `buf` of the first character of the current line (negative when the line began in an earlier chunk). */
  private lineStartIdx = 0;
  /** True until the current line shows a character other than a blank. */
  private atLineStart = true;
  /** Index in `buf` of the current line's first non-blank character, once seen. */
  private lineFirstIdx = -1;
  private state = State.Top;
  /** True while the current string is an object key, so a colon must follow it. */
  private stringIsKey = false;
  /** Start in `buf` of the number or literal being scanned, kept so it can be validated once it ends. */
  private tokenStart = -1;
  /** The part of that token that arrived in earlier chunks. */
  private tokenHead = '';
  /** Open objects and arrays, innermost last. */
  private readonly containers: number[] = [];
  /** 1 while inside a top-level array whose elements are the documents, else 0. */
  private docDepth = 0;
  private arrayLine = 0;
  private arrayColumn = 0;
  /** Start in `buf` of the pending document's text (0 when it began in an earlier chunk); -1 when none is pending. */
  private docStart = -1;
  /** The pending document's text from earlier chunks, and its length. */
  private docHead: string[] = [];
  private docHeadLength = 0;
  private docLine = 0;
  /** Column where the pending (or the last) record began: lines starting at or left of it start records. */
  private docColumn = 0;
  /** How the pending record is laid out, decided at its second line (see the class comment); Undecided between records. */
  private shape = Shape.Undecided;
  /**
   * Lines opening left of this (0-based) column go through `lineOpening`: none between records, all of a record's
   * second line (its layout is decided there), then those at or left of the record's column.
   */
  private watchColumn = 0;
  private oversize = false;
  /** After an error, the column at or left of which a line opening can end the skipping. */
  private resumeColumn = Infinity;
  /** After an error, whether any line opening that far left ends the skipping, not only a bracket. */
  private resumeAnyLine = true;
  private started = false;
  private out: JsonDocument[] = [];
  /**
   * Characters handed to the scanning loop, plus those copied to join a chunk to the text before it: a measure of
   * work that tests compare with the input size (a clock would make them flaky). The loop only moves forward (no
   * rewinds, see the class comment), so this counts each character once, and again only when a chunk boundary
   * cut an escape and its few characters are carried over to the next chunk.
   */
  private scanned = 0;

  /** Scans `chunk` and returns the documents (and errors) it completed, in input order. */
  push(chunk: string): JsonDocument[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.buf.length === 0) {
      this.buf = chunk;
    } else {
      this.scanned += this.buf.length; // copied once more, with the chunk
      this.buf += chunk;
    }
    this.scan();
    this.carryOver();
    return this.take();
  }

  /** Finishes the input: completes a trailing number or literal and reports anything left unclosed. */
  end(): JsonDocument[] {
    const state = this.state;
    if ((state === State.Number || state === State.Literal) && this.containers.length === this.docDepth) {
      this.finishToken();
    }
    if (this.state === State.Resync) {
      // The broken record was reported when it broke; an array it was in is part of the same damage.
    } else if (this.docStart >= 0 || this.containers.length > this.docDepth) {
      this.report(this.docLine, `unexpected end of input: document starting at line ${this.docLine} is not closed`);
    } else if (this.docDepth > 0) {
      this.report(this.arrayLine, `unexpected end of input: array starting at line ${this.arrayLine} is not closed`);
    }
    this.containers.length = 0;
    this.docDepth = 0;
    this.clearRecord();
    this.state = State.Top;
    this.buf = '';
    this.pos = 0;
    return this.take();
  }

  /** The work done so far, in characters (see `scanned`); internal, for linearity tests. */
  get charsScanned(): number {
    return this.scanned;
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
    const from = pos;
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
              this.scanned += i - from;
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
          pos = this.resync(c, pos);
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
        this.atLineStart = true;
        continue;
      }
      if (this.atLineStart) {
        this.atLineStart = false;
        this.lineFirstIdx = pos;
        // Most lines of a pretty-printed record are indented past its column: there is nothing to decide there.
        if (pos - this.lineStartIdx < this.watchColumn) {
          pos = this.lineOpening(c, pos);
          continue;
        }
      }
      pos = this.structural(c, pos);
    }
    this.pos = pos;
    this.scanned += n - from;
  }

  /**
   * The first non-blank character of a line inside a record, when it may end the record (see the class comment):
   * the line opens at or left of the record's column, or the record's layout is still to be decided.
   * Returns the next position, like `structural`.
   */
  private lineOpening(c: number, pos: number): number {
    const state = this.state;
    if (this.shape === Shape.Undecided) {
      const bracketOnly = (state === State.ObjectFirst || state === State.ArrayFirst) && this.containers.length === this.docDepth + 1;
      this.shape = bracketOnly ? Shape.Pretty : Shape.OneLine;
      this.watchColumn = this.docColumn;
    }
    if (pos - this.lineStartIdx >= this.docColumn) return this.structural(c, pos);
    if (this.shape === Shape.OneLine) return this.abandonRecord(pos);
    if (c === 0x7b || c === 0x5b) {
      // Where a bracket is a syntax error anyway, the error is reported and recovery resumes right here.
      const valueExpected = state === State.Value || state === State.ArrayFirst;
      const memberValue = state === State.Value && this.containers[this.containers.length - 1] === OBJECT;
      if (valueExpected && (this.shape !== Shape.Flat || memberValue)) return this.abandonRecord(pos);
    } else if (c !== 0x7d && c !== 0x5d) {
      this.shape = Shape.Flat;
    }
    return this.structural(c, pos);
  }

  /**
   * Reports the open record as cut short by the line at `pos`, and goes on there as between records: returns `pos`,
   * whose character is scanned again (no longer as the opening of its line).
   */
  private abandonRecord(pos: number): number {
    this.report(this.docLine, `document starting at line ${this.docLine} is not closed before line ${this.line}`);
    this.containers.length = this.docDepth;
    this.clearRecord();
    this.state = this.docDepth > 0 ? State.ArrayFirst : State.Top;
    return pos;
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
        if (this.containers.length === this.docDepth && this.opensRecordAfterArray(c, pos)) return pos;
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
      this.arrayColumn = pos - this.lineStartIdx + 1;
      this.state = State.ArrayFirst;
      return pos + 1;
    }
    if (!startsValue(c)) return this.fail(pos, `unexpected ${describe(c)}`);
    if (this.containers.length === this.docDepth) {
      this.docStart = pos;
      this.docLine = this.line;
      this.docColumn = pos - this.lineStartIdx + 1;
      this.watchColumn = Infinity;
    }
    if (c === 0x7b || c === 0x5b) {
      // Checked here, where it costs one comparison per bracket, so nothing deeper reaches JSON.parse's callers.
      if (this.containers.length - this.docDepth >= MAX_EVENT_DEPTH)
        return this.fail(pos, `JSON nested deeper than ${MAX_EVENT_DEPTH} levels`);
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

  /**
   * True when `c` at `pos`, found where the top-level array's `,` or `]` was due, opens a record on a new line as far
   * left as the array itself: the array was cut off. It is reported, and scanning goes on at `pos` outside it.
   */
  private opensRecordAfterArray(c: number, pos: number): boolean {
    if ((c !== 0x7b && c !== 0x5b) || pos !== this.lineFirstIdx || pos - this.lineStartIdx >= this.arrayColumn) return false;
    this.report(this.arrayLine, `array starting at line ${this.arrayLine} is not closed before line ${this.line}`);
    this.containers.length = 0;
    this.docDepth = 0;
    this.state = State.Top;
    return true;
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
    // A token longer than the document limit was not kept (its document is reported as oversize anyway).
    const token = this.oversize ? '' : this.tokenHead + this.buf.slice(this.tokenStart, end);
    const valid =
      this.oversize ||
      (this.state === State.Number ? NUMBER_SYNTAX.test(token) : token === 'true' || token === 'false' || token === 'null');
    this.tokenStart = -1;
    this.tokenHead = '';
    if (!valid) return this.fail(end, `invalid ${this.state === State.Number ? 'number' : 'literal'} "${token.slice(0, 40)}"`);
    this.valueDone(end);
    return end;
  }

  /** A value ended just before `end`: emit it if it is a whole document, then expect what follows a value. */
  private valueDone(end: number): void {
    if (this.containers.length === this.docDepth) {
      const tail = this.oversize ? '' : this.buf.slice(this.docStart, end);
      const text = this.docHead.length === 0 ? tail : this.docHead.join('') + tail;
      if (this.oversize || exceedsDocumentLimit(text)) {
        this.report(this.docLine, `document starting at line ${this.docLine} exceeds ${MAX_DOCUMENT_BYTES} bytes`);
      } else {
        this.out.push({ ok: true, text, line: this.docLine });
      }
      this.clearRecord();
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
   * Reports a syntax error found at `pos` and skips the rest of the broken record (see the class comment); returns
   * where scanning resumes. An offending character that opens its line is looked at again: it may start a record.
   */
  private fail(pos: number, what: string): number {
    const column = pos - this.lineStartIdx + 1;
    const inRecord = this.docStart >= 0 || this.oversize || this.containers.length > this.docDepth;
    const line = inRecord ? this.docLine : this.line;
    const where = line === this.line ? '' : ` in document starting at line ${line}`;
    this.report(line, `${what} at line ${this.line}, column ${column}${where}`);
    this.resumeColumn = inRecord ? this.docColumn : Infinity;
    // Stray text between records, or a record written on one line, ends with its line: what follows is new.
    this.resumeAnyLine = !inRecord || this.shape === Shape.OneLine || this.shape === Shape.Undecided;
    // Inside a top-level array the records are its elements, so the array stays open around the broken one.
    this.containers.length = this.docDepth;
    this.clearRecord();
    this.state = State.Resync;
    // Only a record start can be resumed at where it failed; anything else there would fail again.
    const c = this.buf.charCodeAt(pos);
    this.atLineStart = pos === this.lineFirstIdx && (c === 0x7b || c === 0x5b || (c === 0x5d && this.docDepth > 0));
    return pos;
  }

  /** One step of skipping a broken record: returns the next position, or `pos` itself once a record starts there. */
  private resync(c: number, pos: number): number {
    if (!this.atLineStart) return this.skipLine(pos);
    if (c === 0x20 || c === 0x09 || c === 0x0d) return pos + 1;
    if (c === 0x0a) {
      this.line++;
      this.lineStartIdx = pos + 1;
      return pos + 1;
    }
    const column = pos - this.lineStartIdx + 1;
    if (column <= this.resumeColumn && (this.resumeAnyLine || c === 0x7b || c === 0x5b || (c === 0x5d && this.docDepth > 0))) {
      // Scanning goes on at this character, as the opening of its line (`atLineStart` is still set).
      this.state = this.docDepth > 0 ? State.ArrayFirst : State.Top;
      return pos;
    }
    this.atLineStart = false;
    return this.skipLine(pos);
  }

  /** Advances past the next newline (counting it), or to the end of the buffer. */
  private skipLine(pos: number): number {
    const nl = this.buf.indexOf('\n', pos);
    if (nl < 0) return this.buf.length;
    this.line++;
    this.lineStartIdx = nl + 1;
    this.atLineStart = true;
    return nl + 1;
  }

  private report(line: number, reason: string): void {
    this.out.push({ ok: false, line, reason });
  }

  /** Forgets the pending record's text, token and layout. */
  private clearRecord(): void {
    this.docStart = -1;
    this.shape = Shape.Undecided;
    this.watchColumn = 0;
    if (this.docHead.length > 0) this.docHead = [];
    this.docHeadLength = 0;
    this.tokenStart = -1;
    this.tokenHead = '';
    this.oversize = false;
  }

  /**
   * Moves what a pending document or token still needs out of `buf` before the next chunk arrives, and keeps in
   * `buf` only what was not scanned (an escape cut by the chunk boundary). A document that outgrows the limit
   * stops being kept (it is still scanned to find its end, then reported), which bounds memory.
   */
  private carryOver(): void {
    const pos = this.pos;
    const buf = this.buf;
    if (this.docStart >= 0) {
      if (!this.oversize) {
        this.docHeadLength += pos - this.docStart;
        if (this.docHeadLength > MAX_DOCUMENT_BYTES) {
          this.oversize = true;
          this.docHead = [];
          this.tokenHead = '';
        } else {
          this.docHead.push(buf.slice(this.docStart, pos));
        }
      }
      this.docStart = 0;
    }
    if (this.tokenStart >= 0) {
      if (!this.oversize) this.tokenHead += buf.slice(this.tokenStart, pos);
      this.tokenStart = 0;
    }
    this.lineStartIdx -= pos;
    this.lineFirstIdx -= pos;
    this.buf = pos === buf.length ? '' : buf.slice(pos);
    this.pos = 0;
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
