// Test helpers shared by this package's unit tests: YAML rules in, compiled rules and verdicts out.
// Imported only by *.test.ts files; never part of the public API.

import { parseSigmaYaml, type SigmaRule } from '@tsigma/parser';
import { compileRule, type CompiledRule } from './compile.js';
import { evaluateRule } from './evaluate.js';
import { JsonEvent } from './event.js';

/** Parses one rule document; fails the test on parse errors. */
export function parsedRule(yaml: string): SigmaRule {
  const c = parseSigmaYaml(yaml, { file: 'test.yml' });
  const errors = c.errors.filter((e) => e.severity === 'error');
  if (errors.length > 0 || c.rules[0] === undefined) throw new Error(`parse failed: ${errors.map((e) => e.message).join('; ')}`);
  return c.rules[0];
}

/** Parses one rule document and compiles it; fails the test on parse errors. */
export function ruleFrom(yaml: string): CompiledRule {
  return compileRule(parsedRule(yaml));
}

/** A rule document with the given detection body (YAML, indented by the caller as under `detection:`). */
export function ruleYaml(detection: string, extra = ''): string {
  return `title: Test Rule\nid: 00000000-0000-0000-0000-000000000001\nlevel: medium\nlogsource:\n  category: test\n${extra}detection:\n${detection}`;
}

/** Compiles a one-selection rule `sel: {<item>}` with `condition: sel`. */
export function itemRule(item: string): CompiledRule {
  return ruleFrom(ruleYaml(`  sel:\n    ${item}\n  condition: sel\n`));
}

/** Whether a rule matches a JSON value. */
export function matches(rule: CompiledRule, event: unknown): boolean {
  return evaluateRule(rule, new JsonEvent(event)) !== null;
}
