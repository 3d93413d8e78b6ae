// Finding the rule files a command works on: a file as given, or every *.yml / *.yaml below a directory.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, EXIT_RULE_ERROR } from './exit-codes.js';

const RULE_FILE = /\.ya?ml$/i;

/** Lists rule files under the given paths, sorted per path, skipping hidden directories. Unreadable paths exit 2. */
export async function collectRuleFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new CliError(EXIT_RULE_ERROR, `${path}: cannot read rules path (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
    }
    if (info.isDirectory()) files.push(...(await walk(path)).sort());
    else files.push(path);
  }
  return files;
}

async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(full)));
    else if (entry.isFile() && RULE_FILE.test(entry.name)) found.push(full);
  }
  return found;
}
