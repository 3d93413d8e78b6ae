// `.tsigma-lint.yml`: rules to disable, severity overrides, paths to exclude and extra tag namespaces.
// validateLintConfig checks a plain object; loadLintConfig reads a file and calls it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { isLintRuleId, SEVERITIES, type LintRuleId, type Severity } from './rules.js';

/** The file name looked up beside the linted paths. */
export const LINT_CONFIG_FILE = '.tsigma-lint.yml';

/** A lint configuration (every key optional). */
export interface LintConfig {
  disable: LintRuleId[];
  severity: Partial<Record<LintRuleId, Severity>>;
  /** Globs relative to each linted directory. */
  exclude: string[];
  tagNamespaces: string[];
}

/** Why a lint configuration was rejected. */
export type LintConfigErrorCode = 'io' | 'yaml_syntax' | 'not_a_mapping' | 'unknown_key' | 'invalid_value' | 'unknown_rule';

/** A configuration problem, naming the file and the key. */
export class LintConfigError extends Error {
  override readonly name = 'LintConfigError';
  constructor(
    readonly code: LintConfigErrorCode,
    detail: string,
    readonly file: string,
    readonly key?: string,
    options?: ErrorOptions,
  ) {
    super(`${file}${key === undefined ? '' : ` (${key})`}: ${detail}`, options);
  }
}

const KEYS = ['disable', 'severity', 'exclude', 'tag-namespaces'];

/** An empty configuration: every rule at its default severity. */
export function defaultLintConfig(): LintConfig {
  return { disable: [], severity: {}, exclude: [], tagNamespaces: [] };
}

/** Checks a parsed configuration object; `file` names it in errors. */
export function validateLintConfig(value: unknown, file: string): LintConfig {
  const config = defaultLintConfig();
  if (value === null || value === undefined) return config;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new LintConfigError('not_a_mapping', 'the configuration must be a mapping', file);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!KEYS.includes(key)) throw new LintConfigError('unknown_key', `unknown key; expected one of ${KEYS.join(', ')}`, file, key);
    if (key === 'severity') {
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        throw new LintConfigError('invalid_value', 'must map rule ids to error, warning or info', file, key);
      for (const [rule, severity] of Object.entries(v as Record<string, unknown>)) {
        if (!isLintRuleId(rule)) throw new LintConfigError('unknown_rule', `'${rule}' is not a lint rule`, file, `severity.${rule}`);
        if (!SEVERITIES.includes(severity as Severity))
          throw new LintConfigError(
            'invalid_value',
            `must be error, warning or info, not ${JSON.stringify(severity)}`,
            file,
            `severity.${rule}`,
          );
        config.severity[rule] = severity as Severity;
      }
      continue;
    }
    const list = stringList(v, file, key);
    if (key === 'disable') {
      list.forEach((rule, i) => {
        if (!isLintRuleId(rule)) throw new LintConfigError('unknown_rule', `'${rule}' is not a lint rule`, file, `disable[${i}]`);
        config.disable.push(rule);
      });
    } else if (key === 'exclude') config.exclude = list;
    else config.tagNamespaces = list;
  }
  return config;
}

function stringList(v: unknown, file: string, key: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new LintConfigError('invalid_value', 'must be a list of strings', file, key);
  return v as string[];
}

/** Reads and checks a configuration file. */
export function loadLintConfig(file: string): LintConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LintConfigError('io', `cannot read: ${(error as Error).message}`, file, undefined, { cause: error });
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new LintConfigError('yaml_syntax', (error as Error).message.split('\n')[0] ?? 'invalid YAML', file, undefined, { cause: error });
  }
  return validateLintConfig(value, file);
}

/**
 * The `.tsigma-lint.yml` that applies to `start` (a directory): in it or its nearest ancestor, not looking past a
 * repository root (a directory holding `.git`).
 */
export function findLintConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, LINT_CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir || existsSync(join(dir, '.git'))) return undefined;
    dir = parent;
  }
}
