// `tsigma pipeline diff -r RULES -p PIPELINE...` (spec 11 §1, issue 19): each rule's AST before and after the
// pipelines as a unified diff of its YAML, each changed line naming the processing items that changed it.
import { statSync } from 'node:fs';
import { PipelineError, sortPipelines, transformRule, type Pipeline } from '@tsigma/eval';
import { parseSigmaDirectory, parseSigmaFile, type CorrelationRule, type FilterRule, type SigmaRule } from '@tsigma/parser';
import { stringify } from 'yaml';
import { listOption, parseCommandArgs, stringOption } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat, mapsAsObjects } from '../output-format.js';
import { loadPipelines } from '../pipelines.js';
import { diffLines, unifiedHunks, type DiffLine } from '../unified-diff.js';

type AnyRule = SigmaRule | CorrelationRule | FilterRule;
const DIFF_FORMATS = ['json', 'ndjson'] as const;

/** One rule's diff as data (json and ndjson views). */
interface RuleDiff {
  path: string;
  title: string;
  id?: string;
  applied_items: string[];
  diff: string[];
}

/** Runs `tsigma pipeline diff`. */
export async function runPipelineDiff(argv: string[], io: CliIo): Promise<number> {
  const { values, globals } = parseCommandArgs(argv, {
    rules: { type: 'string', short: 'r', multiple: true },
    pipeline: { type: 'string', short: 'p', multiple: true },
    'rule-id': { type: 'string' },
  });
  const rulePaths = listOption(values.rules);
  if (rulePaths.length === 0) throw new CliError(EXIT_USAGE, 'pipeline diff needs -r/--rules <path>');
  const refs = listOption(values.pipeline);
  if (refs.length === 0) throw new CliError(EXIT_USAGE, 'pipeline diff needs -p/--pipeline <name|path>');
  const format = globals.outputFormat === undefined ? 'human' : chooseOutputFormat(globals.outputFormat, io.stdout, DIFF_FORMATS);
  const pipelines = sortPipelines(await loadPipelines(refs));
  const ruleId = stringOption(values['rule-id']);
  const rules = (await readRules(rulePaths)).filter((r) => ruleId === undefined || r.id === ruleId || r.title === ruleId);
  if (rules.length === 0)
    throw new CliError(EXIT_RULE_ERROR, ruleId === undefined ? 'no rule to diff' : `no rule with id or title "${ruleId}"`);

  // A rule the pipelines cannot transform (an unresolved placeholder, say) is a rule error: reported, the others
  // still diffed, and the exit code says so.
  const diffs: RuleDiff[] = [];
  let failed = 0;
  for (const rule of rules) {
    try {
      diffs.push(diffRule(rule, pipelines));
    } catch (error) {
      if (!(error instanceof PipelineError)) throw error;
      failed++;
      await writeOut(io.stderr, `error: ${rule.source.file ?? '<input>'} (${rule.title}): ${error.message}\n`);
    }
  }
  if (format === 'human') {
    for (const d of diffs) {
      const head = [`--- ${d.path} (${d.title})`, `+++ ${d.path} (after ${pipelines.map((p) => p.name).join(', ')})`];
      const applied = `# applied items: ${d.applied_items.length === 0 ? 'none' : d.applied_items.join(', ')}`;
      await writeOut(io.stdout, [...head, applied, ...d.diff].join('\n') + '\n');
    }
  } else if (format === 'json') await writeOut(io.stdout, JSON.stringify(diffs, null, 2) + '\n');
  else await writeOut(io.stdout, diffs.map((d) => JSON.stringify(d) + '\n').join(''));
  return failed > 0 ? EXIT_RULE_ERROR : EXIT_OK;
}

async function readRules(paths: string[]): Promise<AnyRule[]> {
  const out: AnyRule[] = [];
  for (const path of paths) {
    let directory: boolean;
    try {
      directory = statSync(path).isDirectory();
    } catch (error) {
      throw new CliError(EXIT_RULE_ERROR, `${path}: cannot read: ${(error as Error).message}`, { cause: error });
    }
    const c = directory ? await parseSigmaDirectory(path) : await parseSigmaFile(path);
    const io = c.errors.find((e) => e.code === 'io');
    if (io !== undefined) throw new CliError(EXIT_RULE_ERROR, io.toString());
    out.push(...c.rules, ...c.correlations, ...c.filters);
  }
  return out;
}

/** The rule as YAML lines; `source` (file position) is left out since no pipeline changes it. */
function yamlLines(rule: AnyRule): string[] {
  const plain = JSON.parse(JSON.stringify({ ...rule, source: undefined }, mapsAsObjects)) as unknown;
  return stringify(plain, { lineWidth: 0 }).trimEnd().split('\n');
}

/** Label of a processing item in notes: `pipeline/id`, or `pipeline/#index` for items without an id. */
function itemLabel(pipeline: Pipeline, index: number): string {
  const item = pipeline.items[index];
  return `${pipeline.name}/${item?.id ?? `#${index + 1}`}`;
}

/**
 * Diffs the rule before and after the pipelines. To name the items behind each line, the rule is transformed by
 * every prefix of the item sequence (pipelines in priority order, items in order): a line added or removed by
 * prefix k but not k-1 belongs to item k. Prefixes keep the processing state later items may test.
 */
function diffRule(rule: AnyRule, pipelines: Pipeline[]): RuleDiff {
  const before = yamlLines(rule);
  const added = new Map<string, string[]>();
  const removed = new Map<string, string[]>();
  let previous = before;
  let after = before;
  let appliedItems: string[] = [];
  for (let p = 0; p < pipelines.length; p++) {
    const pipeline = pipelines[p] as Pipeline;
    for (let i = 0; i < pipeline.items.length; i++) {
      const prefix = [...pipelines.slice(0, p), { ...pipeline, items: pipeline.items.slice(0, i + 1) }];
      const result = transformRule(prefix, rule);
      after = yamlLines(result.rule);
      appliedItems = result.appliedItems;
      const label = itemLabel(pipeline, i);
      for (const line of diffLines(previous, after)) {
        if (line.op === ' ') continue;
        const notes = (line.op === '+' ? added : removed).get(line.text) ?? [];
        if (!notes.includes(label)) notes.push(label);
        (line.op === '+' ? added : removed).set(line.text, notes);
      }
      previous = after;
    }
  }
  const note = (line: DiffLine): string => {
    const items = (line.op === '+' ? added : removed).get(line.text);
    return items === undefined ? '' : `  # ${line.op === '+' ? 'by' : 'removed by'} ${items.join(', ')}`;
  };
  const diff: RuleDiff = {
    path: rule.source.file ?? '<input>',
    title: rule.title,
    applied_items: appliedItems,
    diff: unifiedHunks(diffLines(before, after), note),
  };
  if (rule.id !== undefined) diff.id = rule.id;
  return diff;
}
