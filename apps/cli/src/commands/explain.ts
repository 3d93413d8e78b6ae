// `tsigma explain -r RULES -e EVENT` (spec 11 §8): why each detection rule did or did not match one event.
import { readFile } from 'node:fs/promises';
import { JsonEvent, type RuleExplanation } from '@tsigma/eval';
import { RuntimeEngine } from '@tsigma/runtime';
import { listOption, parseCommandArgs, stringOption } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat } from '../output-format.js';
import { loadPipelines } from '../pipelines.js';
import { noteUnresolvedSources, offlineSources } from '../sources.js';
import { readAllStdin } from '../stdin.js';
import { loadRules, requireRules } from '../rule-loading.js';
import { renderExplanation } from './explain-render.js';
import { reportLoadIssues } from './load-issues.js';

/** Runs `tsigma explain`. */
export async function runExplain(argv: string[], io: CliIo): Promise<number> {
  const { values, globals } = parseCommandArgs(argv, {
    rules: { type: 'string', short: 'r', multiple: true },
    pipeline: { type: 'string', short: 'p', multiple: true },
    event: { type: 'string', short: 'e' },
    'rule-id': { type: 'string' },
    'show-pipeline': { type: 'boolean' },
    'no-logsource-routing': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  });
  const rulePaths = listOption(values.rules);
  if (rulePaths.length === 0) throw new CliError(EXIT_USAGE, 'explain needs -r/--rules <path>');
  const format = globals.outputFormat === undefined ? 'human' : chooseOutputFormat(globals.outputFormat, io.stdout);
  const event = await readSingleEvent(stringOption(values.event) ?? '-', io);

  const pipelines = await loadPipelines(listOption(values.pipeline));
  await noteUnresolvedSources(pipelines, io.stderr, globals.quiet);
  const engine = new RuntimeEngine({
    rulesPath: rulePaths,
    pipelines,
    skipInvalidRules: true,
    sources: offlineSources(),
    logSourceRouting: values['no-logsource-routing'] !== true,
  });
  const stats = await loadRules(engine);
  if (!globals.quiet) await reportLoadIssues(stats.issues, values.verbose === true, io);
  requireRules(engine, rulePaths, stats.detectionRules, 'detection rule');
  if (stats.correlationRules > 0 && !globals.quiet) {
    await writeOut(io.stderr, `note: ${stats.correlationRules} correlation rule(s) skipped: they cannot be decided on one event\n`);
  }
  const ruleId = stringOption(values['rule-id']);
  const explanations: RuleExplanation[] = engine.explain(event, ruleId === undefined ? undefined : { ruleId });
  if (explanations.length === 0) {
    throw new CliError(EXIT_RULE_ERROR, ruleId === undefined ? 'no rule to explain' : `no rule with id or title "${ruleId}"`);
  }
  if (format === 'json') await writeOut(io.stdout, explanationJson(explanations, 2) + '\n');
  else if (format === 'ndjson') for (const e of explanations) await writeOut(io.stdout, explanationJson(e) + '\n');
  else {
    const applied = values['show-pipeline'] === true ? engine.appliedPipelineItems() : undefined;
    for (const e of explanations) {
      if (applied) await writeOut(io.stdout, `pipeline items: ${(applied.get(e.rule_id ?? e.rule_title) ?? []).join(', ') || '(none)'}\n`);
      await writeOut(io.stdout, renderExplanation(e));
    }
  }
  return EXIT_OK;
}

async function readSingleEvent(spec: string, io: CliIo): Promise<JsonEvent> {
  let text: string;
  try {
    if (spec === '-') text = await readAllStdin(io.stdin);
    else if (spec.startsWith('@')) text = await readFile(spec.slice(1), 'utf8');
    else text = spec;
  } catch (error) {
    throw new CliError(EXIT_USAGE, `${spec.slice(1)}: cannot read event (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(EXIT_USAGE, `event: invalid JSON (${(error as Error).message})`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CliError(EXIT_USAGE, 'event: must be one JSON object');
  return new JsonEvent(value);
}

/** Explanations as JSON; an event nested too deeply for JSON.stringify is a usage error, like an invalid event. */
function explanationJson(value: RuleExplanation | RuleExplanation[], indent?: number): string {
  try {
    return JSON.stringify(value, null, indent);
  } catch (error) {
    throw new CliError(EXIT_USAGE, `event: nested too deeply to print its explanation as JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}
