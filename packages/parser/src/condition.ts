// The Sigma condition grammar (spec 01 §7): tokens, precedence, flattening and selector matching.
// It knows nothing about YAML; callers map token offsets to file positions and check names.

import { appendAll } from './append-all.js';
import type { ConditionExpr } from './ast.js';
import { SigmaParseError, type SigmaParseErrorCode } from './errors.js';

/** Conditions longer than this are rejected: real rules stay far below it, and huge inputs only cost time. */
export const MAX_CONDITION_CHARS = 64 * 1024;

/** Parentheses and `not` may nest this deep; deeper nesting risks stack exhaustion in every recursive consumer. */
export const MAX_CONDITION_DEPTH = 64;

const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'of', 'all', 'any', 'them']);
const IDENT_RE = /^[A-Za-z0-9_-]+$/;
const UINT_RE = /^[0-9]+$/;

/** A name or selector pattern used by a condition, with its offset in the condition text. */
interface ConditionReference {
  kind: 'id' | 'pattern';
  /** The identifier, the selector pattern, or `them`. */
  name: string;
  offset: number;
}

/** A condition problem with the offset of the offending token in the condition text. */
export class ConditionProblem extends Error {
  override readonly name = 'ConditionProblem';
  constructor(
    readonly code: SigmaParseErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'word' | '(' | ')' | 'end';
  text: string;
  offset: number;
}

/**
 * Parses a condition and lists the names and patterns it uses; throws {@link ConditionProblem}.
 * `selectors: false` is the correlation form: a boolean expression over plain identifiers.
 */
export function parseConditionText(text: string, selectors = true): { expr: ConditionExpr; refs: ConditionReference[] } {
  if (text.length > MAX_CONDITION_CHARS) {
    throw new ConditionProblem(
      'condition_too_complex',
      `condition is ${text.length} characters long; the limit is ${MAX_CONDITION_CHARS}`,
      0,
    );
  }
  const pipe = text.indexOf('|');
  if (pipe >= 0) {
    throw new ConditionProblem(
      'deprecated_aggregation',
      "the Sigma v1 aggregation form ('selection | count() by field > n', 'near') is not supported; write a correlation rule instead",
      pipe,
    );
  }
  return new ConditionParser(tokenize(text), selectors).parse();
}

/**
 * Parses a Sigma condition into an expression tree; throws `SigmaParseError` with the 1-based line and column of the bad token.
 *
 * @example
 * parseCondition('selection and not filter');
 * // { op: 'and', args: [{ op: 'id', name: 'selection' }, { op: 'not', arg: { op: 'id', name: 'filter' } }] }
 */
export function parseCondition(text: string): ConditionExpr {
  try {
    return parseConditionText(text).expr;
  } catch (e) {
    if (!(e instanceof ConditionProblem)) throw e;
    const before = text.slice(0, e.offset);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.length - before.replaceAll('\n', '').length + 1;
    throw new SigmaParseError(e.code, e.message, { line, column: e.offset - lineStart + 1 });
  }
}

/** Names a selector picks: `them` is every name not starting with `_`; a pattern matches whole names with `*` as any run. */
export function selectDetectionNames(pattern: string, names: Iterable<string>): string[] {
  const picked: string[] = [];
  if (pattern === 'them') {
    for (const n of names) if (!n.startsWith('_')) picked.push(n);
    return picked;
  }
  const pieces = pattern.split('*');
  const underscore = pattern.startsWith('_');
  for (const n of names) if (wildcardMatch(pieces, n) && (underscore || !n.startsWith('_'))) picked.push(n);
  return picked;
}

/** Whether `name` is the `*`-separated `pieces` with any runs between them (leftmost search is exact here). */
function wildcardMatch(pieces: readonly string[], name: string): boolean {
  const first = pieces[0] as string;
  if (pieces.length === 1) return name === first;
  const last = pieces[pieces.length - 1] as string;
  const end = name.length - last.length;
  if (end < first.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let pos = first.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const piece = pieces[k] as string;
    const at = name.indexOf(piece, pos);
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
    } else if (c === 40 || c === 41) {
      tokens.push({ kind: c === 40 ? '(' : ')', text: text[i] as string, offset: i });
      i++;
    } else if (isWordChar(c)) {
      const start = i;
      while (i < n && isWordChar(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), offset: start });
    } else {
      const ch = String.fromCodePoint(text.codePointAt(i) ?? c);
      throw new ConditionProblem('condition_syntax', `unexpected character '${ch}' in condition`, i);
    }
  }
  tokens.push({ kind: 'end', text: '', offset: n });
  return tokens;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 /* _ */ || c === 45 /* - */ || c === 42; /* * */
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'end of input' : `'${t.text}'`;
}

