// Which rule files a set of rule paths names: a file as given, a directory as every rule file below it (the
// parser's discovery: `*.yml`/`*.yaml`, lexical order, hidden directories skipped). Reads directories only.

import { stat } from 'node:fs/promises';
import { findSigmaRuleFiles } from '@tsigma/parser';
import { RuntimeError } from './errors.js';

/**
 * Lists the rule files under `paths`, in the order given (each directory's files sorted). A path that cannot be
 * read, or an unreadable directory below one, rejects with a `rule_load` RuntimeError naming it.
 *
 * @example await findRuleFiles(['rules/windows', 'extra/my-rule.yml'])
 */
export async function findRuleFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new RuntimeError('rule_load', `cannot read rules path (${code})`, path, { cause: err });
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const found = await findSigmaRuleFiles(path);
    const unreadable = found.errors[0];
    if (unreadable !== undefined) throw new RuntimeError('rule_load', unreadable.message, unreadable.file ?? path, { cause: unreadable });
    for (const f of found.files) files.push(f);
  }
  return files;
}
