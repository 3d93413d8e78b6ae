import { describe, expect, it } from 'vitest';
import type { FilterRule } from './ast.js';
import { parseSigmaYaml } from './parse-yaml.js';

function filter(body: string, extra = 'logsource:\n  product: windows\n'): string {
  return `title: F\n${extra}filter:\n${body}`;
}

function only(text: string): FilterRule {
  const c = parseSigmaYaml(text);
  expect(c.errors.filter((e) => e.severity === 'error').map(String)).toEqual([]);
  expect(c.filters).toHaveLength(1);
  return c.filters[0] as FilterRule;
}

function codes(text: string): string[] {
  return parseSigmaYaml(text).errors.map((e) => `${e.severity}:${e.code}`);
}

describe('filter rules', () => {
  it('reads target rules and the detection part', () => {
    const r = only(
      filter(
        "  rules: [6f3e2987-db24-4c78-a860-b4f4095a7095, rar_compression]\n  selection:\n    User|startswith: 'adm_'\n  condition: not selection\n",
      ),
    );
    expect(r.kind).toBe('filter');
    expect(r.rules).toEqual(['6f3e2987-db24-4c78-a860-b4f4095a7095', 'rar_compression']);
    expect(r.logsource).toEqual({ product: 'windows', custom: {} });
    expect([...r.detection.named.keys()]).toEqual(['selection']);
    expect(r.detection.conditions).toEqual([{ op: 'not', arg: { op: 'id', name: 'selection' } }]);
  });

  it('reads any and an empty list as every rule (test vector 10)', () => {
    expect(only(filter('  rules: any\n  sel: x\n  condition: sel\n')).rules).toBe('any');
    expect(only(filter('  rules: ANY\n  sel: x\n  condition: sel\n')).rules).toBe('any');
    expect(only(filter('  rules: []\n  sel: x\n  condition: sel\n')).rules).toBe('any');
    expect(only(filter('  rules: one\n  sel: x\n  condition: sel\n')).rules).toEqual(['one']);
  });

  it('warns about level, status and a missing logsource', () => {
    expect(codes(filter('  rules: any\n  sel: x\n  condition: sel\n', 'level: high\nstatus: test\n'))).toEqual([
      'warning:invalid_filter',
      'warning:invalid_filter',
      'warning:invalid_filter',
    ]);
    expect(only(filter('  rules: any\n  sel: x\n  condition: sel\n', '')).logsource).toBeUndefined();
  });

  it('rejects bad filter blocks', () => {
    expect(codes('title: F\nlogsource: {}\nfilter: x')).toEqual(['error:invalid_filter']);
    expect(codes(filter('  sel: x\n  condition: sel\n'))).toEqual(['error:missing_field']);
    expect(codes(filter('  rules: {a: 1}\n  sel: x\n  condition: sel\n'))).toEqual(['error:invalid_filter']);
    expect(codes(filter('  rules: [a, 5]\n  sel: x\n  condition: sel\n'))).toEqual(['error:invalid_filter']);
    expect(codes(filter('  rules: any\n  sel: x\n  condition: [sel, not sel]\n'))).toEqual(['error:invalid_filter']);
    expect(codes(filter('  rules: any\n  sel: x\n'))).toEqual(['error:missing_field']);
    expect(codes(filter('  rules: any\n  sel: x\n  condition: nope\n'))).toEqual(['error:unknown_identifier']);
  });
});
