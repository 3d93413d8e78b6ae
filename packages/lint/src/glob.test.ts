import { describe, expect, it } from 'vitest';
import { globMatcher } from './glob.js';

describe('globMatcher', () => {
  it('matches *, ** and ? over relative paths', () => {
    expect(globMatcher('deprecated/**')('deprecated/a/b.yml')).toBe(true);
    expect(globMatcher('*.yaml')('a/b.yaml')).toBe(true);
    expect(globMatcher('*.yaml')('a/b.yml')).toBe(false);
    expect(globMatcher('a/*.yml')('a/b/c.yml')).toBe(false);
    expect(globMatcher('a/**/c.yml')('a/c.yml')).toBe(true);
    expect(globMatcher('a/**/c.yml')('a/b/d/c.yml')).toBe(true);
    expect(globMatcher('x?.yml')('x1.yml')).toBe(true);
    expect(globMatcher('old')('rules/old/r.yml')).toBe(true);
    expect(globMatcher('old')('rules/older/r.yml')).toBe(false);
  });
});
