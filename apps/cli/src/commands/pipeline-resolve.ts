// `tsigma pipeline resolve -p <pipeline>...` (spec 11 §9): resolve every declared source once (or one with -s),
// ignoring refresh and on_error policies, and print each result; --dry-run lists the declarations, --expand also
// prints the pipelines after template expansion and include splicing.
import type { Pipeline } from '@tsigma/eval';
import { SourceConfigError, siteLabel, type DynamicSource } from '@tsigma/sources';
import { listOption, parseCommandArgs, stringOption } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { createRunLogger } from '../cli-logger.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat, cutText, jsonPrefix, mapsAsObjects, renderTable } from '../output-format.js';
import { loadPipelines } from '../pipelines.js';
import { commandSources } from '../sources.js';

/** Longest DATA_OR_ERROR cell of the table view. */
const TABLE_DATA_CHARS = 120;

type Row = Record<string, unknown> & { declared_in: string; source_id: string; type: string };

/** Runs `tsigma pipeline resolve`. */
export async function runPipelineResolve(argv: string[], io: CliIo): Promise<number> {
  const { values, globals } = parseCommandArgs(argv, {
    pipeline: { type: 'string', short: 'p', multiple: true },
    'source-file': { type: 'string', multiple: true },
    source: { type: 'string', short: 's' },
    'dry-run': { type: 'boolean' },
    expand: { type: 'boolean' },
    'egress-policy': { type: 'string' },
    'allow-remote-include': { type: 'boolean' },
  });
  const refs = listOption(values.pipeline);
  if (refs.length === 0) throw new CliError(EXIT_USAGE, 'pipeline resolve needs -p/--pipeline <name|path>');
  const format = chooseOutputFormat(globals.outputFormat, io.stdout);
  const logger = createRunLogger(globals.logLevel, (line) => io.stderr.write(line + '\n'));
  const pipelines = await loadPipelines(refs);
  const hook = await commandSources(values, { resolve: true, logger, fileFlag: 'source-file' });
  let declared: DynamicSource[];
  try {
    declared = hook.collect(pipelines);
  } catch (error) {
    throw configError(error);
  }
  if (declared.length === 0) throw new CliError(EXIT_RULE_ERROR, 'no sources declared in the given pipelines and source files');
  const only = stringOption(values.source);
  const selected = only === undefined ? declared : declared.filter((s) => s.id === only);
  if (selected.length === 0) throw new CliError(EXIT_RULE_ERROR, `no source with id '${only}' is declared`);

  if (values['dry-run'] === true) {
    const rows = selected.map((s) => ({ ...head(s), refresh: s.refreshText, required: s.required, on_error: s.onError }));
    await print(io, format, rows, (r) => [
      r.declared_in,
      r.source_id,
      r.type,
      'dry-run',
      `refresh=${String(r.refresh)} required=${String(r.required)}`,
    ]);
    return EXIT_OK;
  }

  const resolver = hook.resolver();
  const rows: Row[] = [];
  const values_ = new Map<string, unknown>();
  let failed = 0;
  for (const src of selected) {
    try {
      // A diagnostic fetch: the policies that hide a failure (cache, default) are set aside.
      const { data } = await resolver.resolve({ ...src, onError: 'fail' });
      values_.set(src.id, data);
      rows.push({ ...head(src), status: 'ok', data });
    } catch (error) {
      failed++;
      const kind = (error as { kind?: string }).kind ?? 'fetch';
      rows.push({ ...head(src), status: 'error', error: `${kind}: ${(error as Error).message}` });
    }
  }
  await print(io, format, rows, (r) => [
    r.declared_in,
    r.source_id,
    r.type,
    String(r.status),
    r.status === 'ok' ? cutText(jsonPrefix(r.data, TABLE_DATA_CHARS), TABLE_DATA_CHARS) : String(r.error),
  ]);
  if (values.expand === true) await printExpanded(io, format, expandAll(hook, pipelines, declared, values_));
  return failed > 0 ? EXIT_FINDINGS : EXIT_OK;
}

function head(s: DynamicSource): Row {
  return { declared_in: siteLabel(s.declaredIn), source_id: s.id, type: s.type };
}

function expandAll(
  hook: Awaited<ReturnType<typeof commandSources>>,
  pipelines: Pipeline[],
  declared: DynamicSource[],
  resolved: Map<string, unknown>,
): Pipeline[] {
  const all = new Map(declared.map((s) => [s.id, resolved.has(s.id) ? resolved.get(s.id) : null]));
  try {
    return hook.expand(pipelines, all);
  } catch (error) {
    throw configError(error);
  }
}

function configError(error: unknown): unknown {
  return error instanceof SourceConfigError ? new CliError(EXIT_USAGE, error.message, { cause: error }) : error;
}

async function print<R extends Row>(io: CliIo, format: string, rows: R[], cells: (r: R) => string[]): Promise<void> {
  if (format === 'json') await writeOut(io.stdout, JSON.stringify(rows, null, 2) + '\n');
  else if (format === 'ndjson') for (const r of rows) await writeOut(io.stdout, JSON.stringify(r) + '\n');
  else await writeOut(io.stdout, renderTable(['DECLARED_IN', 'SOURCE_ID', 'TYPE', 'STATUS', 'DATA_OR_ERROR'], rows.map(cells)));
}

/** Expanded pipelines: name, priority, vars and the transformations after include splicing. */
async function printExpanded(io: CliIo, format: string, pipelines: Pipeline[]): Promise<void> {
  const shown = pipelines.map((p) => ({
    pipeline: p.name,
    ...(p.file === undefined ? {} : { file: p.file }),
    priority: p.priority,
    vars: p.vars,
    transformations: p.items,
  }));
  if (format === 'ndjson') for (const p of shown) await writeOut(io.stdout, JSON.stringify(p, mapsAsObjects) + '\n');
  else await writeOut(io.stdout, JSON.stringify(shown, mapsAsObjects, 2) + '\n');
}
