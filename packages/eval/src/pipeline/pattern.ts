// Linear-time regexes for pipeline parameters (`match_string`, regex field-name conditions, `replace_string`):
// spec 02 §5 requires pipeline patterns, like rule regexes, to run without backtracking blow-ups.

import { RE2JS } from 're2js';

import { compileLinearRegex } from '../regex.js';

/** A compiled pipeline regex: unanchored search and global replacement. */
export interface PipelineRegex {
  readonly source: string;
  test(text: string): boolean;
  /** Replaces every match; `$1`, `$&`, `$$` … as in `String.prototype.replace`. */
  replaceAll(text: string, replacement: string): string;
}

/** Compiles a pattern with the engine's linear-time regex translation; returns the reason when it cannot. */
export function compilePipelineRegex(pattern: string): PipelineRegex | { error: string } {
  const res = compileLinearRegex(pattern, { i: false, m: false, s: false });
  if (!res.ok) return { error: res.reason };
  const { regex } = res;
  let bits = 0;
  if (regex.flags.i) bits |= RE2JS.CASE_INSENSITIVE;
  if (regex.flags.m) bits |= RE2JS.MULTILINE;
  if (regex.flags.s) bits |= RE2JS.DOTALL;
  const re = RE2JS.compile(regex.source, bits);
  return {
    source: pattern,
    test: (text) => regex.test(text),
    replaceAll: (text, replacement) => re.matcher(text).replaceAll(replacement),
  };
}
