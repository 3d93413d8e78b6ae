// `tsigma validate <path>...` (spec 11 §4): parse every rule file, apply pipelines, compile, report per file.
import type { RuleLoadError } from '@tsigma/eval';
import { describeRuleLoadError, RuntimeEngine } from '@tsigma/runtime';
import { listOption, parseCommandArgs } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat, TABULAR_FORMATS } from '../output-format.js';
import { renderRows } from '../rows-view.js';
import { loadPipelines } from '../pipelines.js';
import { loadRules, requireRules } from '../rule-loading.js';
import { createRunLogger } from '../cli-logger.js';
import { commandSources, noteUnresolvedSources, SOURCE_OPTIONS } from '../sources.js';

interface FileReport {
  path: string;
  status: 'ok' | 'error';
  errors: Record<string, unknown>[];
}

/** Runs `tsigma validate`. */
export async function runValidate(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(argv, {
    pipeline: { type: 'string', short: 'p', multiple: true },
    verbose: { type: 'boolean', short: 'v' },
    'resolve-sources': { type: 'boolean' },
    ...SOURCE_OPTIONS,
  });
  if (positionals.length === 0) throw new CliError(EXIT_USAGE, 'validate needs at least one rule file or directory');
  const format = globals.outputFormat === undefined ? 'human' : chooseOutputFormat(globals.outputFormat, io.stdout, TABULAR_FORMATS);
  const pipelines = await loadPipelines(listOption(values.pipeline));
  // --resolve-sources is the strict gate: every declared source must resolve, optional ones included (spec 11 §4).
  const resolve = values['resolve-sources'] === true;
  const logger = createRunLogger(globals.logLevel, (line) => io.stderr.write(line + '\n'));
  const sources = await commandSources(values, { resolve, strict: resolve, logger });
  if (!resolve) await noteUnresolvedSources(pipelines, io.stderr, globals.quiet);
  // The same load as `eval`: every problem of every file, each once, with its position.
  const engine = new RuntimeEngine({ rulesPath: positionals, pipelines, skipInvalidRules: true, sources });
  const stats = await loadRules(engine);
  const errorsByFile = new Map<string, Record<string, unknown>[]>(engine.ruleFiles().map((f) => [f, []]));
  const messageLines: string[] = [];
  const failedDocuments = new Set<string>();
  let parseErrors = 0;
  for (const error of stats.skipped) {
    if (error.stage === 'parse') parseErrors++;
    failedDocuments.add(`${error.file ?? ''}\u0000${error.documentIndex ?? -1}`);
    const file = error.file ?? '(unknown file)';
    if (!errorsByFile.has(file)) errorsByFile.set(file, []);
    errorsByFile.get(file)?.push(describeLoadError(error));
    messageLines.push(describeRuleLoadError(error));
  }
  const compileErrors = stats.skipped.length - parseErrors;
  const documents = stats.detectionRules + stats.correlationRules + stats.filterRules + failedDocuments.size;

  const reports: FileReport[] = [...errorsByFile].map(([path, errors]) => ({
    path,
    status: errors.length > 0 ? 'error' : 'ok',
    errors,
  }));
  const summary = {
    documents,
    detection_rules: stats.detectionRules,
    correlation_rules: stats.correlationRules,
    filter_rules: stats.filterRules,
    parse_errors: parseErrors,
    compile_errors: compileErrors,
    pipelines: pipelines.length,
  };

  if (format === 'json') await writeOut(io.stdout, JSON.stringify({ summary, files: reports }, null, 2) + '\n');
  else if (format === 'ndjson') for (const r of reports) await writeOut(io.stdout, JSON.stringify(r) + '\n');
  else if (format === 'table' || format === 'csv' || format === 'tsv') {
    await writeOut(
      io.stdout,
      renderRows(
        format,
        ['PATH', 'STATUS', 'ERRORS'],
        reports.map((r) => [r.path, r.status, String(r.errors.length)]),
      ),
    );
  } else {
    if (values.verbose === true) for (const r of reports) await writeOut(io.stdout, `${r.status === 'ok' ? 'ok   ' : 'error'} ${r.path}\n`);
    await writeOut(io.stdout, renderHumanSummary(summary, positionals));
    for (const line of messageLines) await writeOut(io.stderr, line + '\n');
  }
  // After the report, so it still shows what was (not) found.
  requireRules(engine, positionals, documents, 'Sigma document');
  return stats.skipped.length > 0 ? EXIT_RULE_ERROR : EXIT_OK;
}

function renderHumanSummary(s: Record<string, number>, paths: string[]): string {
  return [
    `Parsed ${s.documents} documents from ${paths.join(', ')}`,
    `  Detection rules:   ${s.detection_rules}`,
    `  Correlation rules: ${s.correlation_rules}`,
    `  Filter rules:      ${s.filter_rules}`,
    `  Parse errors:      ${s.parse_errors}`,
    `  Compile errors:    ${s.compile_errors}`,
    `  Pipelines:         ${s.pipelines}`,
    '',
  ].join('\n');
}

function describeLoadError(error: RuleLoadError): Record<string, unknown> {
  return {
    code: error.code,
    severity: error.severity,
    file: error.file ?? null,
    line: error.line ?? null,
    column: error.column ?? null,
    path: error.pointer ?? null,
    message: error.message,
    rule: error.title,
  };
}
