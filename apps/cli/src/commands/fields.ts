// `tsigma fields -r RULES [-p ...]` (spec 11 §6): every field the rules reference, with the rules using it
// and where it comes from; with pipelines, the names after transformation.
import { RuntimeEngine } from '@tsigma/runtime';
import { listOption, parseCommandArgs } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat, TABULAR_FORMATS } from '../output-format.js';
import { renderRows } from '../rows-view.js';
import { loadPipelines } from '../pipelines.js';
import { noteUnresolvedSources, offlineSources } from '../sources.js';
import { loadRules, requireRules } from '../rule-loading.js';
import { reportLoadIssues } from './load-issues.js';

/** Runs `tsigma fields`. */
export async function runFields(argv: string[], io: CliIo): Promise<number> {
  const { values, globals } = parseCommandArgs(argv, {
    rules: { type: 'string', short: 'r', multiple: true },
    pipeline: { type: 'string', short: 'p', multiple: true },
    'no-filters': { type: 'boolean' },
    'show-mapping': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  });
  const rulePaths = listOption(values.rules);
  if (rulePaths.length === 0) throw new CliError(EXIT_USAGE, 'fields needs -r/--rules <path>');
  const format = globals.outputFormat === undefined ? 'human' : chooseOutputFormat(globals.outputFormat, io.stdout, TABULAR_FORMATS);
  // The human view is the table; csv and tsv carry the same rows.
  const rows = format === 'csv' || format === 'tsv' ? format : 'table';
  const pipelines = await loadPipelines(listOption(values.pipeline));
  await noteUnresolvedSources(pipelines, io.stderr, globals.quiet);
  const engine = new RuntimeEngine({ rulesPath: rulePaths, pipelines, skipInvalidRules: true, sources: offlineSources() });
  const stats = await loadRules(engine);
  if (!globals.quiet) await reportLoadIssues(stats.issues, values.verbose === true, io, 'warning: ');
  requireRules(engine, rulePaths, stats.detectionRules + stats.correlationRules + stats.filterRules, 'rule');

  // The runtime's field set is the one answer to "which fields do these rules read"; --no-filters only hides
  // what filters alone contribute.
  const withoutFilters = values['no-filters'] === true;
  const filterIds = new Set(
    engine
      .listRules()
      .filter((r) => r.kind === 'filter')
      .map((r) => r.id ?? r.title),
  );
  const fields = [...engine.ruleFieldSet()]
    .map(([field, use]) => {
      const sources = withoutFilters ? use.origins.filter((o) => o !== 'filter') : use.origins;
      const rules = withoutFilters ? use.rules.filter((r) => !filterIds.has(r)) : use.rules;
      return { field, rule_count: rules.length, sources: [...sources] };
    })
    .filter((f) => f.sources.length > 0)
    .sort((a, b) => b.rule_count - a.rule_count || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  const pipelineMappings = engine.fieldMappings().map((m) => ({ original: m.original, mapped_to: m.mappedTo, pipeline: m.pipeline }));

  if (format === 'json') {
    const summary = {
      total_rules: stats.detectionRules,
      total_correlations: stats.correlationRules,
      total_filters: stats.filterRules,
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
      renderRows(
        rows,
        ['FIELD', 'RULES', 'SOURCES'],
        fields.map((f) => [f.field, String(f.rule_count), f.sources.join(',')]),
      ),
    );
    if (values['show-mapping'] === true) {
      await writeOut(
        io.stdout,
        '\n' +
          renderRows(
            rows,
            ['ORIGINAL', 'MAPPED_TO', 'PIPELINE'],
            pipelineMappings.map((m) => [m.original, m.mapped_to.join(', '), m.pipeline]),
          ),
      );
    }
  }
  return EXIT_OK;
}
