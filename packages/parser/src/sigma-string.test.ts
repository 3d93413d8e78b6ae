import { describe, expect, it } from 'vitest';
import { isPlain, parseSigmaString } from './sigma-string.js';

describe('parseSigmaString', () => {
  it.each([
    ['plain', [{ text: 'plain' }]],
    ['', []],
    ['*', [{ wildcard: '*' }]],
    ['a*b?c', [{ text: 'a' }, { wildcard: '*' }, { text: 'b' }, { wildcard: '?' }, { text: 'c' }]],
    ['C:\\Windows\\*', [{ text: 'C:\\Windows*' }]],
    ['C:\\Windows\\\\*', [{ text: 'C:\\Windows\\' }, { wildcard: '*' }]],
    ['C:\\Windows\\\\*.exe', [{ text: 'C:\\Windows\\' }, { wildcard: '*' }, { text: '.exe' }]],
    ['\\\\\\*', [{ text: '\\*' }]],
    ['\\\\\\\\', [{ text: '\\\\' }]],
    ['\\?', [{ text: '?' }]],
    ['a\\', [{ text: 'a\\' }]],
    ['\\x\\y', [{ text: '\\x\\y' }]],
    ['**', [{ wildcard: '*' }, { wildcard: '*' }]],
  ])('parses %j', (source, parts) => {
    const s = parseSigmaString(source);
    expect(s.parts).toEqual(parts);
    expect(s.original).toBe(source);
    expect(s.raw).toBe(false);
  });

  it('keeps raw text verbatim', () => {
    expect(parseSigmaString('a.*\\d?', true)).toEqual({ parts: [{ text: 'a.*\\d?' }], original: 'a.*\\d?', raw: true });
  });

  it('tells plain strings from patterns', () => {
    expect(isPlain(parseSigmaString('a\\*'))).toBe(true);
    expect(isPlain(parseSigmaString('a*'))).toBe(false);
    expect(isPlain(parseSigmaString('a*', true))).toBe(true);
  });
});
