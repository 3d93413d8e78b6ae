// Sigma string patterns (spec 02 §5): literal text, `*`, `?` and windash character classes, compiled
// to the cheapest test (equality, prefix, suffix, substring, or a segment scan). Callers fold case
// before calling; nothing here uses a backtracking regex with quantifiers.

import type { SigmaString } from '@tsigma/parser';

/** One element of a pattern: literal text, `?` (one code point), `*` (any run), or a one-character class. */
export type PatternToken = { t: 'lit'; s: string } | { t: 'one' } | { t: 'star' } | { t: 'class'; chars: string };

/** How a compiled pattern tests text. */
export type PatternShape = 'exact' | 'startswith' | 'endswith' | 'contains' | 'glob';

/** A compiled pattern: its shape, its longest literal run, and the test itself. */
export interface CompiledPattern {
  shape: PatternShape;
  /** Longest literal run (already case-folded when the pattern was), for prefilters. */
  longestLiteral: string;
  /** A closure over the pattern (never a method), so callers may pass it around unbound. */
  test: (text: string) => boolean;
}

/** The characters a word-initial dash may be under `windash` (spec 01 §5.1). */
const WINDASH_CHARS = '-/\u2013\u2014\u2015';

/** Tokens of a parsed Sigma string. */
export function tokensOf(str: SigmaString): PatternToken[] {
  const out: PatternToken[] = [];
  for (const part of str.parts) {
    if ('text' in part) pushLiteral(out, part.text);
    else out.push(part.wildcard === '*' ? { t: 'star' } : { t: 'one' });
  }
  return out;
}

/** Appends literal text, merging with a preceding literal. */
export function pushLiteral(out: PatternToken[], s: string): void {
  if (s.length === 0) return;
  const last = out[out.length - 1];
  if (last !== undefined && last.t === 'lit') last.s += s;
  else out.push({ t: 'lit', s });
}

/** Applies a map to every literal run, keeping wildcards. */
export function mapLiterals(tokens: PatternToken[], f: (s: string) => string): PatternToken[] {
  const out: PatternToken[] = [];
  for (const tok of tokens) {
    if (tok.t === 'lit') pushLiteral(out, f(tok.s));
    else out.push(tok.t === 'class' ? { t: 'class', chars: f(tok.chars) } : tok);
  }
  return out;
}

/** Adds a leading and/or trailing `*` unless the pattern already has one there. */
export function anchorLoosen(tokens: PatternToken[], start: boolean, end: boolean): PatternToken[] {
  const out = tokens.slice();
  if (start && out[0]?.t !== 'star') out.unshift({ t: 'star' });
  if (end && out[out.length - 1]?.t !== 'star') out.push({ t: 'star' });
  return out;
}

const WORD = /[A-Za-z0-9_]/;

/**
 * Replaces every word-initial `-` or `/` (preceded by start or a non-word character, followed by a
 * word character) with a class of the five dash variants. Wildcards count as non-word context.
 */
export function windashTokens(tokens: PatternToken[]): PatternToken[] {
  const out: PatternToken[] = [];
  tokens.forEach((tok, k) => {
    if (tok.t !== 'lit') {
      out.push(tok);
      return;
    }
    const s = tok.s;
    let run = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i] as string;
      const prev = i > 0 ? s[i - 1] : k > 0 ? undefined : '';
      const next = i + 1 < s.length ? s[i + 1] : undefined;
      const prevOk = prev === '' || (prev !== undefined && !WORD.test(prev)) || (prev === undefined && k > 0);
      if ((c === '-' || c === '/') && prevOk && next !== undefined && WORD.test(next)) {
        pushLiteral(out, run);
        run = '';
        out.push({ t: 'class', chars: WINDASH_CHARS });
      } else {
        run += c;
      }
    }
    pushLiteral(out, run);
  });
  return out;
}

/** True when the tokens hold only literal text. */
function isPlain(tokens: PatternToken[]): boolean {
  return tokens.every((t) => t.t === 'lit');
}

/** The literal text of plain tokens. */
function plainText(tokens: PatternToken[]): string {
  return tokens.map((t) => (t.t === 'lit' ? t.s : '')).join('');
}

