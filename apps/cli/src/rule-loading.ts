// Loading rules through the runtime for every command, with the runtime's failures turned into the CLI's exit
// codes: unreadable or invalid rules and inputs exit 2, bad pipelines exit 3.
import { describeRuleLoadError, RuntimeError, type EngineStats, type RuntimeEngine } from '@tsigma/runtime';
import { CliError, EXIT_RULE_ERROR, EXIT_USAGE } from './exit-codes.js';

/** Loads the engine's rules; a failed load becomes a CliError naming the first bad rule or path. */
export async function loadRules(engine: RuntimeEngine): Promise<EngineStats> {
  try {
    return await engine.loadRules();
  } catch (error) {
    throw runtimeErrorAsCliError(error);
  }
}

/**
 * Refuses to go on with none of the rules a command needs: running or checking zero rules is almost surely a wrong
 * path, and saying nothing would read as "no findings". `loaded` counts the rules that matter to the command,
 * `noun` names them (`detection or correlation rule`).
 */
export function requireRules(engine: RuntimeEngine, paths: readonly string[], loaded: number, noun: string): void {
  if (loaded > 0) return;
  const where = paths.join(', ');
  const files = engine.ruleFiles().length;
  if (files === 0) throw new CliError(EXIT_RULE_ERROR, `${where}: no rule files (*.yml, *.yaml) found`);
  const skipped = engine.stats().skipped.length;
  const why = skipped > 0 ? ` (${skipped} rule error(s))` : '';
  throw new CliError(EXIT_RULE_ERROR, `${where}: no ${noun} could be loaded from ${files} rule file(s)${why}`);
}

/** A RuntimeError as the CliError with its exit code; anything else is returned unchanged. */
export function runtimeErrorAsCliError(error: unknown): unknown {
  if (!(error instanceof RuntimeError)) return error;
  switch (error.code) {
    case 'rule_load': {
      const first = error.issues[0];
      return new CliError(EXIT_RULE_ERROR, first === undefined ? error.message : describeRuleLoadError(first), { cause: error });
    }
    case 'io':
      return new CliError(EXIT_RULE_ERROR, error.message, { cause: error });
    case 'pipeline_load':
    case 'sources_unavailable':
    case 'source_load':
      return new CliError(EXIT_USAGE, error.message, { cause: error });
    default:
      return error;
  }
}
