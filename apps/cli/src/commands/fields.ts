// `tsigma fields -r RULES [-p ...]` (spec 11 §6): every field the rules reference, with the rules using it
// and where it comes from; with pipelines, the names after transformation.
import type { CorrelationRule, Detection, DetectionItem, FilterRule, SigmaRule } from '@tsigma/parser';
import { sortPipelines, transformRule, type Pipeline } from '@tsigma/eval';
import { listOption, parseCommandArgs } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat, renderTable } from '../output-format.js';
import { loadPipelines } from '../pipelines.js';
import { loadRuleCollection } from './eval.js';

type Origin = 'detection' | 'correlation' | 'filter' | 'metadata';

interface FieldUse {
  rules: Set<string>;
  sources: Set<Origin>;
}

/** Runs `tsigma fields`. */
export async function runFields(argv: string[], io: CliIo): Promise<number> {
  const { values, globals } = parseCommandArgs(argv, {
    rules: { type: 'string', short: 'r', multiple: true },
    pipeline: { type: 'string', short: 'p', multiple: true },
    'no-filters': { type: 'boolean' },
    'show-mapping': { type: 'boolean' },
  });
  const rulePaths = listOption(values.rules);
  if (rulePaths.length === 0) throw new CliError(EXIT_USAGE, 'fields needs -r/--rules <path>');
  const format = globals.outputFormat === undefined ? 'human' : chooseOutputFormat(globals.outputFormat, io.stdout);
  const pipelines = sortPipelines(await loadPipelines(listOption(values.pipeline)));
  const collection = await loadRuleCollection(rulePaths);
  for (const error of collection.errors) {
    if (!globals.quiet) await writeOut(io.stderr, `warning: ${error.toString()}\n`);
  }

  const uses = new Map<string, FieldUse>();
  const note = (field: string, rule: string, origin: Origin) => {
    let use = uses.get(field);
    if (!use) uses.set(field, (use = { rules: new Set(), sources: new Set() }));
    use.rules.add(rule);
    use.sources.add(origin);
  };
  const mappings = new Map<string, { original: string; mapped: Set<string>; pipeline: string }>();

  for (const original of collection.rules) {
    const rule = transformed(pipelines, original) as SigmaRule;
    const label = rule.id ?? rule.title;
    for (const item of detectionItems(rule.detection.named.values())) for (const f of itemFields(item)) note(f, label, 'detection');
    for (const f of rule.fields) note(f, label, 'metadata');
    if (values['show-mapping'] === true && pipelines.length > 0) recordMappings(original, rule, pipelines, mappings);
  }
  for (const original of collection.correlations) {
    const rule = transformed(pipelines, original) as CorrelationRule;
    const label = rule.id ?? rule.title;
    for (const f of correlationFields(rule)) note(f, label, 'correlation');
  }
  if (values['no-filters'] !== true) {
    for (const original of collection.filters) {
      const filter = transformed(pipelines, original) as FilterRule;
      const label = filter.id ?? filter.title;
      for (const item of detectionItems(filter.detection.named.values())) for (const f of itemFields(item)) note(f, label, 'filter');
    }
  }

  const fields = [...uses]
    .map(([field, use]) => ({ field, rule_count: use.rules.size, sources: [...use.sources].sort() }))
    .sort((a, b) => b.rule_count - a.rule_count || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  const pipelineMappings = [...mappings.values()].map((m) => ({
    original: m.original,
    mapped_to: [...m.mapped].sort(),
    pipeline: m.pipeline,
  }));

  if (format === 'json') {
    const summary = {
      total_rules: collection.rules.length,
      total_correlations: collection.correlations.length,
      total_filters: collection.filters.length,
      unique_fields: fields.length,
      pipelines_applied: pipelines.length,
    };
    const body: Record<string, unknown> = { summary, fields };
    if (values['show-mapping'] === true) body.pipeline_mappings = pipelineMappings;
    await writeOut(io.stdout, JSON.stringify(body, null, 2) + '\n');
  } else if (format === 'ndjson') {
    for (const f of fields) await writeOut(io.stdout, JSON.stringify(f) + '\n');
  } else {
    await writeOut(
      io.stdout,
      renderTable(
        ['FIELD', 'RULES', 'SOURCES'],
        fields.map((f) => [f.field, String(f.rule_count), f.sources.join(',')]),
      ),
    );
    if (values['show-mapping'] === true) {
      await writeOut(
        io.stdout,
        '\n' +
          renderTable(
            ['ORIGINAL', 'MAPPED_TO', 'PIPELINE'],
            pipelineMappings.map((m) => [m.original, m.mapped_to.join(', '), m.pipeline]),
          ),
      );
    }
  }
  return EXIT_OK;
}

function transformed(pipelines: Pipeline[], rule: SigmaRule | CorrelationRule | FilterRule): SigmaRule | CorrelationRule | FilterRule {
  return pipelines.length === 0 ? rule : transformRule(pipelines, rule).rule;
}

function* detectionItems(detections: Iterable<Detection>): Generator<DetectionItem> {
  for (const d of detections) {
    if (d.kind === 'allOf') yield* d.items;
    else if (d.kind === 'anyOf') yield* detectionItems(d.branches);
  }
}

/** A field item's names: the coalesced alternatives when a pipeline set them, else the name; keywords have none. */
function itemFields(item: DetectionItem): string[] {
  if (item.field.coalesce && item.field.coalesce.length > 0) return item.field.coalesce;
  return item.field.name === null ? [] : [item.field.name];
}

function correlationFields(rule: CorrelationRule): string[] {
  const fields = [...rule.groupBy];
  if (rule.condition.kind === 'threshold') fields.push(...(rule.condition.field ?? []));
  for (const alias of rule.aliases) fields.push(...Object.values(alias.mapping));
  return fields;
}

/** Pairs each detection item's name before and after the pipelines, by detection name and item position. */
function recordMappings(
  before: SigmaRule,
  after: SigmaRule,
  pipelines: Pipeline[],
  out: Map<string, { original: string; mapped: Set<string>; pipeline: string }>,
): void {
  const pipelineName = pipelines.map((p) => p.name).join('+');
  for (const [name, detection] of before.detection.named) {
    const mapped = after.detection.named.get(name);
    if (!mapped) continue;
    const itemsBefore = [...detectionItems([detection])];
    const itemsAfter = [...detectionItems([mapped])];
    itemsBefore.forEach((item, index) => {
      const other = itemsAfter[index];
      if (!other || item.field.name === null) return;
      const targets = itemFields(other).filter((f) => f !== item.field.name);
      if (targets.length === 0) return;
      const key = `${item.field.name}\u0000${pipelineName}`;
      let entry = out.get(key);
      if (!entry) out.set(key, (entry = { original: item.field.name, mapped: new Set(), pipeline: pipelineName }));
      for (const t of targets) entry.mapped.add(t);
    });
  }
}
