import { describe, expect, it } from 'vitest';
import { detection } from '../test/builders.js';
import { Matcher, MatcherProblem, MatcherSet, type MatcherSpec } from './matcher.js';

function compile(spec: MatcherSpec): Matcher {
  const m = Matcher.compile(spec);
  if (m instanceof MatcherProblem) throw new Error(m.message);
  return m;
}

const tagged = detection('10.0.0.1', 'high', { tags: ['attack.t1110', 'attack.credential_access'] });

describe('Matcher', () => {
  it.each<[MatcherSpec, boolean]>([
    [{ selector: 'match.SourceIp', value: '10.0.0.1' }, true],
    [{ selector: 'match.SourceIp', op: '=', value: '10.0.0.2' }, false],
    [{ selector: 'match.SourceIp', op: '!=', value: '10.0.0.2' }, true],
    [{ selector: 'match.SourceIp', op: '=~', value: '10\\.0\\.0\\.\\d+' }, true],
    [{ selector: 'match.SourceIp', op: '=~', value: '10\\.0' }, false], // anchored: no substring match
    [{ selector: 'match.SourceIp', op: '!~', value: '192\\..*' }, true],
    [{ selector: 'level', op: '=~', value: 'high|critical' }, true],
    // An absent value compares as the empty string.
    [{ selector: 'match.User', value: '' }, true],
    [{ selector: 'match.User', op: '!=', value: 'bob' }, true],
    [{ selector: 'match.User', op: '=~', value: '.*' }, true],
    // tags: = and =~ hold when some tag matches; != and !~ when none does.
    [{ selector: 'tags', value: 'attack.t1110' }, true],
    [{ selector: 'tags', op: '=~', value: 'attack\\..*' }, true],
    [{ selector: 'tags', op: '!=', value: 'attack.t1110' }, false],
    [{ selector: 'tags', op: '!=', value: 'attack.t9999' }, true],
    [{ selector: 'tags', op: '!~', value: 'attack\\.t1.*' }, false],
  ])('%j → %s', (spec, expected) => {
    expect(compile(spec).matches(tagged)).toBe(expected);
  });

  it('regexes run in linear time: a catastrophic pattern for backtracking engines answers at once', () => {
    const m = compile({ selector: 'match.SourceIp', op: '=~', value: '(a+)+$' });
    expect(m.matches(detection('a'.repeat(50_000) + '!'))).toBe(false);
  });

  it.each<[MatcherSpec, string, string]>([
    [{ selector: 'rule', op: '=~', value: '(' }, 'value', 'invalid_regex'],
    [{ selector: 'rule', op: '=~', value: '(a)\\1' }, 'value', 'invalid_regex'], // backreferences are not linear-time
    [{ selector: 'nope', value: 'x' }, 'selector', 'invalid_selector'],
    [{ selector: 'rule', op: '~' as never, value: 'x' }, 'op', 'invalid_value'],
  ])('%j does not compile (%s)', (spec, part, kind) => {
    const problem = Matcher.compile(spec);
    expect(problem).toBeInstanceOf(MatcherProblem);
    expect(problem).toMatchObject({ part, kind });
  });

  it('a set holds when every matcher holds; an empty set never holds', () => {
    const ip = compile({ selector: 'match.SourceIp', value: '10.0.0.1' });
    const level = compile({ selector: 'level', value: 'critical' });
    expect(new MatcherSet([ip]).matches(tagged)).toBe(true);
    expect(new MatcherSet([ip, level]).matches(tagged)).toBe(false);
    expect(new MatcherSet([]).matches(tagged)).toBe(false);
  });
});
