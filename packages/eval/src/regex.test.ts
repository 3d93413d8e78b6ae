import { describe, expect, it } from 'vitest';
import { compileLinearRegex, REGEX_ENGINE, requiredLiterals } from './regex.js';

const NO_FLAGS = { i: false, m: false, s: false };

function compile(p: string, flags = NO_FLAGS) {
  const r = compileLinearRegex(p, flags);
  if (!r.ok) throw new Error(r.reason);
  return r.regex;
}

describe('compileLinearRegex', () => {
  it('runs a classic ReDoS pattern in linear time on the RE2JS engine', { timeout: 2000 }, () => {
    const re = compile('(a+)+$');
    expect(re.engine).toBe('re2js');
    expect(REGEX_ENGINE).toBe('re2js');
    // RE2 semantics that a backtracking `RegExp` lacks: fail fast here instead of hanging below.
    expect(compile('a\\z').test('a')).toBe(true);
    expect(compile('\\Aa').test('ba')).toBe(false);
    const input = `${'a'.repeat(40)}!`;
    expect(re.test(input)).toBe(false);
    // A backtracking engine needs ~2^40 steps here; a linear one handles far longer input at once.
    expect(compile('(a|aa)+$').test(`${'a'.repeat(5000)}!`)).toBe(false);
    expect(compile('^(a+)+$').test('a'.repeat(50))).toBe(true);
  });

  it('turns a leading inline flag group into flags', () => {
    const re = compile('(?i)WHOAMI');
    expect(re.flags.i).toBe(true);
    expect(re.test('cmd /c whoami')).toBe(true);
    expect(compile('(?is)a.b').test('A\nB')).toBe(true);
  });

  it('applies i, m and s flags', () => {
    expect(compile('abc').test('ABC')).toBe(false);
    expect(compile('abc', { i: true, m: false, s: false }).test('xABCx')).toBe(true);
    expect(compile('^b$', { i: false, m: true, s: false }).test('a\nb\nc')).toBe(true);
    expect(compile('a.b', { i: false, m: false, s: true }).test('a\nb')).toBe(true);
    expect(compile('a.b').test('a\nb')).toBe(false);
  });

  it('accepts identity escapes, named groups and \\u escapes', () => {
    expect(compile('\\"x\\\'').test('"x\'')).toBe(true);
    expect(compile('(?P<n>a)b').test('ab')).toBe(true);
    expect(compile('\\u0041').test('A')).toBe(true);
  });

  it('rejects constructs that need backtracking', () => {
    for (const p of ['a(?=b)', '(?<!a)b', '(a)\\1', 'a++', '(']) {
      const r = compileLinearRegex(p, NO_FLAGS);
      expect(r.ok, p).toBe(false);
      if (!r.ok) expect(r.reason).toContain(JSON.stringify(p));
    }
  });
});

describe('requiredLiterals', () => {
  it('extracts literal runs and drops optional characters', () => {
    expect(requiredLiterals('abc\\.exe', false)).toEqual(['abc.exe']);
    expect(requiredLiterals('abx?cd', false)).toEqual(['ab', 'cd']);
    expect(requiredLiterals('ab+cd', false)).toEqual(['ab', 'cd']);
    expect(requiredLiterals('ab{0,2}cd', false)).toEqual(['a', 'cd']);
    expect(requiredLiterals('x[abc]yz(foo|bar)baz', false)).toEqual(['x', 'yz', 'baz']);
  });

  it('gives nothing for top-level alternation or mid-pattern flags', () => {
    expect(requiredLiterals('abc|def', false)).toEqual([]);
    expect(requiredLiterals('abc(?i)def', false)).toEqual([]);
  });

  it('folds case and splits at s/k under i', () => {
    expect(requiredLiterals('PowerShell', true)).toEqual(['power', 'hell']);
    expect(requiredLiterals('Kelvin', true)).toEqual(['elvin']);
  });

  it('never claims a literal a match lacks', () => {
    const cases: [string, string][] = [
      ['colou?r', 'color'],
      ['a\\d+b', 'a12b'],
      ['x*y', 'y'],
      ['(ab)?cd', 'cd'],
      ['\\bfoo\\b', 'foo'],
    ];
    for (const [p, text] of cases) {
      expect(compile(p).test(text), p).toBe(true);
      for (const lit of requiredLiterals(p, false)) expect(text.includes(lit), `${p} -> ${lit}`).toBe(true);
    }
  });
});
