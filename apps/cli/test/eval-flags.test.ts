// eval flags of issue 19: --jq / --jsonpath (with and without worker threads), --match-detail, --syslog-strip-bom,
// --color on the table and timeline levels, --batch-size validation and `-i -` for stdin.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tsigmaInProcess } from './in-process.js';

const WHOAMI = resolve(import.meta.dirname, 'fixtures/rules-whoami');
const tmp = mkdtempSync(join(tmpdir(), 'tsigma-eval-flags-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const wrapped =
  JSON.stringify({ records: [{ CommandLine: 'cmd /c whoami' }, { CommandLine: 'dir' }, { CommandLine: 'whoami /all' }] }) + '\n';
const lines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('eval --jq / --jsonpath', () => {
  for (const [flag, expr] of [
    ['--jq', '.records[]'],
    ['--jsonpath', '$.records[*]'],
  ] as const) {
    for (const threads of ['1', '2']) {
      it(`${flag} extracts the events of each value (--threads ${threads})`, async () => {
        const r = await tsigmaInProcess(
          ['eval', '-r', WHOAMI, '-i', '-', flag, expr, '--threads', threads, '--output-format', 'ndjson'],
          wrapped,
        );
        expect(r.code).toBe(0);
        expect(lines(r.stdout).map((d) => (d['matched_fields'] as { value: string }[])[0]?.value)).toEqual([
          'cmd /c whoami',
          'whoami /all',
        ]);
        expect(r.stderr).toContain('Processed 3 events, 2 detection matches');
      });
    }
  }

  it('without a filter, the wrapper is one event that matches nothing', async () => {
    const r = await tsigmaInProcess(['eval', '-r', WHOAMI, '--output-format', 'ndjson'], wrapped);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Processed 1 events, 0 detection matches');
  });

  it('exits 3 on an expression that does not compile, or on both flags', async () => {
    const bad = await tsigmaInProcess(['eval', '-r', WHOAMI, '--jq', '.records[', '-e', '{}']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('jq program does not compile');
    expect((await tsigmaInProcess(['eval', '-r', WHOAMI, '--jsonpath', '$[', '-e', '{}'])).code).toBe(3);
    expect((await tsigmaInProcess(['eval', '-r', WHOAMI, '--jq', '.', '--jsonpath', '$', '-e', '{}'])).code).toBe(3);
  });
});

describe('eval --match-detail', () => {
  const run = (detail?: string) =>
    tsigmaInProcess([
      'eval',
      '-r',
      WHOAMI,
      '-e',
      '{"CommandLine":"cmd /c whoami"}',
      '--output-format',
      'ndjson',
      ...(detail ? ['--match-detail', detail] : []),
    ]);

  it('adds selection and matcher with summary, and the pattern with full; off (the default) keeps field and value', async () => {
    const field = async (detail?: string) => (lines((await run(detail)).stdout)[0]?.['matched_fields'] as Record<string, unknown>[])[0];
    expect(await field()).toEqual({ field: 'CommandLine', value: 'cmd /c whoami' });
    expect(await field('off')).toEqual({ field: 'CommandLine', value: 'cmd /c whoami' });
    expect(await field('summary')).toEqual({
      field: 'CommandLine',
      value: 'cmd /c whoami',
      selection: 'selection_cmd',
      matcher: 'contains',
      case_sensitive: false,
    });
    expect(await field('full')).toMatchObject({ matcher: 'contains', pattern: 'whoami' });
  });

  it('exits 3 on an unknown level', async () => {
    expect((await run('all')).code).toBe(3);
  });
});

describe('eval --syslog-strip-bom', () => {
  it('strips a BOM before the message by default and keeps it with false', async () => {
    writeFileSync(
      join(tmp, 'syslog.yml'),
      'title: Syslog whoami\nlogsource:\n  product: linux\ndetection:\n  sel:\n    _raw|startswith: whoami\n  condition: sel\nlevel: low\n',
    );
    const line = '<13>1 2024-01-01T00:00:00Z host app - - - \ufeffwhoami now\n';
    const args = ['eval', '-r', join(tmp, 'syslog.yml'), '--input-format', 'syslog', '--output-format', 'ndjson'];
    expect(lines((await tsigmaInProcess(args, line)).stdout)).toHaveLength(1);
    expect(lines((await tsigmaInProcess([...args, '--syslog-strip-bom', 'true'], line)).stdout)).toHaveLength(1);
    expect(lines((await tsigmaInProcess([...args, '--syslog-strip-bom', 'false'], line)).stdout)).toHaveLength(0);
    expect((await tsigmaInProcess([...args, '--syslog-strip-bom', 'maybe'], line)).code).toBe(3);
  });
});

describe('eval --color', () => {
  const args = ['eval', '-r', WHOAMI, '-e', '{"CommandLine":"whoami"}'];
  it('colours the level column of the table and timeline views with always, never otherwise', async () => {
    const table = await tsigmaInProcess([...args, '--output-format', 'table', '--color', 'always']);
    expect(table.stdout.split('\n')[1]).toBe('\u001b[33mmedium\u001b[0m  Detect Whoami Execution  detection  CommandLine=whoami');
    const timeline = await tsigmaInProcess([...args, '--output-format', 'timeline', '--color', 'always']);
    expect(timeline.stdout).toContain('\u001b[33mmedium\u001b[0m');
    // Not a TTY (the in-process stdout is a buffer): auto and never write plain text.
    for (const mode of ['auto', 'never'])
      expect((await tsigmaInProcess([...args, '--output-format', 'table', '--color', mode])).stdout).not.toContain('\u001b[');
    expect((await tsigmaInProcess([...args, '--output-format', 'ndjson', '--color', 'always'])).stdout).not.toContain('\u001b[');
    expect((await tsigmaInProcess([...args, '--color', 'sometimes'])).code).toBe(3);
  });
});

describe('eval --batch-size and -i -', () => {
  it('validates --batch-size and uses it', async () => {
    for (const bad of ['abc', '0', '1.5', '100001'])
      expect((await tsigmaInProcess(['eval', '-r', WHOAMI, '-e', '{}', '--batch-size', bad])).code).toBe(3);
    const input = Array.from({ length: 5 }, (_, i) => JSON.stringify({ CommandLine: i % 2 === 0 ? 'whoami' : 'dir' })).join('\n') + '\n';
    const r = await tsigmaInProcess(['eval', '-r', WHOAMI, '--batch-size', '2', '--output-format', 'ndjson'], input);
    expect(lines(r.stdout)).toHaveLength(3);
  });

  it('reads stdin for -i -, in order with other inputs', async () => {
    const file = join(tmp, 'events.ndjson');
    writeFileSync(file, '{"CommandLine":"whoami from file"}\n');
    const r = await tsigmaInProcess(
      ['eval', '-r', WHOAMI, '-i', file, '-i', '-', '--output-format', 'ndjson'],
      '{"CommandLine":"whoami from stdin"}\n',
    );
    expect(lines(r.stdout).map((d) => (d['matched_fields'] as { value: string }[])[0]?.value)).toEqual([
      'whoami from file',
      'whoami from stdin',
    ]);
  });
});
