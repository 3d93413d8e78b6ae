import { describe, expect, it } from 'vitest';
import { lintText } from './lint-text.js';

const RULE = [
  'title: Suppressed',
  'description: d',
  'author: a',
  'level: low',
  'logsource:',
  '  product: windows',
  'detection:',
  '  sel:',
  '    # tsigma-lint-disable-next-line wildcard_only_value',
  "    Image: '*'",
  "    User: '*'",
  '  condition: sel',
  '',
].join('\n');

describe('lintText', () => {
  it('suppresses the named rule on the next line only', () => {
    expect(lintText(RULE).map((f) => [f.rule, f.line])).toEqual([['wildcard_only_value', 11]]);
  });

  it('suppresses every rule when the comment names none, across stacked comments', () => {
    const text = RULE.replace(
      '# tsigma-lint-disable-next-line wildcard_only_value',
      '# tsigma-lint-disable-next-line\n    # why: both on purpose',
    );
    expect(lintText(text).map((f) => [f.rule, f.line])).toEqual([['wildcard_only_value', 12]]);
  });

  it('leaves other rules on a suppressed line alone', () => {
    const text = RULE.replace('wildcard_only_value', 'missing_author');
    expect(lintText(text).map((f) => f.line)).toEqual([10, 11]);
  });

  it('applies severity overrides and disabled rules', () => {
    expect(lintText(RULE, { severity: { wildcard_only_value: 'error' } }).map((f) => f.severity)).toEqual(['error']);
    expect(lintText(RULE, { disable: ['wildcard_only_value'] })).toEqual([]);
  });

  it('accepts extra tag namespaces', () => {
    const text = RULE.replace('level: low', 'level: low\ntags:\n  - acme.internal');
    expect(lintText(text).map((f) => f.rule)).toContain('unknown_tag_namespace');
    expect(lintText(text, { tagNamespaces: ['acme'] }).map((f) => f.rule)).not.toContain('unknown_tag_namespace');
  });

  it('allows engine-specific tsigma.* and rsigma.* keys', () => {
    const text = RULE.replace('level: low', 'level: low\ntsigma.note: x\nrsigma.window: sliding');
    expect(lintText(text).map((f) => f.rule)).not.toContain('unknown_key');
  });

  it('records path, pointer and document of each finding', () => {
    expect(lintText(`${RULE}---\ntitle: Second\n`, { path: 'x.yml' }).at(-1)).toMatchObject({
      path: 'x.yml',
      document: 1,
      rule: 'missing_logsource',
      pointer: '/logsource',
      line: 14,
      column: 1,
    });
  });
});
