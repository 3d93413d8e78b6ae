// `tsigma lint <path>...` (spec 11 §5, issue 19): a thin face over @tsigma/lint — flags and configuration in,
// one of the library's views out, and the exit code from the fail level.
import { dirname } from 'node:path';
import { statSync } from 'node:fs';
import {
  defaultLintConfig,
  findLintConfig,
  isLintRuleId,
  lintFailed,
  LintConfigError,
  LintPathError,
  lintPaths,
  loadLintConfig,
  renderLintHuman,
  renderLintJson,
  renderLintNdjson,
  renderLintSarif,
  renderLintTable,
  SEVERITIES,
  type LintConfig,
  type LintRuleId,
  type Severity,
} from '@tsigma/lint';
import { listOption, parseCommandArgs, stringOption, useColor } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat } from '../output-format.js';
import { renderRows } from '../rows-view.js';
import { cliVersion } from '../version.js';

const LINT_FORMATS = ['human', 'json', 'ndjson', 'table', 'csv', 'tsv', 'sarif'] as const;
const CSV_HEADER = ['PATH', 'SEVERITY', 'RULE', 'LINE', 'COLUMN', 'MESSAGE'];

/** Runs `tsigma lint`. */
export async function runLint(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(argv, {
    fix: { type: 'boolean' },
    'fail-level': { type: 'string' },
    disable: { type: 'string', multiple: true },
    'tag-namespace': { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    config: { type: 'string' },
    'no-config': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  });
  if (positionals.length === 0) throw new CliError(EXIT_USAGE, 'lint needs at least one rule file or directory');
  const format = globals.outputFormat === undefined ? 'human' : chooseOutputFormat(globals.outputFormat, io.stdout, LINT_FORMATS);
  const failLevel = stringOption(values['fail-level']) ?? 'error';
  if (!(SEVERITIES as readonly string[]).includes(failLevel))
    throw new CliError(EXIT_USAGE, `--fail-level must be one of ${SEVERITIES.join(', ')}, not "${failLevel}"`);
  const disable = listOption(values.disable).flatMap((v) =>
    v
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  );
  for (const id of disable) if (!isLintRuleId(id)) throw new CliError(EXIT_USAGE, `--disable: "${id}" is not a lint rule`);

  const config = readConfig(values, positionals[0] as string);
  config.disable.push(...(disable as LintRuleId[]));
  config.exclude.push(...listOption(values.exclude));
  config.tagNamespaces.push(...listOption(values['tag-namespace']));

  let run;
  try {
    run = lintPaths(positionals, { config, fix: values.fix === true });
  } catch (error) {
    if (error instanceof LintPathError) throw new CliError(EXIT_RULE_ERROR, error.message, { cause: error });
    throw error;
  }
  const level = failLevel as Severity;
  const color = useColor(globals.color, io.stdout, io.env);
  if (format === 'human') {
    const text = renderLintHuman(run, { failLevel: level, verbose: values.verbose === true, color });
    // The last line is the summary: stderr (stdout carries only data), and dropped by --no-stats.
    const lines = text.trimEnd().split('\n');
    const summary = lines.pop() ?? '';
    if (lines.length > 0) await writeOut(io.stdout, lines.join('\n') + '\n');
    if (!globals.noStats) await writeOut(io.stderr, summary + '\n');
  } else if (format === 'json') await writeOut(io.stdout, renderLintJson(run, level));
  else if (format === 'ndjson') await writeOut(io.stdout, renderLintNdjson(run));
  else if (format === 'table') await writeOut(io.stdout, renderLintTable(run, { color }));
  else if (format === 'csv' || format === 'tsv') {
    const rows = run.findings.map((f) => [f.path, f.severity, f.rule, String(f.line), String(f.column), f.message]);
    await writeOut(io.stdout, renderRows(format, CSV_HEADER, rows));
  } else await writeOut(io.stdout, renderLintSarif(run, cliVersion()));
  return lintFailed(run, level) ? EXIT_FINDINGS : EXIT_OK;
}

/** `--config FILE`, else the nearest `.tsigma-lint.yml` above the first path, unless `--no-config`. */
function readConfig(values: Record<string, string | boolean | string[] | undefined>, firstPath: string): LintConfig {
  const explicit = stringOption(values.config);
  if (values['no-config'] === true) {
    if (explicit !== undefined) throw new CliError(EXIT_USAGE, '--config and --no-config exclude each other');
    return defaultLintConfig();
  }
  let file = explicit;
  if (file === undefined) {
    let start = firstPath;
    try {
      if (!statSync(firstPath).isDirectory()) start = dirname(firstPath);
    } catch {
      // A path that cannot be read is reported by the lint run itself (exit 2); look beside it meanwhile.
      start = dirname(firstPath);
    }
    file = findLintConfig(start);
  }
  if (file === undefined) return defaultLintConfig();
  try {
    return loadLintConfig(file);
  } catch (error) {
    if (error instanceof LintConfigError) throw new CliError(EXIT_USAGE, `lint configuration ${error.message}`, { cause: error });
    throw error;
  }
}
