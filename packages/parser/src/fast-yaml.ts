// A fast reader for the block-style YAML subset that Sigma rules are written in (block mappings and
// sequences, plain scalars (also over several lines), single-line quoted scalars, `|` / `|-` literal
// blocks, comments, `---`).
// It builds the same trees as the `yaml` library path and gives up (returns undefined) on anything
// else, including every construct that would be a syntax error, so the library stays the authority.

import { MAX_TREE_DEPTH, type TreeEntry, type TreeMap, type TreeNode, type TreeScalar, type TreeSeq } from './yaml-tree.js';

/** Thrown internally when the input leaves the supported subset; never escapes this module. */
class Unsupported extends Error {
  override readonly name = 'Unsupported';
}

const UNSUPPORTED = new Unsupported('outside the fast YAML subset');

/** Characters that cannot start a plain scalar or plain key in this subset. */
const INDICATORS = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

const DOUBLE_QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPE_LENGTHS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

const INT_RE = /^[-+]?[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const OCT_RE = /^0o[0-7]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const SPECIAL_FLOAT_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const NULL_RE = /^(?:~|[Nn]ull|NULL)$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;

interface Line {
  /** Offset of the line's first character. */
  lineStart: number;
  /** Offset of the first non-space character (may be moved right for `- item` content). */
  start: number;
  /** Offset of the line break (or the end of the text). */
  end: number;
  indent: number;
  /** Blank or comment-only. */
  blank: boolean;
}

/**
 * Reads every document of `text` if it stays inside the subset; `null` marks an empty document.
 * Returns `undefined` when the `yaml` library must handle the text.
 */
export function readFastYaml(text: string): (TreeNode | null)[] | undefined {
  // Tabs, CR line ends and byte order marks have subtle YAML rules: the library handles them.
  if (hasTabOutsideCommentLines(text) || text.includes('\r') || text.includes('\uFEFF')) return undefined;
  try {
    return new FastReader(text).documents();
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

class FastReader {
  private readonly lines: Line[] = [];
  private pos = 0;
  private segmentEnd = 0;
  private depth = 0;
  /** The key text of the line `colonOf` last read. */
  private key = '';
  /** The value of the quoted scalar last read. */
  private quoted = '';
  private readonly spaceHash: NextOccurrence;
  private readonly colonSpace: NextOccurrence;

  constructor(private readonly text: string) {
    this.spaceHash = new NextOccurrence(text, ' #');
    this.colonSpace = new NextOccurrence(text, ': ');
    let start = 0;
    const n = text.length;
    while (start <= n) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      let first = start;
      while (first < end && text.charCodeAt(first) === 32) first++;
      const blank = first === end || text.charCodeAt(first) === 35; /* # */
      this.lines.push({ lineStart: start, start: first, end, indent: first - start, blank });
      start = end + 1;
    }
  }

  documents(): (TreeNode | null)[] {
    const docs: (TreeNode | null)[] = [];
    let segmentStart = 0;
    let segment = 0;
    for (let i = 0; i <= this.lines.length; i++) {
      const line = this.lines[i];
      if (line !== undefined && !this.isMarker(line)) continue;
      // Comments before the first `---` do not open a document; every `---` does.
      if (segment > 0 || this.hasContent(segmentStart, i)) docs.push(this.readDocument(segmentStart, i));
      segment++;
      segmentStart = i + 1;
    }
    return docs;
  }

  private hasContent(from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (!(this.lines[i] as Line).blank) return true;
    return false;
  }

  private isMarker(line: Line): boolean {
    const t = this.text;
    if (line.indent !== 0) return false;
    if (t.startsWith('...', line.lineStart) || t.charCodeAt(line.lineStart) === 37 /* % */) throw UNSUPPORTED;
    if (!t.startsWith('---', line.lineStart)) return false;
    const after = line.lineStart + 3;
    if (after === line.end) return true;
    if (t.charCodeAt(after) !== 32) return false;
    let p = after;
    while (p < line.end && t.charCodeAt(p) === 32) p++;
    if (p === line.end || t.charCodeAt(p) === 35) return true;
    throw UNSUPPORTED; // content on the marker line
  }

  private readDocument(from: number, to: number): TreeNode | null {
    this.pos = from;
    this.segmentEnd = to;
    const first = this.peek();
    if (first === undefined) {
      // An empty document after `---` is a null scalar placed after the marker, as the library does.
      const marker = this.lines[from - 1];
      if (marker === undefined) return null;
      let p = marker.lineStart + 3;
      while (p < marker.end && this.text.charCodeAt(p) === 32) p++;
      return nullScalar(p);
    }
    const node = this.readNode(-1, first);
    if (this.peek() !== undefined) throw UNSUPPORTED;
    return node;
  }

  /** The next non-blank line of the current document, without consuming it. */
  private peek(): Line | undefined {
    while (this.pos < this.segmentEnd) {
      const line = this.lines[this.pos] as Line;
      if (!line.blank) return line;
      this.pos++;
    }
    return undefined;
  }

  private readNode(parentIndent: number, line: Line): TreeNode {
    // Deep nesting is left to the library path, which reports it instead of exhausting the stack.
    if (++this.depth > MAX_TREE_DEPTH) throw UNSUPPORTED;
    let node: TreeNode;
    if (this.isSeqItem(line)) node = this.readSeq(line.indent);
    else if (this.colonOf(line) >= 0) node = this.readMap(line.indent);
    else node = this.readInlineValue(line, line.start, parentIndent);
    this.depth--;
    return node;
  }

  private isSeqItem(line: Line): boolean {
    const t = this.text;
    if (t.charCodeAt(line.start) !== 45 /* - */) return false;
    const next = line.start + 1;
    return next === line.end || t.charCodeAt(next) === 32;
  }

  private readSeq(indent: number): TreeSeq {
    const items: TreeNode[] = [];
    const first = this.peek() as Line;
    const seq: TreeSeq = { kind: 'seq', items, start: first.start };
    for (let line = this.peek(); line !== undefined && line.indent === indent && this.isSeqItem(line); line = this.peek()) {
      let p = line.start + 1;
      while (p < line.end && this.text.charCodeAt(p) === 32) p++;
      if (p === line.end || this.text.charCodeAt(p) === 35) {
        this.pos++;
        const next = this.peek();
        items.push(next !== undefined && next.indent > indent ? this.readNode(indent, next) : nullScalar(p));
      } else {
        // Content after `- ` is read as if it started a line at its own column.
        line.indent = p - line.lineStart;
        line.start = p;
        items.push(this.readNode(indent, line));
      }
    }
    const after = this.peek();
    if (after !== undefined && after.indent > indent) throw UNSUPPORTED;
    return seq;
  }

  private readMap(indent: number): TreeMap {
    const entries: TreeEntry[] = [];
    const first = this.peek() as Line;
    const map: TreeMap = { kind: 'map', entries, start: first.start };
    // Rule mappings hold a handful of keys: a scan finds duplicates without a Set per mapping.
    let seen: Set<string> | undefined;
    for (let line = this.peek(); line !== undefined && line.indent === indent; line = this.peek()) {
      const colon = this.colonOf(line);
      if (colon < 0) throw UNSUPPORTED;
      const key = this.key;
      // Duplicates are reported by the library path, which knows how to locate them.
      if (entries.length < 16) {
        for (let k = 0; k < entries.length; k++) if ((entries[k] as TreeEntry).key === key) throw UNSUPPORTED;
      } else {
        seen ??= new Set(entries.map((e) => e.key));
        if (seen.has(key)) throw UNSUPPORTED;
        seen.add(key);
      }
      let p = colon + 1;
      while (p < line.end && this.text.charCodeAt(p) === 32) p++;
      let value: TreeNode;
      if (p === line.end || this.text.charCodeAt(p) === 35) {
        this.pos++;
        const next = this.peek();
        if (next !== undefined && next.indent > indent) value = this.readNode(indent, next);
        else if (next !== undefined && next.indent === indent && this.isSeqItem(next)) value = this.readSeq(indent);
        else value = nullScalar(p);
      } else {
        value = this.readInlineValue(line, p, indent);
      }
      entries.push({ key, keyStart: line.start, value });
    }
    const after = this.peek();
    if (after !== undefined && after.indent > indent) throw UNSUPPORTED;
    return map;
  }

  /**
   * For a `key: ...` line, the offset of its colon, with the key text left in `key`; -1 when the line is
   * no key. (A field instead of a returned pair: this runs once per line of every rule.)
   */
  private colonOf(line: Line): number {
    const t = this.text;
    const c = t.charCodeAt(line.start);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const close = c === 34 ? this.doubleQuoted(line, line.start) : this.singleQuoted(line, line.start);
      let p = close;
      while (p < line.end && t.charCodeAt(p) === 32) p++;
      if (t.charCodeAt(p) !== 58 /* : */) return -1;
      const after = p + 1;
      if (after !== line.end && t.charCodeAt(after) !== 32) return -1;
      this.key = this.quoted;
      return p;
    }
    if (this.startsIndicator(line.start)) return -1;
    const comment = this.commentStart(line.start, line.end);
    const colon = this.mappingColon(line.start, comment, line.end);
    if (colon < 0) return -1;
    let keyEnd = colon;
    while (keyEnd > line.start && t.charCodeAt(keyEnd - 1) === 32) keyEnd--;
    this.key = t.slice(line.start, keyEnd);
    return colon;
  }

  /** Offset of the `#` opening a comment (one after a space) in `text[from, end)`, or `end`. */
  private commentStart(from: number, end: number): number {
    const space = this.spaceHash.find(from);
    return space >= 0 && space + 1 < end ? space + 1 : end;
  }

  /** Offset of the first `:` in `text[from, stop)` followed by a space or ending the line (`end`), or -1. */
  private mappingColon(from: number, stop: number, end: number): number {
    const colon = this.colonSpace.find(from);
    if (colon >= 0 && colon < stop) return colon;
    return stop === end && end > from && this.text.charCodeAt(end - 1) === 58 /* : */ ? end - 1 : -1;
  }

  /** Reads the scalar that starts at `p` on `line` and consumes the line (and a block scalar's body). */
  private readInlineValue(line: Line, p: number, parentIndent: number): TreeScalar {
    const t = this.text;
    const c = t[p] as string;
    let scalar: TreeScalar;
    let end: number;
    if (c === '"' || c === "'") {
      const close = c === '"' ? this.doubleQuoted(line, p) : this.singleQuoted(line, p);
      const value = this.quoted;
      scalar = { kind: 'scalar', value, source: value, style: c === '"' ? 'double' : 'single', start: p, end: close };
      end = close;
    } else if (c === '|') {
      return this.literalBlock(line, p, parentIndent);
    } else if (this.startsIndicator(p)) {
      throw UNSUPPORTED;
    } else {
      // Native searches instead of a per-character loop: descriptions and command lines are long.
      const q = this.commentStart(p, line.end);
      if (this.mappingColon(p, q, line.end) >= 0) throw UNSUPPORTED;
      let last = q;
      while (last > p && t.charCodeAt(last - 1) === 32) last--;
      if (q === line.end) {
        const folded = this.plainContinuation(t.slice(p, last), parentIndent);
        if (folded !== undefined)
          return { kind: 'scalar', value: folded.text, source: folded.text, style: 'plain', start: p, end: folded.end };
      }
      const source = t.slice(p, last);
      scalar = { kind: 'scalar', value: resolvePlain(source), source, style: 'plain', start: p, end: last };
      end = last;
    }
    let q = end;
    while (q < line.end && t.charCodeAt(q) === 32) q++;
    if (q < line.end && (t.charCodeAt(q) !== 35 || q === end)) throw UNSUPPORTED;
    this.pos++;
    return scalar;
  }

  /**
   * A plain scalar continued on the following, more indented lines (long `falsepositives` entries): the
   * lines are trimmed and joined by a space, or by a line break per empty line between them. Consumes
   * the lines and returns the text, or returns undefined (consuming nothing) when the next line does not
   * continue it. Continuation lines holding anything but plain words (comments, `: `, indicators at the
   * start) are left to the library.
   */
  private plainContinuation(first: string, parentIndent: number): { text: string; end: number } | undefined {
    // A whole document that is one scalar is not a rule: the library reads it.
    if (parentIndent < 0) return undefined;
    const t = this.text;
    let text = first;
    let emptyLines = 0;
    let lastLine = -1;
    let end = 0;
    for (let i = this.pos + 1; i < this.segmentEnd; i++) {
      const l = this.lines[i] as Line;
      if (l.start === l.end) {
        emptyLines++;
        continue;
      }
      // A comment line ends the scalar; anything still indented after it is left to the readers' checks.
      if (l.blank || l.indent <= parentIndent) break;
      if (this.startsIndicator(l.start) || t.charCodeAt(l.start) === 45 /* - */) throw UNSUPPORTED;
      let last = l.start;
      for (let q = l.start; q < l.end; q++) {
        const ch = t.charCodeAt(q);
        if (ch === 35 /* # */ && t.charCodeAt(q - 1) === 32) throw UNSUPPORTED;
        if (ch === 58 /* : */ && (q + 1 === l.end || t.charCodeAt(q + 1) === 32)) throw UNSUPPORTED;
        if (ch !== 32) last = q + 1;
      }
      text += emptyLines > 0 ? '\n'.repeat(emptyLines) : ' ';
      text += t.slice(l.start, last);
      emptyLines = 0;
      lastLine = i;
      end = last;
    }
    if (lastLine < 0) return undefined;
    this.pos = lastLine + 1;
    return { text, end };
  }

  private literalBlock(line: Line, p: number, parentIndent: number): TreeScalar {
    const t = this.text;
    let q = p + 1;
    let strip = false;
    if (t.charCodeAt(q) === 45 /* - */) {
      strip = true;
      q++;
    }
    const headerEnd = q;
    while (q < line.end && t.charCodeAt(q) === 32) q++;
    if (q < line.end && (t.charCodeAt(q) !== 35 || q === headerEnd)) throw UNSUPPORTED; // `+`, indentation digits, junk
    let i = this.pos + 1; // the header line is the current one
    let contentIndent = -1;
    const parts: string[] = [];
    let lastContentEnd = -1;
    let pendingBlank = 0;
    for (; i < this.segmentEnd; i++) {
      const l = this.lines[i] as Line;
      const empty = l.start === l.end;
      if (empty) {
        if (l.indent > 0 && contentIndent >= 0 && l.indent > contentIndent) throw UNSUPPORTED;
        pendingBlank++;
        continue;
      }
      if (contentIndent < 0) {
        if (l.indent <= parentIndent) break;
        if (pendingBlank > 0) throw UNSUPPORTED; // leading blank lines: rare, leave to the library
        contentIndent = l.indent;
      }
      if (l.indent < contentIndent) break;
      for (; pendingBlank > 0; pendingBlank--) parts.push('');
      parts.push(t.slice(l.lineStart + contentIndent, l.end));
      lastContentEnd = l.end;
    }
    if (contentIndent < 0) throw UNSUPPORTED; // empty block scalar
    this.pos = i;
    const body = parts.join('\n');
    const value = strip ? body : `${body}\n`;
    const end = lastContentEnd < t.length ? lastContentEnd + 1 : lastContentEnd;
    return { kind: 'scalar', value, source: value, style: 'block', start: p, end };
  }

  /** True when the character at `p` cannot start a plain scalar (`-`, `?`, `:` can when a non-space follows). */
  private startsIndicator(p: number): boolean {
    const c = this.text[p] as string;
    if (!INDICATORS.has(c)) return false;
    if (c !== '-' && c !== '?' && c !== ':') return true;
    const next = this.text.charCodeAt(p + 1);
    return Number.isNaN(next) || next === 32 || next === 10;
  }

  /** Reads a single-quoted scalar into `quoted`; returns the offset after the closing quote. */
  private singleQuoted(line: Line, open: number): number {
    const t = this.text;
    let out = '';
    let from = open + 1;
    for (let p = from; p < line.end; p++) {
      if (t.charCodeAt(p) !== 39 /* ' */) continue;
      if (t.charCodeAt(p + 1) === 39) {
        out += t.slice(from, p + 1);
        from = p + 2;
        p++;
        continue;
      }
      this.quoted = out + t.slice(from, p);
      return p + 1;
    }
    throw UNSUPPORTED; // multi-line quoted scalar
  }

  /** Reads a double-quoted scalar into `quoted`; returns the offset after the closing quote. */
  private doubleQuoted(line: Line, open: number): number {
    const t = this.text;
    let out = '';
    let from = open + 1;
    for (let p = from; p < line.end; p++) {
      const ch = t.charCodeAt(p);
      if (ch === 34 /* " */) {
        this.quoted = out + t.slice(from, p);
        return p + 1;
      }
      if (ch !== 92 /* \ */) continue;
      out += t.slice(from, p);
      const e = t[p + 1] ?? '';
      const simple = DOUBLE_QUOTE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        p++;
      } else {
        const len = HEX_ESCAPE_LENGTHS[e];
        const hex = len === undefined ? '' : t.slice(p + 2, p + 2 + len);
        if (len === undefined || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== len) throw UNSUPPORTED;
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) throw UNSUPPORTED;
        out += String.fromCodePoint(code);
        p += 1 + len;
      }
      from = p + 1;
    }
    throw UNSUPPORTED; // multi-line quoted scalar
  }
}

