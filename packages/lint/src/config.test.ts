import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLintConfig, LintConfigError, loadLintConfig, validateLintConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'tsigma-lint-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rejection(value: unknown): { code: string; key?: string | undefined } {
  try {
    validateLintConfig(value, 'c.yml');
  } catch (error) {
    if (error instanceof LintConfigError) return { code: error.code, key: error.key };
    throw error;
  }
  throw new Error('accepted');
}

describe('lint configuration', () => {
  it('reads disable, severity, exclude and tag-namespaces', () => {
    expect(
      validateLintConfig(
        { disable: ['missing_author'], severity: { missing_level: 'error' }, exclude: ['old/**'], 'tag-namespaces': ['acme'] },
        'c.yml',
      ),
    ).toEqual({ disable: ['missing_author'], severity: { missing_level: 'error' }, exclude: ['old/**'], tagNamespaces: ['acme'] });
    expect(validateLintConfig(null, 'c.yml').disable).toEqual([]);
  });

  it('names the key of each problem', () => {
    expect(rejection({ disabled: [] })).toEqual({ code: 'unknown_key', key: 'disabled' });
    expect(rejection({ disable: ['nope'] })).toEqual({ code: 'unknown_rule', key: 'disable[0]' });
    expect(rejection({ severity: { nope: 'error' } })).toEqual({ code: 'unknown_rule', key: 'severity.nope' });
    expect(rejection({ severity: { missing_level: 'fatal' } })).toEqual({ code: 'invalid_value', key: 'severity.missing_level' });
    expect(rejection({ exclude: 'old' })).toEqual({ code: 'invalid_value', key: 'exclude' });
    expect(rejection(['x'])).toEqual({ code: 'not_a_mapping', key: undefined });
  });

  it('loads a file and finds the nearest one up to the repository root', () => {
    mkdirSync(join(dir, 'repo/.git'), { recursive: true });
    mkdirSync(join(dir, 'repo/rules/sub'), { recursive: true });
    writeFileSync(join(dir, '.tsigma-lint.yml'), 'disable: [missing_author]\n');
    expect(findLintConfig(join(dir, 'repo/rules/sub'))).toBeUndefined();
    writeFileSync(join(dir, 'repo/.tsigma-lint.yml'), 'exclude: [sub]\n');
    const found = findLintConfig(join(dir, 'repo/rules/sub'));
    expect(found).toBe(join(dir, 'repo/.tsigma-lint.yml'));
    expect(loadLintConfig(found as string).exclude).toEqual(['sub']);
    writeFileSync(join(dir, 'bad.yml'), 'disable: [\n');
    expect(() => loadLintConfig(join(dir, 'bad.yml'))).toThrow(expect.objectContaining({ code: 'yaml_syntax' }));
    expect(() => loadLintConfig(join(dir, 'missing.yml'))).toThrow(expect.objectContaining({ code: 'io' }));
  });
});
