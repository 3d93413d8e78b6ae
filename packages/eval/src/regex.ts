// Linear-time regexes for `|re` values and pipeline patterns (spec 02 §5): translation of PCRE/JS-isms,
// compilation with RE2JS, and extraction of required literals used as cheap prefilters.
// It never falls back to the backtracking `RegExp`, so a rule cannot stall evaluation (ReDoS).

import { RE2JS } from 're2js';

/** The engine every rule regex is compiled with; tests assert on it to keep the ReDoS guarantee. */
export const REGEX_ENGINE = 're2js';

/** Flags of a rule regex (`|i`, `|m`, `|s`, or a leading inline group such as `(?is)`). */
interface RegexFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

/** A compiled linear-time regex plus the literal that every match must contain. */
export interface LinearRegex {
  readonly engine: typeof REGEX_ENGINE;
  /** The pattern as handed to RE2JS (after translation). */
  readonly source: string;
  readonly flags: RegexFlags;
  /**
   * Longest ASCII literal every match contains, or null. Lower-cased when `flags.i` (and then free of
   * `s`/`k`, whose Unicode case folds include non-ASCII letters), verbatim otherwise.
   */
  readonly literal: string | null;
  /** Unanchored search, like `RegExp.prototype.test`. */
  test(text: string): boolean;
}

/** Result of {@link compileLinearRegex}: the regex, or why it is not acceptable. */
type RegexCompileResult = { ok: true; regex: LinearRegex } | { ok: false; reason: string };

/**
 * Compiled programs kept for reuse by (flags, translated pattern): rule sets repeat many regexes, and
 * RE2JS compilation dominates regex loading. A compiled RE2JS object is immutable apart from its
 * internal matcher pool, so sharing it between rules is safe. The cache is dropped whole when full,
 * which bounds memory in long-running processes that reload rules.
 */
const MAX_CACHED_REGEXES = 4096;
const compiledCache = new Map<string, RE2JS>();

// A leading inline flag group, e.g. `(?i)` or `(?is)`, which becomes flags (spec 02 §5).
const LEADING_FLAGS = /^\(\?([ims]+)\)/;

/**
 * Translates and compiles a rule regex with RE2JS. Constructs RE2 cannot run in linear time
 * (backreferences, lookaround) are rejected with a reason naming them.
 */
export function compileLinearRegex(pattern: string, flags: RegexFlags): RegexCompileResult {
  const effective = { ...flags };
  let body = pattern;
  const lead = LEADING_FLAGS.exec(body);
  if (lead !== null) {
    for (const f of lead[1] as string) effective[f as 'i' | 'm' | 's'] = true;
    body = body.slice(lead[0].length);
  }
  body = translateEscapes(body);
  let bits = 0;
  if (effective.i) bits |= RE2JS.CASE_INSENSITIVE;
  if (effective.m) bits |= RE2JS.MULTILINE;
  if (effective.s) bits |= RE2JS.DOTALL;
  const key = `${bits}/${body}`;
  let re = compiledCache.get(key);
  if (re === undefined) {
    try {
      re = RE2JS.compile(body, bits);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: `regex ${JSON.stringify(pattern)} cannot run in linear time or is invalid: ${detail}` };
    }
    if (compiledCache.size >= MAX_CACHED_REGEXES) compiledCache.clear();
    compiledCache.set(key, re);
  }
  const runs = requiredLiterals(body, effective.i);
  let literal: string | null = null;
  for (const run of runs) if (literal === null || run.length > literal.length) literal = run;
  const regex: LinearRegex = {
    engine: REGEX_ENGINE,
    source: body,
    flags: effective,
    literal,
    test: searchTest(re),
  };
  return { ok: true, regex };
}

// Built outside the object literal so keepNames transpilers do not define a `name` on each closure.
function searchTest(re: RE2JS): (text: string) => boolean {
  return (text) => re.test(text);
}