/**
 * Native `indexOf` searches for one needle, remembering the last answer: the reader asks with positions
 * that mostly only grow, so the text is searched about once in all instead of once per line.
 */
class NextOccurrence {
  private from = 0;
  private at: number;

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {
    this.at = text.indexOf(needle);
  }

  /** The first occurrence at or after `from`, or -1. */
  find(from: number): number {
    if (from < this.from || (this.at >= 0 && this.at < from)) this.at = this.text.indexOf(this.needle, from);
    this.from = from;
    return this.at;
  }
}

/** Whether a tab occurs anywhere but on a comment-only line (where it is just comment text). */
function hasTabOutsideCommentLines(text: string): boolean {
  for (let tab = text.indexOf('\t'); tab >= 0; tab = text.indexOf('\t', tab + 1)) {
    let first = text.lastIndexOf('\n', tab) + 1;
    while (first < tab && text.charCodeAt(first) === 32) first++;
    if (first === tab || text.charCodeAt(first) !== 35 /* # */) return true;
  }
  return false;
}

function nullScalar(at: number): TreeScalar {
  return { kind: 'scalar', value: null, source: '', style: 'plain', start: at, end: at };
}

/** Resolves a plain scalar with the YAML 1.2 core schema, as the `yaml` library does. */
function resolvePlain(s: string): TreeScalar['value'] {
  const c = s.charCodeAt(0);
  // Only strings starting with a digit, sign, dot, `~` or a letter of null/true/false can be non-strings.
  if (!(
    (c >= 48 && c <= 57) ||
    c === 43 ||
    c === 45 ||
    c === 46 ||
    c === 126 ||
    c === 110 ||
    c === 78 ||
    c === 116 ||
    c === 84 ||
    c === 102 ||
    c === 70
  ))
    return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (OCT_RE.test(s)) return parseInt(s.slice(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (HEX_RE.test(s)) return parseInt(s.slice(2), 16);
  if (SPECIAL_FLOAT_RE.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}
