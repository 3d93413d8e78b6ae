// Parses and evaluates `*_cond_expr` boolean expressions over condition ids (spec 04 §3).
// Grammar: the Sigma condition grammar without selectors: `or` < `and` < `not` < parentheses / ids.

import type { CondExpr } from './types.js';

/** Expressions longer than this are rejected: real pipelines use a handful of ids, and deep nesting risks stack exhaustion. */
const MAX_COND_EXPR_CHARS = 4096;

/** Thrown for a malformed expression; the caller adds the item path. */
export class CondExprSyntaxError extends Error {
  override readonly name = 'CondExprSyntaxError';
}

const TOKEN = /\s*(?:([()]|[\w.-]+)|(\S))/g;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const m of text.matchAll(TOKEN)) {
    if (m[2] !== undefined) throw new CondExprSyntaxError(`unexpected character '${m[2]}' at ${(m.index ?? 0) + m[0].length}`);
    if (m[1] !== undefined) tokens.push(m[1]);
  }
  return tokens;
}

/** Parses `a and (b or not c)`; throws {@link CondExprSyntaxError}. */
export function parseCondExpr(text: string): CondExpr {
  if (text.length > MAX_COND_EXPR_CHARS) throw new CondExprSyntaxError(`expression longer than ${MAX_COND_EXPR_CHARS} characters`);
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const isKw = (t: string | undefined, kw: string): boolean => t !== undefined && t.toLowerCase() === kw;

  const parseOr = (): CondExpr => {
    const args = [parseAnd()];
    while (isKw(peek(), 'or')) {
      i++;
      args.push(parseAnd());
    }
    return args.length === 1 ? (args[0] as CondExpr) : { op: 'or', args };
  };
  const parseAnd = (): CondExpr => {
    const args = [parseNot()];
    while (isKw(peek(), 'and')) {
      i++;
      args.push(parseNot());
    }
    return args.length === 1 ? (args[0] as CondExpr) : { op: 'and', args };
  };
  const parseNot = (): CondExpr => {
    if (isKw(peek(), 'not')) {
      i++;
      return { op: 'not', arg: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): CondExpr => {
    const t = tokens[i++];
    if (t === undefined) throw new CondExprSyntaxError('unexpected end of expression');
    if (t === '(') {
      const e = parseOr();
      if (tokens[i++] !== ')') throw new CondExprSyntaxError("missing ')'");
      return e;
    }
    if (t === ')' || isKw(t, 'and') || isKw(t, 'or')) throw new CondExprSyntaxError(`unexpected '${t}'`);
    return { op: 'id', name: t };
  };

  const expr = parseOr();
  if (i < tokens.length) throw new CondExprSyntaxError(`unexpected '${tokens[i]}' after expression`);
  return expr;
}

/** Every id an expression names, in order of appearance. */
export function condExprIds(e: CondExpr): string[] {
  switch (e.op) {
    case 'id':
      return [e.name];
    case 'not':
      return condExprIds(e.arg);
    default:
      return e.args.flatMap(condExprIds);
  }
}

/** Evaluates an expression, asking `value` for each id. */
export function evalCondExpr(e: CondExpr, value: (id: string) => boolean): boolean {
  switch (e.op) {
    case 'id':
      return value(e.name);
    case 'not':
      return !evalCondExpr(e.arg, value);
    case 'and':
      return e.args.every((a) => evalCondExpr(a, value));
    case 'or':
      return e.args.some((a) => evalCondExpr(a, value));
  }
}
