// Lint files and directories with a configuration, then render the run as text or as SARIF for code scanning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintFailed, lintPaths, renderLintHuman, renderLintSarif, validateLintConfig } from '@tsigma/lint';

const dir = mkdtempSync(join(tmpdir(), 'lint-example-'));
writeFileSync(
  join(dir, 'whoami.yml'),
  'title: Whoami\nstatus: stable\nlevel: high\nlogsource:\n  category: process_creation\ndetection:\n  sel:\n    CommandLine|contains: whoami\n  condition: sel or other\n',
);

// What a .tsigma-lint.yml holds, checked the same way loadLintConfig checks the file.
const config = validateLintConfig({ disable: ['missing_author'], severity: { missing_description: 'warning' } }, '.tsigma-lint.yml');
const run = lintPaths([dir], { config });
console.log(renderLintHuman(run).replaceAll(dir, 'rules').trimEnd());
console.log(`failed: ${lintFailed(run)}`);
const sarif = JSON.parse(renderLintSarif(run)) as { runs: { results: { ruleId: string }[] }[] };
console.log(`SARIF results: ${sarif.runs[0]?.results.map((r) => r.ruleId).join(', ')}`);
rmSync(dir, { recursive: true });
