// Finding the rule files a command works on: a file as given, or every rule file below a directory, found the
// way the parser's parseSigmaDirectory finds them.
import { stat } from 'node:fs/promises';
import { findSigmaRuleFiles } from '@tsigma/parser';
import { CliError, EXIT_RULE_ERROR } from './exit-codes.js';

/** Lists rule files under the given paths, sorted per path, skipping hidden directories. Unreadable paths exit 2. */
export async function collectRuleFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new CliError(EXIT_RULE_ERROR, `${path}: cannot read rules path (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        cause: error,
      });
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = await findSigmaRuleFiles(path);
    const unreadable = found.errors[0];
    if (unreadable !== undefined) throw new CliError(EXIT_RULE_ERROR, unreadable.message, { cause: unreadable });
    files.push(...found.files);
  }
  return files;
}
