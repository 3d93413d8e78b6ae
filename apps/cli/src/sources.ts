// Dynamic pipeline sources for the commands (spec 09, 11 §1): the shared flags, the resolver wiring and the note
// printed when a command loads source-using pipelines without resolving them. The logic lives in @tsigma/sources.
import type { Logger, Pipeline } from '@tsigma/eval';
import { createNatsSourceFetcher } from '@tsigma/io-nats';
import {
  DefaultSourceResolver,
  egressPresetNamed,
  loadSourceFiles,
  PipelineSources,
  SourceCache,
  SourceConfigError,
  sourceReferences,
  type DynamicSource,
  type EgressPolicy,
} from '@tsigma/sources';
import { listOption, stringOption } from './args.js';
import { writeOut, type TextOut } from './cli-io.js';
import { CliError, EXIT_USAGE } from './exit-codes.js';

/** The source flags `eval` and `validate` accept (`pipeline resolve` names the file flag `--source-file`). */
export const SOURCE_OPTIONS = {
  source: { type: 'string', multiple: true },
  'egress-policy': { type: 'string' },
  'allow-remote-include': { type: 'boolean' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

/** `--egress-policy` as a policy; anything but the three presets is a usage error. */
export function egressPolicyOf(values: Values): EgressPolicy {
  const name = stringOption(values['egress-policy']) ?? 'default';
  const preset = egressPresetNamed(name);
  if (preset === undefined) throw new CliError(EXIT_USAGE, `--egress-policy must be one of default, strict, permissive, not "${name}"`);
  return { preset };
}

/** Reads standalone source files; a bad file is a configuration error (exit 3). */
async function readSourceFiles(paths: readonly string[]): Promise<DynamicSource[]> {
  try {
    return await loadSourceFiles(paths);
  } catch (error) {
    if (error instanceof SourceConfigError) throw new CliError(EXIT_USAGE, error.message, { cause: error });
    throw error;
  }
}

/**
 * The PipelineSources a command hands to its RuntimeEngine. With `resolve`, sources are fetched (fresh in-memory
 * cache, the run's egress policy); without, they only are checked and count as null.
 */
export async function commandSources(
  values: Values,
  opts: { resolve: boolean; strict?: boolean; logger: Logger; fileFlag?: string; cache?: SourceCache },
): Promise<PipelineSources> {
  const fileSources = await readSourceFiles(listOption(values[opts.fileFlag ?? 'source']));
  const allowRemoteInclude = values['allow-remote-include'] === true;
  if (!opts.resolve) return new PipelineSources({ fileSources, allowRemoteInclude, logger: opts.logger });
  // `nats` sources need a `url` of their own here: the CLI has no daemon NATS connection to default to.
  const resolver = new DefaultSourceResolver({
    cache: opts.cache ?? (await SourceCache.open()),
    egress: egressPolicyOf(values),
    logger: opts.logger,
    fetchers: { nats: createNatsSourceFetcher() },
  });
  return new PipelineSources({ resolver, fileSources, allowRemoteInclude, logger: opts.logger, strict: opts.strict === true });
}

/** Checks declarations and references but fetches nothing: every source counts as null (spec 11 §1). */
export function offlineSources(): PipelineSources {
  return new PipelineSources({});
}

/** True when a pipeline declares or references dynamic sources. */
export function usesSources(pipelines: readonly Pipeline[]): boolean {
  return pipelines.some((p) => p.sources.length > 0 || sourceReferences(p).length > 0);
}

/** The one note of spec 11 §1 for commands that load source-using pipelines without resolving them. */
export async function noteUnresolvedSources(pipelines: readonly Pipeline[], stderr: TextOut, quiet: boolean): Promise<void> {
  if (quiet || !usesSources(pipelines)) return;
  await writeOut(
    stderr,
    'note: dynamic sources are not resolved here; ${source.*} values count as empty and include items are dropped (see `tsigma pipeline resolve`)\n',
  );
}
