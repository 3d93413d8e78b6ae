// `tsigma explain -r RULES -e EVENT` (spec 11 §8): why each detection rule did or did not match one event.
import { readFile } from 'node:fs/promises';
import { Engine, JsonEvent, transformRule, type Pipeline, type RuleExplanation } from '@tsigma/eval';
import type { SigmaCollection } from '@tsigma/parser';
import { listOption, parseCommandArgs, stringOption } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat } from '../output-format.js';
import { describeLoadIssue } from '../load-issues.js';
import { loadPipelines } from '../pipelines.js';
import { readAllStdin } from '../stdin.js';
import { loadRuleCollection } from './eval.js';
import { renderExplanation } from './explain-render.js';

/** Runs `tsigma explain`. */
export async function runExplain(argv: string[], io: CliIo): Promise<number> {
  const { values, globals } = parseCommandArgs(argv, {
    rules: { type: 'string', short: 'r', multiple: true },
    pipeline: { type: 'string', short: 'p', multiple: true },
    event: { type: 'string', short: 'e' },
    'rule-id': { type: 'string' },
    'show-pipeline': { type: 'boolean' },
  });
  const rulePaths = listOption(values.rules);
  if (rulePaths.length === 0) throw new CliError(EXIT_USAGE, 'explain needs -r/--rules <path>');
  const format = globals.outputFormat === undefined ? 'human' : chooseOutputFormat(globals.outputFormat, io.stdout);
  const event = await readSingleEvent(stringOption(values.event) ?? '-', io);

  const engine = new Engine();
  const pipelines = await loadPipelines(listOption(values.pipeline));
  for (const pipeline of pipelines) engine.addPipeline(pipeline);
  const collection = await loadRuleCollection(rulePaths);
  const report = engine.addCollection(collection);
  for (const error of report.errors) {
    if (!globals.quiet) await writeOut(io.stderr, describeLoadIssue(error) + '\n');
  }
  if (collection.correlations.length > 0 && !globals.quiet) {
    await writeOut(io.stderr, `note: ${collection.correlations.length} correlation rule(s) skipped: they cannot be decided on one event\n`);
  }
  const ruleId = stringOption(values['rule-id']);
  const explanations: RuleExplanation[] = engine.explain(event, ruleId === undefined ? undefined : { ruleId });
  if (explanations.length === 0) {
    throw new CliError(EXIT_RULE_ERROR, ruleId === undefined ? 'no rule to explain' : `no rule with id or title "${ruleId}"`);
  }
  if (format === 'json') await writeOut(io.stdout, JSON.stringify(explanations, null, 2) + '\n');
  else if (format === 'ndjson') for (const e of explanations) await writeOut(io.stdout, JSON.stringify(e) + '\n');
  else {
    const applied = values['show-pipeline'] === true ? appliedItemsByRule(collection, pipelines) : undefined;
    for (const e of explanations) {
      if (applied) await writeOut(io.stdout, `pipeline items: ${(applied.get(e.rule_id ?? e.rule_title) ?? []).join(', ') || '(none)'}\n`);
      await writeOut(io.stdout, renderExplanation(e));
    }
  }
  return EXIT_OK;
}

// The engine keeps only the transformed rule, so the applied item ids are recomputed here;
// transformRule is deterministic, so this matches what the engine compiled.
function appliedItemsByRule(collection: SigmaCollection, pipelines: readonly Pipeline[]): Map<string, string[]> {
  const byRule = new Map<string, string[]>();
  for (const rule of collection.rules) {
    try {
      byRule.set(rule.id ?? rule.title, transformRule(pipelines, rule).appliedItems);
    } catch {
      // A rule the pipelines reject was reported as a load warning and is not explained.
    }
  }
  return byRule;
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
