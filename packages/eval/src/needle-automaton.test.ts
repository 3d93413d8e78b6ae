import { describe, expect, it } from 'vitest';
import { NeedleAutomaton } from './needle-automaton.js';

describe('NeedleAutomaton', () => {
  it('merges the group lists of non-ASCII needles sharing a class, however long (200,000 groups)', () => {
    // Every non-ASCII character shares one class, so 'é' and 'ü' end in the same state and their lists merge.
    const many = Array.from({ length: 200_000 }, (_, i) => i + 1);
    const automaton = new NeedleAutomaton(
      new Map([
        ['é', [0]],
        ['ü', many],
      ]),
    );
    const seen: number[] = [];
    automaton.scan('xüx', (groups) => seen.push(groups.length));
    expect(seen).toEqual([200_001]);
  });
});
