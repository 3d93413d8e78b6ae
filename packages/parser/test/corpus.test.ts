// Parses the pinned SigmaHQ snapshot: every rule file must load without errors (spec 01, STYLE "Corpus").
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { corpusPath, describeCorpus, hasCorpus } from '../../../test/corpus.js';
import { readFastYaml } from '../src/fast-yaml.js';
import { parseSigmaYaml } from '../src/index.js';
import { readLibraryYaml } from '../src/yaml-tree.js';

const CORPUS = corpusPath('sigmahq');
const FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder'];

/** Files that violate the Sigma specification, with the reason; none so far. */
const KNOWN_INVALID: ReadonlyMap<string, string> = new Map();

function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...ruleFiles(path));
    else if (entry.name.endsWith('.yml')) out.push(path);
  }
  return out;
}

describeCorpus('SigmaHQ corpus', () => {
  // Listed at collection time only when present: without the corpus this body runs just to name skipped tests.
  const files = hasCorpus ? FOLDERS.flatMap((f) => ruleFiles(join(CORPUS, f))).sort() : [];

  it('parses every rule file without errors', { timeout: 120_000 }, () => {
    expect(files).toHaveLength(3777);
    let rules = 0;
    let correlations = 0;
    let filters = 0;
    const failures: string[] = [];
    const warnings = new Map<string, number>();
    for (const file of files) {
      const name = relative(CORPUS, file);
      const c = parseSigmaYaml(readFileSync(file, 'utf8'), { file: name });
      rules += c.rules.length;
      correlations += c.correlations.length;
      filters += c.filters.length;
      for (const e of c.errors) {
        if (e.severity === 'warning') warnings.set(e.code, (warnings.get(e.code) ?? 0) + 1);
        else if (!KNOWN_INVALID.has(name)) failures.push(e.toString());
      }
    }
    expect(failures).toEqual([]);
    expect({ rules, correlations, filters }).toEqual({ rules: 3777, correlations: 0, filters: 0 });
    // `|contains|windash` and `|contains|expand` are written against the application order;
    // two detection names contain '.' or '|' and can only be reached through selectors.
    expect(Object.fromEntries(warnings)).toEqual({ modifier_order: 118, unreferenceable_identifier: 2 });
  });

  it('reads every file the fast YAML path accepts exactly as the yaml library does', { timeout: 120_000 }, () => {
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const trees = readFastYaml(text);
      if (trees === undefined) continue;
      fast++;
      expect(trees, relative(CORPUS, file)).toEqual(readLibraryYaml(text).map((d) => ('tree' in d ? d.tree : d)));
    }
    // Every SigmaHQ file stays inside the fast subset (multi-line plain scalars and tabs in comment lines
    // included), so each one was compared with the library above.
    expect(fast).toBe(files.length);
  });
});
