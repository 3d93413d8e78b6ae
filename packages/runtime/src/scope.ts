// Result scope (spec 07 §2, 08 §2): which results a post-engine stage acts on, by rule, tag and level.
// Shared by enrichment and the alert pipeline; pure, and glob matching never backtracks exponentially.

import type { EvaluationResult } from '@tsigma/eval';
import { SIGMA_LEVELS } from '@tsigma/parser';
import { RuntimeError } from './errors.js';

/** The levels a scope may name. */
const LEVELS: ReadonlySet<string> = new Set(SIGMA_LEVELS);

/** A scope as written in config files; each axis is optional. */
export interface ScopeSpec {
  rules?: readonly string[];
  tags?: readonly string[];
  levels?: readonly string[];
}

/**
 * Decides whether a stage acts on a result: every populated axis must match; an empty scope matches everything.
 * `rules` entries with `*`, `?` or `[` are globs over the rule title, others equal the rule id or title; `tags`
 * entries `prefix.*` match `prefix` and `prefix.…`, `text*` matches a tag prefix, anything else a whole tag;
 * `levels` are Sigma levels (an unknown one throws a RuntimeError `invalid_scope`).
 *
 * @example
 * const scope = new Scope({ levels: ['high', 'critical'], tags: ['attack.*'] });
 * scope.matches(result); // true for a high result tagged attack.t1059
 */
export class Scope {
  private readonly rules: readonly RuleEntry[];
  private readonly tags: readonly ((tag: string) => boolean)[];
  private readonly levels: ReadonlySet<string>;

  constructor(spec: ScopeSpec = {}) {
    this.rules = (spec.rules ?? []).map(ruleEntry);
    this.tags = (spec.tags ?? []).map(tagEntry);
    for (const level of spec.levels ?? []) {
      if (!LEVELS.has(level))
        throw new RuntimeError('invalid_scope', `unknown level "${level}": expected one of ${[...LEVELS].join(', ')}`, 'scope.levels');
    }
    this.levels = new Set(spec.levels ?? []);
  }

  /** True when the scope constrains nothing. */
  get isEmpty(): boolean {
    return this.rules.length === 0 && this.tags.length === 0 && this.levels.size === 0;
  }

  /** Whether the result is in scope. */
  matches(result: EvaluationResult): boolean {
    if (this.rules.length > 0 && !this.rules.some((e) => e(result))) return false;
    if (this.tags.length > 0 && !result.tags.some((tag) => this.tags.some((e) => e(tag)))) return false;
    if (this.levels.size > 0 && (result.level === null || !this.levels.has(result.level))) return false;
    return true;
  }
}

type RuleEntry = (result: EvaluationResult) => boolean;

function ruleEntry(entry: string): RuleEntry {
  if (/[*?[]/.test(entry)) {
    const glob = compileGlob(entry);
    return (r) => matchGlob(glob, r.rule_title);
  }
  return (r) => r.rule_id === entry || r.rule_title === entry;
}

function tagEntry(entry: string): (tag: string) => boolean {
  if (entry.endsWith('.*')) {
    const prefix = entry.slice(0, -2);
    return (tag) => tag === prefix || tag.startsWith(prefix + '.');
  }
  if (entry.endsWith('*')) {
    const prefix = entry.slice(0, -1);
    return (tag) => tag.startsWith(prefix);
  }
  return (tag) => tag === entry;
}

/** One glob token: a literal character, `?`, `*`, or a character class. */
type GlobToken = { t: 'char'; c: string } | { t: 'any' } | { t: 'star' } | { t: 'class'; negated: boolean; test: (c: string) => boolean };

/** Splits a glob into tokens; a `[` without its closing `]` is a literal `[`. */
function compileGlob(glob: string): GlobToken[] {
  const chars = [...glob];
  const tokens: GlobToken[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') tokens.push({ t: 'star' });
    else if (c === '?') tokens.push({ t: 'any' });
    else if (c === '[') {
      const close = chars.indexOf(']', i + 2);
      if (close < 0) {
        tokens.push({ t: 'char', c });
        continue;
      }
      let body = chars.slice(i + 1, close);
      const negated = body[0] === '!' || body[0] === '^';
      if (negated) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let k = 0; k < body.length; k++) {
        const lo = body[k] as string;
        if (body[k + 1] === '-' && k + 2 < body.length) {
          ranges.push([lo, body[k + 2] as string]);
          k += 2;
        } else ranges.push([lo, lo]);
      }
      tokens.push({ t: 'class', negated, test: (x) => ranges.some(([a, b]) => x >= a && x <= b) });
      i = close;
    } else tokens.push({ t: 'char', c });
  }
  return tokens;
}

/** Whole-string glob match in O(text × glob) at worst: the classic single-star backtracking walk. */
function matchGlob(tokens: readonly GlobToken[], text: string): boolean {
  const chars = [...text];
  let ti = 0;
  let gi = 0;
  let starAt = -1;
  let starText = 0;
  while (ti < chars.length) {
    const tok = tokens[gi];
    const c = chars[ti] as string;
    if (tok !== undefined && tok.t !== 'star' && single(tok, c)) {
      ti++;
      gi++;
    } else if (tok?.t === 'star') {
      starAt = gi++;
      starText = ti;
    } else if (starAt >= 0) {
      gi = starAt + 1;
      ti = ++starText;
    } else return false;
  }
  while (tokens[gi]?.t === 'star') gi++;
  return gi === tokens.length;
}

function single(tok: Exclude<GlobToken, { t: 'star' }>, c: string): boolean {
  if (tok.t === 'any') return true;
  if (tok.t === 'char') return tok.c === c;
  return tok.test(c) !== tok.negated;
}
