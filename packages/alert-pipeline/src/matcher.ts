// Alertmanager-style matchers (spec 08 §3) used by silences and inhibit rules: `{selector, op, value}` with
// `=`, `!=`, `=~`, `!~`. Regexes compile with RE2JS, as the engine's `|re` does, so a matcher runs in linear time.

import type { EvaluationResult } from '@tsigma/eval';
import { RuntimeError, Selector, stringForm } from '@tsigma/runtime';
import { RE2JS } from 're2js';

/** A matcher operator. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

const OPS: readonly MatchOp[] = ['=', '!=', '=~', '!~'];

/** A matcher as written in config files and API bodies. */
export interface MatcherSpec {
  selector: string;
  /** Default `=`. */
  op?: MatchOp;
  value: string;
}

/** Why a matcher spec does not compile: which part (`selector`, `op`, `value`) and the message. */
export class MatcherProblem {
  constructor(
    readonly part: 'selector' | 'op' | 'value',
    readonly kind: 'invalid_selector' | 'invalid_value' | 'invalid_regex',
    readonly message: string,
  ) {}
}

/** One compiled matcher. */
export class Matcher {
  private constructor(
    readonly selector: Selector,
    readonly op: MatchOp,
    readonly value: string,
    private readonly regex: RE2JS | undefined,
  ) {}

  /** Compiles a spec, or returns what is wrong with it. */
  static compile(spec: MatcherSpec): Matcher | MatcherProblem {
    let selector: Selector;
    try {
      selector = Selector.parse(spec.selector);
    } catch (error) {
      if (error instanceof RuntimeError) return new MatcherProblem('selector', 'invalid_selector', error.message);
      throw error;
    }
    const op = spec.op ?? '=';
    if (!OPS.includes(op))
      return new MatcherProblem('op', 'invalid_value', `unknown op "${String(op)}": expected one of ${OPS.join(', ')}`);
    let regex: RE2JS | undefined;
    if (op === '=~' || op === '!~') {
      try {
        // Anchored like Alertmanager: the whole value must match (testExact), never a substring.
        regex = RE2JS.compile(`(?:${spec.value})`);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return new MatcherProblem(
          'value',
          'invalid_regex',
          `regex ${JSON.stringify(spec.value)} does not compile (linear-time RE2 syntax): ${why}`,
        );
      }
    }
    return new Matcher(selector, op, spec.value, regex);
  }

  /** The spec this matcher was compiled from, op made explicit. */
  get spec(): Required<MatcherSpec> {
    return { selector: this.selector.name, op: this.op, value: this.value };
  }

  /** Whether the matcher holds for `result`; an absent value compares as the empty string. */
  matches(result: EvaluationResult): boolean {
    const value = this.selector.resolve(result);
    const positive = this.op === '=' || this.op === '=~';
    if (this.selector.multiValued && Array.isArray(value)) {
      // `=`/`=~`: some tag matches; `!=`/`!~`: no tag matches.
      const some = value.some((v) => this.test(stringForm(v)));
      return positive ? some : !some;
    }
    const hit = this.test(value === undefined ? '' : stringForm(value));
    return positive ? hit : !hit;
  }

  private test(text: string): boolean {
    return this.regex === undefined ? text === this.value : this.regex.testExact(text);
  }
}

/** Matchers that must all hold; an empty set never holds (so an empty silence cannot mute everything). */
export class MatcherSet {
  constructor(readonly matchers: readonly Matcher[]) {}

  matches(result: EvaluationResult): boolean {
    if (this.matchers.length === 0) return false;
    for (const m of this.matchers) if (!m.matches(result)) return false;
    return true;
  }
}
