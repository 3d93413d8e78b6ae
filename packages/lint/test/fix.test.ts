// `--fix` on copies of the fixtures: the fixed rules are gone, comments and layout stay, and a second run changes nothing.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixText, LINT_RULES, lintPaths, lintText, type LintRuleId } from '../src/index.js';

const FIXABLE = (Object.keys(LINT_RULES) as LintRuleId[]).filter((id) => 'fixable' in LINT_RULES[id]);
const dir = mkdtempSync(join(tmpdir(), 'tsigma-lint-fix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--fix', () => {
  it('lists the mechanical rules as fixable', () => {
    expect(FIXABLE.sort()).toEqual([
      'duplicate_fields',
      'duplicate_references',
      'duplicate_tags',
      'logsource_value_not_lowercase',
      'non_lowercase_key',
      'wildcard_only_value',
    ]);
  });

  it('fixes the fixtures in place, twice with the same result, leaving no fixable finding', () => {
    cpSync(join(import.meta.dirname, 'fixtures/broken'), dir, { recursive: true });
    const before = lintPaths([dir]);
    expect(before.findings.filter((f) => f.fixable).map((f) => f.rule)).toEqual(expect.arrayContaining([...FIXABLE]));
    const first = lintPaths([dir], { fix: true });
    const texts = first.files.map((f) => readFileSync(f.path, 'utf8'));
    expect(first.files.filter((f) => f.fixed).map((f) => f.path.slice(dir.length + 1))).toEqual(['keys-and-values.yml', 'metadata.yml']);
    expect(first.findings.filter((f) => FIXABLE.includes(f.rule))).toEqual([]);
    const second = lintPaths([dir], { fix: true });
    expect(second.files.some((f) => f.fixed)).toBe(false);
    expect(second.files.map((f) => readFileSync(f.path, 'utf8'))).toEqual(texts);
    expect(second.findings).toEqual(first.findings);
  });

  it('rewrites only the lines concerned and keeps comments', () => {
    const text = [
      '# a rule',
      'title: Fix me # keep',
      'Description: d',
      'author: me',
      'level: low',
      'tags:',
      '  - attack.t1059 # first',
      '  - attack.t1059 # again',
      '  - attack.execution',
      'logsource:',
      "  product: 'Windows'   # quoted",
      'detection:',
      '  sel:',
      "    Image|endswith: '*'  # any",
      '  condition: sel',
      '',
    ].join('\n');
    const fixed = fixText(text);
    expect(fixed).toBe(
      [
        '# a rule',
        'title: Fix me # keep',
        'description: d',
        'author: me',
        'level: low',
        'tags:',
        '  - attack.t1059 # first',
        '  - attack.execution',
        'logsource:',
        "  product: 'windows'   # quoted",
        'detection:',
        '  sel:',
        '    Image|exists: true  # any',
        '  condition: sel',
        '',
      ].join('\n'),
    );
    expect(fixText(fixed)).toBe(fixed);
    expect(lintText(fixed)).toEqual([]);
  });

  it('leaves flow lists and keys that would collide alone', () => {
    const text =
      'title: x\ndescription: d\nauthor: a\nlevel: low\ntags: [attack.t1, attack.t1]\nTitle: y\nlogsource: {product: windows}\ndetection: {sel: {A: b}, condition: sel}\n';
    expect(fixText(text)).toBe(text);
    expect(lintText(text).map((f) => [f.rule, f.fixable])).toEqual([
      ['duplicate_tags', false],
      ['non_lowercase_key', false],
    ]);
  });
});
