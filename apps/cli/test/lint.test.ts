// `tsigma lint` (spec 11 §5 and §10.7, issue 19): views, flags, configuration and exit codes 0-3, on the built binary.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../dist/main.js');
const FIX = resolve(import.meta.dirname, 'fixtures');
const BROKEN = resolve(import.meta.dirname, '../../../packages/lint/test/fixtures/broken');
const tmp = mkdtempSync(join(tmpdir(), 'tsigma-cli-lint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tsigma(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noAuthor = join(FIX, 'lint/no-author.yml');

describe('tsigma lint', () => {
  it('reports one info finding for a rule without author and exits 0 (spec 11 §10.7)', () => {
    const r = tsigma(['lint', noAuthor]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${noAuthor}\n  info[missing_author]: the rule has no author\n    --> ${noAuthor}:1:1\n`);
    expect(r.stderr).toBe('Checked 1 file(s): 1 passed, 0 failed (0 error(s), 0 warning(s), 1 info(s))\n');
  });

  it('exits 1 at --fail-level info, and --disable removes the finding', () => {
    expect(tsigma(['lint', noAuthor, '--fail-level', 'info']).code).toBe(1);
    const json = tsigma(['lint', noAuthor, '--output-format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ summary: { files_checked: 1, files_failed: 0, errors: 0, warnings: 0, infos: 1 } });
    const disabled = tsigma(['lint', noAuthor, '--disable', 'missing_author', '--output-format', 'json', '--fail-level', 'info']);
    expect(disabled.code).toBe(0);
    expect((JSON.parse(disabled.stdout) as { findings: unknown[] }).findings).toEqual([]);
  });

  it('exits 1 on an error finding, 2 on an unreadable path, 3 on bad flags', () => {
    expect(tsigma(['lint', BROKEN]).code).toBe(1);
    const missing = tsigma(['lint', join(tmp, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope: cannot read');
    expect(tsigma(['lint', noAuthor, '--disable', 'nope']).code).toBe(3);
    expect(tsigma(['lint', noAuthor, '--fail-level', 'fatal']).code).toBe(3);
    expect(tsigma(['lint', noAuthor, '--output-format', 'xml']).code).toBe(3);
    expect(tsigma(['lint']).code).toBe(3);
  });

  it('writes ndjson, table, csv, tsv and SARIF views', () => {
    const ndjson = tsigma(['lint', BROKEN, '--output-format', 'ndjson']);
    const findings = ndjson.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(findings.length).toBeGreaterThan(60);
    expect(Object.keys(findings[0] ?? {}).sort()).toEqual([
      'column',
      'document',
      'fixable',
      'line',
      'message',
      'path',
      'pointer',
      'rule',
      'severity',
    ]);
    const table = tsigma(['lint', noAuthor, '--output-format', 'table']);
    expect(table.stdout.split('\n')[0]).toMatch(/^PATH +SEVERITY +RULE +LINE +MESSAGE$/);
    const csv = tsigma(['lint', BROKEN, '--output-format', 'csv']).stdout.split('\r\n');
    expect(csv[0]).toBe('PATH,SEVERITY,RULE,LINE,COLUMN,MESSAGE');
    expect(csv).toContain(`${join(BROKEN, 'a-list.yml')},error,not_a_mapping,1,1,"document 1 is a list, not a mapping"`);
    const tsv = tsigma(['lint', noAuthor, '--output-format', 'tsv']).stdout;
    expect(tsv).toBe(`PATH\tSEVERITY\tRULE\tLINE\tCOLUMN\tMESSAGE\n${noAuthor}\tinfo\tmissing_author\t1\t1\tthe rule has no author\n`);
    const sarif = JSON.parse(tsigma(['lint', BROKEN, '--output-format', 'sarif']).stdout) as {
      version: string;
      runs: { results: unknown[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results).toHaveLength(findings.length);
  });

  it('lists clean files with -v, colours only with --color always', () => {
    expect(tsigma(['lint', join(FIX, 'rules-whoami'), '-v']).stdout).toContain('whoami.yml: ok');
    expect(tsigma(['lint', noAuthor]).stdout).not.toContain('\u001b[');
    expect(tsigma(['lint', noAuthor, '--color', 'always']).stdout).toContain('\u001b[36minfo\u001b[0m');
  });

  it('reads .tsigma-lint.yml beside the rules, --exclude and --config; a bad config exits 3 naming the key', () => {
    const dir = join(tmp, 'cfg');
    cpSync(join(FIX, 'lint'), join(dir, 'rules'), { recursive: true });
    cpSync(noAuthor, join(dir, 'rules/old/again.yml'));
    expect(tsigma(['lint', join(dir, 'rules'), '--output-format', 'json']).stdout).toContain('"infos": 2');
    expect(tsigma(['lint', join(dir, 'rules'), '--output-format', 'json', '--exclude', 'old/**']).stdout).toContain('"infos": 1');
    writeFileSync(join(dir, '.tsigma-lint.yml'), 'severity:\n  missing_author: error\nexclude: [old]\n');
    const configured = tsigma(['lint', join(dir, 'rules'), '--output-format', 'json']);
    expect(configured.code).toBe(1);
    expect(JSON.parse(configured.stdout)).toMatchObject({ summary: { files_checked: 1, errors: 1 } });
    expect(tsigma(['lint', join(dir, 'rules'), '--no-config']).code).toBe(0);
    writeFileSync(join(dir, 'other.yml'), 'disable: [missing_author]\n');
    expect(tsigma(['lint', join(dir, 'rules'), '--config', join(dir, 'other.yml'), '--output-format', 'json']).stdout).toContain(
      '"infos": 0',
    );
    writeFileSync(join(dir, '.tsigma-lint.yml'), 'severity:\n  missing_author: fatal\n');
    const bad = tsigma(['lint', join(dir, 'rules')]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('(severity.missing_author)');
  });

  it('--fix twice is idempotent and the fixed rules lint clean for the fixed rules', () => {
    const dir = join(tmp, 'fix');
    cpSync(BROKEN, dir, { recursive: true });
    const first = tsigma(['lint', dir, '--fix', '--output-format', 'json']);
    const after = readFileSync(join(dir, 'keys-and-values.yml'), 'utf8');
    expect(after).toContain('tags:\n');
    expect(after).toContain('Image|exists: true');
    const second = tsigma(['lint', dir, '--fix', '--output-format', 'json']);
    expect(readFileSync(join(dir, 'keys-and-values.yml'), 'utf8')).toBe(after);
    expect(second.stdout).toBe(first.stdout);
    const fixable = (JSON.parse(second.stdout) as { findings: { fixable: boolean }[] }).findings.filter((f) => f.fixable);
    expect(fixable).toEqual([]);
  });

  it('answers to the rule lint alias', () => {
    expect(tsigma(['rule', 'lint', noAuthor]).code).toBe(0);
  });
});
