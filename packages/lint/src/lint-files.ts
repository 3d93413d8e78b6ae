// Lints files and directories: walks them, applies the configuration (exclude, disable, severities), resolves
// rule references across a directory run, and with `fix` rewrites files in place.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { defaultLintConfig, type LintConfig } from './config.js';
import type { Finding } from './finding.js';
import { fixText } from './fix.js';
import { globMatcher } from './glob.js';
import { lintTextReport, type LintTextOptions, type LocatedReference } from './lint-text.js';
import { LINT_RULES } from './rules.js';

/** Options of {@link lintPaths}. */
export interface LintPathsOptions {
  config?: LintConfig;
  /** Rewrite fixable findings in place before reporting what is left. */
  fix?: boolean;
}

/** One linted file and its findings. */
export interface FileReport {
  path: string;
  findings: Finding[];
  /** True when `fix` changed the file. */
  fixed: boolean;
}

/** The result of a lint run. */
export interface LintRun {
  files: FileReport[];
  findings: Finding[];
}

/** A path given to {@link lintPaths} that does not exist or cannot be listed. */
export class LintPathError extends Error {
  override readonly name = 'LintPathError';
  readonly code = 'unreadable_path';
  constructor(
    readonly path: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${detail}`, options);
  }
}

/**
 * Lints rule files and directories (recursively, `*.yml` / `*.yaml`, hidden entries skipped).
 *
 * @example
 * const { findings } = lintPaths(['rules/'], { config: loadLintConfig('.tsigma-lint.yml') });
 */
export function lintPaths(paths: readonly string[], options: LintPathsOptions = {}): LintRun {
  const config = options.config ?? defaultLintConfig();
  const excluded = config.exclude.map(globMatcher);
  const textOptions: LintTextOptions = { tagNamespaces: config.tagNamespaces, severity: config.severity, disable: config.disable };
  const files: FileReport[] = [];
  const references: { file: FileReport; ref: LocatedReference }[] = [];
  const defined = new Set<string>();
  let directoryRun = false;

  for (const root of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(root).isDirectory();
    } catch (error) {
      throw new LintPathError(root, `cannot read: ${(error as Error).message}`, { cause: error });
    }
    directoryRun ||= isDirectory;
    const list = isDirectory ? ruleFiles(root, root, excluded) : [root];
    for (const path of list) {
      const file: FileReport = { path, findings: [], fixed: false };
      files.push(file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if (!config.disable.includes('file_read_error'))
          file.findings.push({
            path,
            line: 1,
            column: 1,
            severity: config.severity.file_read_error ?? LINT_RULES.file_read_error.severity,
            rule: 'file_read_error',
            message: `cannot read: ${(error as Error).message}`,
            pointer: '',
            document: 0,
            fixable: false,
          });
        continue;
      }
      if (options.fix === true) {
        const fixed = fixText(text, { ...textOptions, path });
        if (fixed !== text) {
          writeFileSync(path, fixed);
          text = fixed;
          file.fixed = true;
        }
      }
      const report = lintTextReport(text, { ...textOptions, path });
      file.findings.push(...report.findings);
      for (const name of report.defines) defined.add(name);
      for (const ref of report.references) {
        const off = report.suppressed.get(ref.line);
        if (off === undefined || !(off.has('*') || off.has('unknown_rule_reference'))) references.push({ file, ref });
      }
    }
  }

  // A single file may reference rules kept elsewhere, so references are only resolved over directories.
  if (directoryRun && !config.disable.includes('unknown_rule_reference')) {
    for (const { file, ref } of references) {
      if (defined.has(ref.name)) continue;
      file.findings.push({
        path: file.path,
        line: ref.line,
        column: ref.column,
        severity: config.severity.unknown_rule_reference ?? LINT_RULES.unknown_rule_reference.severity,
        rule: 'unknown_rule_reference',
        message: `no rule with id or name '${ref.name}' among the linted rules`,
        pointer: ref.pointer,
        document: ref.document,
        fixable: false,
      });
      file.findings.sort((a, b) => a.line - b.line || a.column - b.column);
    }
  }
  return { files, findings: files.flatMap((f) => f.findings) };
}

function ruleFiles(root: string, dir: string, excluded: ((path: string) => boolean)[]): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new LintPathError(dir, `cannot list: ${(error as Error).message}`, { cause: error });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    const rel = relative(root, path).split(sep).join('/');
    if (excluded.some((match) => match(rel))) continue;
    if (entry.isDirectory()) out.push(...ruleFiles(root, path, excluded));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(path);
  }
  return out;
}
