import { describe, expect, it } from 'vitest';
import { anchorLoosen, compilePattern, pushLiteral, windashTokens, type PatternToken } from './string-pattern.js';

function tokens(spec: string): PatternToken[] {
  const out: PatternToken[] = [];
  for (const ch of spec) {
    if (ch === '*') out.push({ t: 'star' });
    else if (ch === '?') out.push({ t: 'one' });
    else pushLiteral(out, ch);
  }
  return out;
}

describe('compilePattern', () => {
  it('picks the cheapest shape', () => {
    expect(compilePattern(tokens('abc')).shape).toBe('exact');
    expect(compilePattern(tokens('abc*')).shape).toBe('startswith');
    expect(compilePattern(tokens('*abc')).shape).toBe('endswith');
    expect(compilePattern(tokens('*abc*')).shape).toBe('contains');
    expect(compilePattern(tokens('a*c')).shape).toBe('glob');
  });

  it('matches globs over the whole text', () => {
    const p = compilePattern(tokens('c:\\*\\foo?.exe'));
    expect(p.test('c:\\windows\\temp\\foo1.exe')).toBe(true);
    expect(p.test('c:\\windows\\temp\\foo.exe')).toBe(false);
    expect(p.test('x c:\\a\\foo1.exe')).toBe(false);
    expect(compilePattern(tokens('a*b*c')).test('abc')).toBe(true);
    expect(compilePattern(tokens('a*b*c')).test('a\nxb\nc')).toBe(true);
    expect(compilePattern(tokens('ab*ba')).test('aba')).toBe(false);
    expect(compilePattern(tokens('?')).test('😀')).toBe(true);
    expect(compilePattern(tokens('??')).test('😀')).toBe(false);
    expect(compilePattern(tokens('*ev?l*')).test('my evil tool')).toBe(true);
  });

  it('reports the longest literal run', () => {
    expect(compilePattern(tokens('*ab*abcd*')).longestLiteral).toBe('abcd');
  });
});

describe('windashTokens', () => {
  const test = (pattern: string, text: string): boolean =>
    compilePattern(anchorLoosen(windashTokens(tokens(pattern)), true, true)).test(text);

  it('varies word-initial dashes only', () => {
    expect(test(' -nop ', 'ps.exe /nop x')).toBe(true);
    expect(test(' -nop ', 'ps.exe \u2013nop x')).toBe(true);
    expect(test(' -nop ', 'ps.exe -nop')).toBe(false);
    expect(test('-nop', '/nop')).toBe(true);
    expect(test('a-b', 'a/b')).toBe(false);
    expect(test('a-b -c', 'a-b /c')).toBe(true);
    expect(test('a-b -c', 'a/b -c')).toBe(false);
  });
});
