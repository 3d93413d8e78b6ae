// `tsigma pipeline diff` (spec 11 §1, issue 19): the rule before and after the pipelines as a unified YAML diff whose
// changed lines name the processing items behind them.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffLines, unifiedHunks } from '../src/unified-diff.js';
import { tsigmaInProcess } from './in-process.js';

const WHOAMI = resolve(import.meta.dirname, 'fixtures/rules-whoami');
const tmp = mkdtempSync(join(tmpdir(), 'tsigma-pipeline-diff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tsigma pipeline diff', () => {
  it('diffs the whoami rule under ecs_windows, naming the item on each changed line', async () => {
    const r = await tsigmaInProcess(['pipeline', 'diff', '-r', WHOAMI, '-p', 'ecs_windows']);
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n');
    expect(out[0]).toBe(`--- ${join(WHOAMI, 'whoami.yml')} (Detect Whoami Execution)`);
    expect(out[1]).toBe(`+++ ${join(WHOAMI, 'whoami.yml')} (after ecs_windows)`);
    expect(out[2]).toMatch(/^# applied items: .*ecs_windows_process_creation/);
    expect(out).toContain('-            name: CommandLine  # removed by ecs_windows/ecs_windows_process_creation');
    expect(out).toContain('+            name: process.command_line  # by ecs_windows/ecs_windows_process_creation');
    expect(out.filter((l) => l.startsWith('@@ '))).toHaveLength(2);
  });

  it('names items of each pipeline separately, and items without an id by position', async () => {
    const pipeline = join(tmp, 'rename.yml');
    writeFileSync(
      pipeline,
      'name: rename\npriority: 50\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      process.command_line: cmdline\n',
    );
    const r = await tsigmaInProcess(['pipeline', 'diff', '-r', WHOAMI, '-p', 'ecs_windows', '-p', pipeline, '--output-format', 'json']);
    expect(r.code).toBe(0);
    const [diff] = JSON.parse(r.stdout) as { diff: string[]; applied_items: string[] }[];
    // The final name came from the second pipeline; the first one's intermediate name never reaches the output.
    expect(diff?.diff).toContain('+            name: cmdline  # by rename/#1');
    expect(diff?.diff).toContain('+            name: process.executable  # by ecs_windows/ecs_windows_process_creation');
  });

  it('says when nothing changed, selects by --rule-id, and reports usage and rule errors', async () => {
    const noop = join(tmp, 'noop.yml');
    writeFileSync(noop, 'name: noop\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      NoSuchField: other\n');
    const same = await tsigmaInProcess(['pipeline', 'diff', '-r', WHOAMI, '-p', noop, '--output-format', 'ndjson']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('"diff":[]');
    expect((await tsigmaInProcess(['pipeline', 'diff', '-r', WHOAMI, '-p', 'windows', '--rule-id', 'nope'])).code).toBe(2);
    expect((await tsigmaInProcess(['pipeline', 'diff', '-r', join(tmp, 'missing'), '-p', 'windows'])).code).toBe(2);
    expect((await tsigmaInProcess(['pipeline', 'diff', '-r', WHOAMI])).code).toBe(3);
    expect((await tsigmaInProcess(['pipeline', 'diff', '-r', WHOAMI, '-p', 'no-such-pipeline'])).code).toBe(3);
    expect((await tsigmaInProcess(['pipeline', 'diff', '-r', WHOAMI, '-p', 'windows', '--output-format', 'table'])).code).toBe(3);
  });

  it('reports a rule the pipelines cannot transform (exit 2) and still diffs the others', async () => {
    const dir = join(tmp, 'placeholder');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'a-placeholder.yml'),
      'title: Placeholder\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    User|expand: "%admins%"\n  condition: sel\n',
    );
    cpSync(join(WHOAMI, 'whoami.yml'), join(dir, 'whoami.yml'));
    const r = await tsigmaInProcess(['pipeline', 'diff', '-r', dir, '-p', 'ecs_windows', '--output-format', 'ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*a-placeholder\.yml \(Placeholder\): .*placeholder/m);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { title: string }).title),
    ).toEqual(['Detect Whoami Execution']);
  });
});

describe('unifiedHunks', () => {
  it('prints removals before additions with diff(1) line numbers and context', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const b = ['a', 'B', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
    expect(unifiedHunks(diffLines(a, b))).toEqual([
      '@@ -1,5 +1,5 @@',
      ' a',
      '-b',
      '+B',
      ' c',
      ' d',
      ' e',
      '@@ -8,3 +8,4 @@',
      ' h',
      ' i',
      ' j',
      '+k',
    ]);
    expect(unifiedHunks(diffLines(a, a))).toEqual([]);
  });
});
