import type { DetectionResult } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { RuntimeError } from './errors.js';
import { Scope } from './scope.js';

function result(extra: Partial<DetectionResult> = {}): DetectionResult {
  return {
    rule_title: 'Brute Force Login',
    rule_id: 'rule-1',
    level: 'high',
    author: null,
    tags: ['attack.t1110', 'cve.2024'],
    matched_selections: [],
    matched_fields: [],
    ...extra,
  };
}

describe('Scope', () => {
  it('an empty scope matches everything', () => {
    const scope = new Scope();
    expect(scope.isEmpty).toBe(true);
    expect(scope.matches(result())).toBe(true);
    expect(scope.matches(result({ level: null, tags: [] }))).toBe(true);
  });

  it('rules: plain entries equal the id or the title; globs match the whole title', () => {
    expect(new Scope({ rules: ['rule-1'] }).matches(result())).toBe(true);
    expect(new Scope({ rules: ['Brute Force Login'] }).matches(result())).toBe(true);
    expect(new Scope({ rules: ['Brute'] }).matches(result())).toBe(false);
    expect(new Scope({ rules: ['Brute*'] }).matches(result())).toBe(true);
    expect(new Scope({ rules: ['*Login'] }).matches(result())).toBe(true);
    expect(new Scope({ rules: ['*Force*'] }).matches(result())).toBe(true);
    expect(new Scope({ rules: ['Brute?Force Login'] }).matches(result())).toBe(true);
    expect(new Scope({ rules: ['[AB]rute*'] }).matches(result())).toBe(true);
    expect(new Scope({ rules: ['[!B]rute*'] }).matches(result())).toBe(false);
    expect(new Scope({ rules: ['[a-z]rute*'] }).matches(result())).toBe(false);
    expect(new Scope({ rules: ['Brute'] }).matches(result())).toBe(false);
    expect(new Scope({ rules: ['rule-*'] }).matches(result())).toBe(false); // globs read the title, not the id
  });

  it('a glob with many stars on a long title answers without backtracking blow-up', () => {
    const scope = new Scope({ rules: ['*a*a*a*a*a*a*a*a*a*a*b'] });
    expect(scope.matches(result({ rule_title: 'a'.repeat(5000) }))).toBe(false);
  });

  it('tags: prefix.*, text* and exact entries; one matching tag suffices', () => {
    expect(new Scope({ tags: ['attack.*'] }).matches(result())).toBe(true);
    expect(new Scope({ tags: ['attack.*'] }).matches(result({ tags: ['attack'] }))).toBe(true);
    expect(new Scope({ tags: ['attack.*'] }).matches(result({ tags: ['attackers'] }))).toBe(false);
    expect(new Scope({ tags: ['att*'] }).matches(result({ tags: ['attackers'] }))).toBe(true);
    expect(new Scope({ tags: ['cve.2024'] }).matches(result())).toBe(true);
    expect(new Scope({ tags: ['cve.2023'] }).matches(result())).toBe(false);
  });

  it('levels: a result without a level never matches a populated axis', () => {
    expect(new Scope({ levels: ['high', 'critical'] }).matches(result())).toBe(true);
    expect(new Scope({ levels: ['critical'] }).matches(result())).toBe(false);
    expect(new Scope({ levels: ['critical'] }).matches(result({ level: null }))).toBe(false);
  });

  it('every populated axis must match', () => {
    const scope = new Scope({ rules: ['rule-1'], levels: ['critical'] });
    expect(scope.matches(result())).toBe(false);
    expect(scope.matches(result({ level: 'critical' }))).toBe(true);
  });

  it('an unknown level is an invalid_scope error', () => {
    expect(() => new Scope({ levels: ['severe'] })).toThrow(RuntimeError);
    try {
      new Scope({ levels: ['severe'] });
    } catch (e) {
      expect((e as RuntimeError).code).toBe('invalid_scope');
      expect((e as RuntimeError).subject).toBe('scope.levels');
    }
  });
});
