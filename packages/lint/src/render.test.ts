import { describe, expect, it } from 'vitest';
import type { LintRun } from './lint-files.js';
import { lintText } from './lint-text.js';
import {
  lintFailed,
  renderLintHuman,
  renderLintJson,
  renderLintNdjson,
  renderLintSarif,
  renderLintTable,
  summarizeLint,
} from './render.js';

const text = "title: x\nlevel: low\nlogsource: {product: windows}\ndetection: {sel: {A: '*'}, condition: sel}\n";
const findings = lintText(text, { path: 'r/x.yml' });
const run: LintRun = {
  files: [
    { path: 'r/x.yml', findings, fixed: false },
    { path: 'r/ok.yml', findings: [], fixed: false },
  ],
  findings,
};

describe('lint views', () => {
  it('counts and decides failure by the fail level', () => {
    expect(summarizeLint(run)).toEqual({ files_checked: 2, files_failed: 0, errors: 0, warnings: 1, infos: 2 });
    expect(summarizeLint(run, 'info').files_failed).toBe(1);
    expect(lintFailed(run)).toBe(false);
    expect(lintFailed(run, 'warning')).toBe(true);
  });

  it('renders the human view with a summary line, every file with verbose, colours on request', () => {
    const human = renderLintHuman(run);
    expect(human.split('\n').slice(0, 3)).toEqual(['r/x.yml', '  info[missing_author]: the rule has no author', '    --> r/x.yml:1:1']);
    expect(human).toContain('Checked 2 file(s): 2 passed, 0 failed (0 error(s), 1 warning(s), 2 info(s))\n');
    expect(human).not.toContain('ok.yml');
    expect(renderLintHuman(run, { verbose: true })).toContain('r/ok.yml: ok');
    expect(renderLintHuman(run, { color: true })).toContain('\u001b[33mwarning\u001b[0m[wildcard_only_value]');
    expect(human).not.toContain('\u001b');
  });

  it('renders json, ndjson and table', () => {
    expect(JSON.parse(renderLintJson(run))).toMatchObject({ summary: { infos: 2 }, findings: [{ rule: 'missing_author' }, {}, {}] });
    expect(
      renderLintNdjson(run)
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { rule: string }).rule),
    ).toEqual(['missing_author', 'missing_description', 'wildcard_only_value']);
    expect(renderLintTable(run).split('\n')[0]).toBe('PATH     SEVERITY  RULE                 LINE  MESSAGE');
  });

  it('renders SARIF 2.1.0 with rules and located results', () => {
    const sarif = JSON.parse(renderLintSarif(run, '1.2.3')) as {
      version: string;
      runs: {
        tool: { driver: { version: string; rules: { id: string }[] } };
        results: { ruleId: string; ruleIndex: number; level: string; locations: unknown[] }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const [only] = sarif.runs;
    expect(only?.tool.driver.version).toBe('1.2.3');
    const result = only?.results[2];
    expect(result).toMatchObject({
      ruleId: 'wildcard_only_value',
      level: 'warning',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'r/x.yml' }, region: { startLine: 4, startColumn: 22 } } }],
    });
    expect(only?.tool.driver.rules[result?.ruleIndex ?? -1]?.id).toBe('wildcard_only_value');
    expect(only?.results[0]?.level).toBe('note');
  });
});
