// `tsigma validate <path>...` (spec 11 §4): parse every rule file, apply pipelines, compile, report per file.
import { parseSigmaFiles } from '@tsigma/parser';
import { CorrelationEngine, type RuleLoadError } from '@tsigma/eval';
import { describeRuleLoadError, findRuleFiles } from '@tsigma/runtime';
import { listOption, parseCommandArgs } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat, renderTable } from '../output-format.js';
import { loadPipelines } from '../pipelines.js';
import { runtimeErrorAsCliError } from '../rule-loading.js';
import { describeError } from './parse.js';

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
  });
  if (positionals.length === 0) throw new CliError(EXIT_USAGE, 'validate needs at least one rule file or directory');
  const format = globals.outputFormat === undefined ? 'human' : chooseOutputFormat(globals.outputFormat, io.stdout);
  const pipelines = await loadPipelines(listOption(values.pipeline));
  const files = await findRuleFiles(positionals).catch((error: unknown) => {
    throw runtimeErrorAsCliError(error);
  });

  const merged = await parseSigmaFiles(files);
  const errorsByFile = new Map<string, Record<string, unknown>[]>(files.map((f) => [f, []]));
  const messageLines: string[] = [];
  let parseErrors = 0;
  const failedDocuments = new Set<string>();
  for (const error of merged.errors) {
    if (error.severity !== 'error') continue;
    parseErrors++;
    failedDocuments.add(`${error.file ?? ''}\u0000${error.documentIndex ?? -1}`);
    errorsByFile.get(error.file ?? '')?.push(describeError(error));
    messageLines.push(error.toString());
  }
  const documents = merged.rules.length + merged.correlations.length + merged.filters.length + failedDocuments.size;

  const engine = new CorrelationEngine();
  for (const pipeline of pipelines) engine.addPipeline(pipeline);
  const report = engine.addCollection(merged);
  const compileErrors = report.errors.filter((e) => e.severity === 'error');
  for (const error of compileErrors) {
    const file = error.file ?? '(unknown file)';
    if (!errorsByFile.has(file)) errorsByFile.set(file, []);
    errorsByFile.get(file)?.push(describeLoadError(error));
    messageLines.push(describeRuleLoadError(error));
  }

  const reports: FileReport[] = [...errorsByFile].map(([path, errors]) => ({
    path,
    status: errors.length > 0 ? 'error' : 'ok',
    errors,
  }));
  const summary = {
    documents,
    detection_rules: merged.rules.length,
    correlation_rules: merged.correlations.length,
    filter_rules: merged.filters.length,
    parse_errors: parseErrors,
    compile_errors: compileErrors.length,
    pipelines: pipelines.length,
  };

  if (format === 'json') await writeOut(io.stdout, JSON.stringify({ summary, files: reports }, null, 2) + '\n');
  else if (format === 'ndjson') for (const r of reports) await writeOut(io.stdout, JSON.stringify(r) + '\n');
  else if (format === 'table') {
    await writeOut(
      io.stdout,
      renderTable(
        ['PATH', 'STATUS', 'ERRORS'],
        reports.map((r) => [r.path, r.status, String(r.errors.length)]),
      ),
    );
  } else {
    if (values.verbose === true) for (const r of reports) await writeOut(io.stdout, `${r.status === 'ok' ? 'ok   ' : 'error'} ${r.path}\n`);
    await writeOut(io.stdout, renderHumanSummary(summary, positionals));
    for (const line of messageLines) await writeOut(io.stderr, line + '\n');
  }
  return parseErrors + compileErrors.length > 0 ? EXIT_RULE_ERROR : EXIT_OK;
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
    line: null,
    column: null,
    path: null,
    message: error.message,
    rule: error.title,
  };
}