// `\uXXXX` (JS) becomes `\x{XXXX}` (RE2); `(?<name>` and `(?P<name>` are both RE2 syntax already.
function translateEscapes(p: string): string {
  if (p.indexOf('\\u') < 0) return p;
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '\\') {
      const hex = p.slice(i + 2, i + 6);
      if (p[i + 1] === 'u' && /^[0-9A-Fa-f]{4}$/.test(hex)) {
        out += `\\x{${hex}}`;
        i += 5;
        continue;
      }
      out += c + (p[i + 1] ?? '');
      i++;
      continue;
    }
    out += c;
  }
  return out;
}

const REPEAT = /^\{(\d+)(?:,(\d*))?\}/;

/**
 * Literal runs that every match of `p` (RE2 syntax) contains. Conservative: anything it does not
 * understand ends the current run; a top-level `|` or a mid-pattern flag group yields none.
 */
export function requiredLiterals(p: string, ci: boolean): string[] {
  const runs: string[] = [];
  let cur = '';
  const flush = (): void => {
    if (cur.length > 0) runs.push(cur);
    cur = '';
  };
  let i = 0;
  while (i < p.length) {
    const c = p[i] as string;
    let lit: string;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return [];
      if (!/[A-Za-z0-9]/.test(n)) {
        lit = n;
        i += 2;
      } else {
        flush();
        i = skipEscape(p, i);
        continue;
      }
    } else if (c === '[') {
      flush();
      i = skipClass(p, i);
      continue;
    } else if (c === '(') {
      if (/^\(\?[a-zA-Z-]*\)/.test(p.slice(i, i + 8))) return [];
      flush();
      const end = skipGroup(p, i);
      if (end < 0) return [];
      i = end;
      continue;
    } else if (c === '|' || c === ')') {
      return [];
    } else if (c === '{') {
      flush();
      const m = REPEAT.exec(p.slice(i));
      i += m === null ? 1 : m[0].length;
      continue;
    } else if (c === '.' || c === '^' || c === '$' || c === '*' || c === '+' || c === '?') {
      flush();
      i++;
      continue;
    } else {
      lit = c;
      i++;
    }
    // A literal character: its quantifier decides whether it is required and whether the run continues.
    const q = p[i];
    if (q === '*' || q === '?') {
      flush();
      i++;
      continue;
    }
    if (q === '{') {
      const m = REPEAT.exec(p.slice(i));
      if (m !== null) {
        if (Number(m[1]) === 0) flush();
        else {
          addLiteral(lit);
          flush();
        }
        i += m[0].length;
        continue;
      }
    }
    if (q === '+') {
      addLiteral(lit);
      flush();
      i++;
      continue;
    }
    addLiteral(lit);
  }
  flush();
  return runs;

  function addLiteral(ch: string): void {
    const code = ch.charCodeAt(0);
    if (code > 0x7e || code < 0x20) return flush();
    if (ci) {
      const lower = ch.toLowerCase();
      if (lower === 's' || lower === 'k') return flush();
      cur += lower;
    } else {
      cur += ch;
    }
  }
}

function skipEscape(p: string, i: number): number {
  const n = p[i + 1];
  if (n === 'Q') {
    const end = p.indexOf('\\E', i + 2);
    return end < 0 ? p.length : end + 2;
  }
  if ((n === 'x' || n === 'p' || n === 'P') && p[i + 2] === '{') {
    const end = p.indexOf('}', i + 3);
    return end < 0 ? p.length : end + 1;
  }
  if (n === 'x') return i + 4;
  if (n === 'p' || n === 'P') return i + 3;
  return i + 2;
}

function skipClass(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  while (j < p.length) {
    const c = p[j];
    if (c === '\\') j += 2;
    else if (c === '[' && p[j + 1] === ':') {
      const end = p.indexOf(':]', j + 2);
      j = end < 0 ? j + 1 : end + 2;
    } else if (c === ']') return j + 1;
    else j++;
  }
  return p.length;
}

function skipGroup(p: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < p.length) {
    const c = p[j];
    if (c === '\\') j += 2;
    else if (c === '[') j = skipClass(p, j);
    else {
      if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
  }
  return -1;
}
