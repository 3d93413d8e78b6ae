// Loading the `-p NAME|PATH` pipelines a command was given; any failure is a configuration error (exit 3).
import { resolvePipeline, type Pipeline } from '@tsigma/eval';
import { CliError, EXIT_USAGE } from './exit-codes.js';

/** Resolves each `-p` value (builtin name first, then file) in the order given. */
export async function loadPipelines(specs: string[]): Promise<Pipeline[]> {
  const pipelines: Pipeline[] = [];
  for (const spec of specs) {
    try {
      pipelines.push(await resolvePipeline(spec));
    } catch (error) {
      throw new CliError(EXIT_USAGE, `pipeline ${spec}: ${(error as Error).message}`, { cause: error });
    }
  }
  return pipelines;
}