/** Compiles tokens to the cheapest equivalent test over the whole text. */
export function compilePattern(tokens: readonly PatternToken[]): CompiledPattern {
  // Most rule values are one literal, maybe between stars: those need no segment analysis.
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi && tokens[lo]?.t === 'star') lo++;
  while (hi > lo && tokens[hi - 1]?.t === 'star') hi--;
  const only = tokens[lo];
  if (hi - lo === 1 && only?.t === 'lit') {
    const shape = lo > 0 ? (hi < tokens.length ? 'contains' : 'endswith') : hi < tokens.length ? 'startswith' : 'exact';
    return literalPattern(shape, only.s);
  }
  const segments: PatternToken[][] = [[]];
  for (const tok of tokens) {
    if (tok.t === 'star') segments.push([]);
    else (segments[segments.length - 1] as PatternToken[]).push(tok);
  }
  let longestLiteral = '';
  for (const tok of tokens) if (tok.t === 'lit' && tok.s.length > longestLiteral.length) longestLiteral = tok.s;
  const allPlain = segments.every(isPlain);
  if (allPlain) {
    const texts = segments.map(plainText);
    if (texts.length === 1) {
      const lit = texts[0] as string;
      return { shape: 'exact', longestLiteral: lit, test: equalsTest(lit) };
    }
    if (texts.length === 2 && texts[1] === '') {
      const lit = texts[0] as string;
      return { shape: 'startswith', longestLiteral, test: startsWithTest(lit) };
    }
    if (texts.length === 2 && texts[0] === '') {
      const lit = texts[1] as string;
      return { shape: 'endswith', longestLiteral, test: endsWithTest(lit) };
    }
    if (texts.length === 3 && texts[0] === '' && texts[2] === '') {
      const lit = texts[1] as string;
      return { shape: 'contains', longestLiteral, test: includesTest(lit) };
    }
  }
  const segs = segments.map(compileSegment);
  return { shape: 'glob', longestLiteral, test: globTester(segs) };
}

/** The pattern testing `text` against one literal: equal to it, or starting, ending or containing it. */
export function literalPattern(shape: Exclude<PatternShape, 'glob'>, lit: string): CompiledPattern {
  switch (shape) {
    case 'exact':
      return { shape, longestLiteral: lit, test: equalsTest(lit) };
    case 'startswith':
      return { shape, longestLiteral: lit, test: startsWithTest(lit) };
    case 'endswith':
      return { shape, longestLiteral: lit, test: endsWithTest(lit) };
    case 'contains':
      return { shape, longestLiteral: lit, test: includesTest(lit) };
  }
}

// The tests are built by factories rather than inline in the object literals: a closure written as a
// property value gets a `name` property defined on it by keepNames transpilers (tsx), which moves it
// to a dictionary-mode property store. With tens of thousands of rule values that store dominated the
// compiled rules' heap and the GC work of loading them.
function equalsTest(lit: string): (text: string) => boolean {
  return (t) => t === lit;
}

function startsWithTest(lit: string): (text: string) => boolean {
  return (t) => t.startsWith(lit);
}

function endsWithTest(lit: string): (text: string) => boolean {
  return (t) => t.endsWith(lit);
}

function includesTest(lit: string): (text: string) => boolean {
  return (t) => t.includes(lit);
}

function globTester(segs: Segment[]): (text: string) => boolean {
  return (t) => globTest(segs, t);
}

// A star-free piece of a glob: plain text, or a quantifier-free RegExp (linear per start position).
type Segment = { lit: string } | { re: RegExp; anchoredEnd: RegExp };

function compileSegment(tokens: PatternToken[]): Segment {
  if (isPlain(tokens)) return { lit: plainText(tokens) };
  let src = '';
  for (const tok of tokens) {
    if (tok.t === 'lit') src += escapeRegex(tok.s);
    else if (tok.t === 'one') src += '.';
    else if (tok.t === 'class') src += `[${tok.chars.replace(/[\\\]^-]/g, '\\$&')}]`;
  }
  // No quantifier or alternation is ever emitted, so each attempt costs at most the segment length.
  return { re: new RegExp(src, 'gsu'), anchoredEnd: new RegExp(`(?:${src})$`, 'gsu') };
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function globTest(segs: Segment[], text: string): boolean {
  const first = segs[0] as Segment;
  let pos: number;
  if (segs.length === 1) return matchWhole(first, text);
  if ('lit' in first) {
    if (!text.startsWith(first.lit)) return false;
    pos = first.lit.length;
  } else {
    first.re.lastIndex = 0;
    const m = first.re.exec(text);
    if (m === null || m.index !== 0) return false;
    pos = first.re.lastIndex;
  }
  const lastIdx = segs.length - 1;
  for (let k = 1; k < lastIdx; k++) {
    const seg = segs[k] as Segment;
    if ('lit' in seg) {
      if (seg.lit.length === 0) continue;
      const at = text.indexOf(seg.lit, pos);
      if (at < 0) return false;
      pos = at + seg.lit.length;
    } else {
      seg.re.lastIndex = pos;
      const m = seg.re.exec(text);
      if (m === null) return false;
      pos = seg.re.lastIndex;
    }
  }
  const last = segs[lastIdx] as Segment;
  if ('lit' in last) return text.length - last.lit.length >= pos && text.endsWith(last.lit);
  last.anchoredEnd.lastIndex = pos;
  return last.anchoredEnd.exec(text) !== null;
}

function matchWhole(seg: Segment, text: string): boolean {
  if ('lit' in seg) return seg.lit === text;
  seg.re.lastIndex = 0;
  const m = seg.re.exec(text);
  return m !== null && m.index === 0 && seg.re.lastIndex === text.length;
}
