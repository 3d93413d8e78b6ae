// Standalone source files (spec 09 §1): `--source <file-or-dir>`; a directory loads its *.yml / *.yaml files in
// lexical order, non-recursively. Each file holds a top-level `sources:` list.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { assertUniqueIds, validateSourceDeclarations, type DynamicSource } from './declarations.js';
import { SourceConfigError } from './errors.js';

/**
 * Parses one source file's text (pure): a mapping whose only key is `sources`.
 *
 * @example parseSourceFile('sources:\n  - { id: ips, type: file, path: ips.txt, format: lines }\n', 'feeds.yml');
 */
export function parseSourceFile(text: string, path: string): DynamicSource[] {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) throw new SourceConfigError('io', `invalid YAML: ${first.message.split('\n')[0]}`, path);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SourceConfigError('invalid_declaration', "a source file must be a mapping with a 'sources' list", path);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'sources')
      throw new SourceConfigError('invalid_declaration', `unknown top-level key '${key}' (expected only 'sources')`, path);
  }
  return validateSourceDeclarations((value as Record<string, unknown>)['sources'], { kind: 'file', path });
}

/**
 * Reads source files and directories in the order given; ids must be unique across all of them.
 *
 * @example const fileSources = await loadSourceFiles(['sources/']);
 */
export async function loadSourceFiles(paths: readonly string[]): Promise<DynamicSource[]> {
  const out: DynamicSource[] = [];
  for (const path of paths) {
    for (const file of await expand(path)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new SourceConfigError('io', `cannot read source file: ${(err as Error).message}`, file, { cause: err });
      }
      out.push(...parseSourceFile(text, file));
    }
  }
  assertUniqueIds(out);
  return out;
}

async function expand(path: string): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new SourceConfigError('io', `cannot read source file or directory: ${(err as Error).message}`, path, { cause: err });
  }
  if (!isDir) return [path];
  const names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n)).sort();
  return names.map((n) => join(path, n));
}