class ConditionParser {
  private pos = 0;
  private readonly refs: ConditionReference[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly selectors: boolean,
  ) {}

  parse(): { expr: ConditionExpr; refs: ConditionReference[] } {
    const expr = this.parseBinary('or', 0);
    const t = this.peek();
    if (t.kind !== 'end') {
      const what = t.kind === ')' ? "unmatched ')'" : `unexpected ${describe(t)}; expected 'and', 'or' or end of condition`;
      throw new ConditionProblem('condition_syntax', what, t.offset);
    }
    return { expr, refs: this.refs };
  }

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'word' && t.text === word;
  }

  private parseBinary(op: 'and' | 'or', depth: number): ConditionExpr {
    const first = op === 'or' ? this.parseBinary('and', depth) : this.parseNot(depth);
    if (!this.isWord(this.peek(), op)) return first;
    const args: ConditionExpr[] = [];
    const push = (e: ConditionExpr): void => {
      // Same-operator chains, also through parentheses, become one node.
      if (e.op === op) appendAll(args, e.args);
      else args.push(e);
    };
    push(first);
    while (this.isWord(this.peek(), op)) {
      this.next();
      push(op === 'or' ? this.parseBinary('and', depth) : this.parseNot(depth));
    }
    return { op, args };
  }

  private parseNot(depth: number): ConditionExpr {
    const t = this.peek();
    if (!this.isWord(t, 'not')) return this.parsePrimary(depth);
    this.next();
    this.checkDepth(depth + 1, t);
    return { op: 'not', arg: this.parseNot(depth + 1) };
  }

  private parsePrimary(depth: number): ConditionExpr {
    const prev = this.tokens[this.pos - 1];
    const t = this.next();
    if (t.kind === '(') {
      this.checkDepth(depth + 1, t);
      const inner = this.parseBinary('or', depth + 1);
      const close = this.next();
      if (close.kind !== ')') {
        throw new ConditionProblem(
          'condition_syntax',
          `expected ')' to close '(' at column ${t.offset + 1}, found ${describe(close)}`,
          close.offset,
        );
      }
      return inner;
    }
    if (t.kind !== 'word' || (KEYWORDS.has(t.text) && t.text !== 'all' && t.text !== 'any')) {
      const after = prev ? ` after '${prev.text}'` : '';
      throw new ConditionProblem('condition_syntax', `expected identifier${after}, found ${describe(t)}`, t.offset);
    }
    const isQuantifier = t.text === 'all' || t.text === 'any' || (UINT_RE.test(t.text) && this.isWord(this.peek(), 'of'));
    if (isQuantifier) return this.parseSelector(t);
    if (!IDENT_RE.test(t.text)) {
      throw new ConditionProblem(
        'condition_syntax',
        `'${t.text}': wildcards are only allowed in a selector pattern such as '1 of ${t.text}'`,
        t.offset,
      );
    }
    this.refs.push({ kind: 'id', name: t.text, offset: t.offset });
    return { op: 'id', name: t.text };
  }

  private parseSelector(q: Token): ConditionExpr {
    const of = this.next();
    if (!this.isWord(of, 'of')) {
      throw new ConditionProblem('condition_syntax', `expected 'of' after '${q.text}', found ${describe(of)}`, of.offset);
    }
    if (!this.selectors) {
      throw new ConditionProblem(
        'condition_syntax',
        `selectors ('${q.text} of ...') are not allowed here; name the rules explicitly`,
        q.offset,
      );
    }
    let quantifier: 'any' | 'all' | number;
    if (q.text === 'all' || q.text === 'any') {
      quantifier = q.text;
    } else {
      const n = Number(q.text);
      if (n === 0) throw new ConditionProblem('condition_syntax', "'0 of' never matches; use '1 of', 'any of' or 'all of'", q.offset);
      if (!Number.isSafeInteger(n)) throw new ConditionProblem('condition_syntax', `quantifier '${q.text}' is too large`, q.offset);
      quantifier = n === 1 ? 'any' : n;
    }
    const target = this.next();
    if (target.kind !== 'word' || (KEYWORDS.has(target.text) && target.text !== 'them')) {
      throw new ConditionProblem(
        'condition_syntax',
        `expected 'them' or a name pattern after 'of', found ${describe(target)}`,
        target.offset,
      );
    }
    this.refs.push({ kind: 'pattern', name: target.text, offset: target.offset });
    return { op: 'of', quantifier, pattern: target.text };
  }

  private checkDepth(depth: number, at: Token): void {
    if (depth > MAX_CONDITION_DEPTH) {
      throw new ConditionProblem('condition_too_complex', `condition nests deeper than ${MAX_CONDITION_DEPTH} levels`, at.offset);
    }
  }
}
