// End-to-end tests of the built `tsigma` binary, run as a child process (spec 11 §10).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../dist/main.js');
const FIX = resolve(import.meta.dirname, 'fixtures');

function tsigma(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bruteEvents = [1, 2, 3, 4, 5, 6]
  .map((i) => JSON.stringify({ timestamp: `2026-01-01T00:00:0${i}Z`, event_type: 'login_failure', src_ip: '10.0.0.1' }))
  .join('\n');

describe('tsigma eval', () => {
  it('prints one ndjson line for a whoami event and exits 0', () => {
    const r = tsigma(['eval', '-r', join(FIX, 'rules-whoami'), '-e', '{"CommandLine":"cmd /c whoami"}', '--output-format', 'ndjson']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ rule_title: 'Detect Whoami Execution', author: 'tsigma demo' });
  });

  it('exits 1 with --fail-on-detection and 3 on invalid inline JSON', () => {
    const args = ['eval', '-r', join(FIX, 'rules-whoami'), '-e', '{"CommandLine":"whoami"}'];
    expect(tsigma([...args, '--fail-on-detection']).code).toBe(1);
    expect(tsigma(['eval', '-r', join(FIX, 'rules-whoami'), '-e', '{bad']).code).toBe(3);
  });

  it('keeps going past a bad stdin line and counts it', () => {
    const r = tsigma(
      ['eval', '-r', join(FIX, 'rules-whoami'), '--input-format', 'json'],
      '{"CommandLine":"whoami"}\nnot json\n{"CommandLine":"dir"}\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('Processed 2 events, 1 detection matches, 0 correlation matches, 1 parse errors.');
    expect(r.stderr).toContain('stdin:2');
  });

  it('reports a rule that cannot compile with its file, skips it, and still evaluates the others', () => {
    const r = tsigma([
      'eval',
      '-r',
      join(FIX, 'rules-uncompilable'),
      '-e',
      '{"CommandLine":"whoami","EventID":4624}',
      '--output-format',
      'ndjson',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /placeholder\.yml:10:5: error\[unresolved_placeholder\]: .*%admin_workstations%.*\(rule "Admin Logon From Unlisted Host" skipped\)/,
    );
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { rule_title: string }).rule_title),
    ).toEqual(['Detect Whoami Execution']);
  });

  it('reports JSON values that are not objects per line with --input-format json and goes on', () => {
    const r = tsigma(
      ['eval', '-r', join(FIX, 'rules-whoami'), '--input-format', 'json'],
      '{"CommandLine":"whoami"}\n42\n"text"\n{"CommandLine":"whoami"}\n',
    );
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toContain('stdin:2: expected a JSON object, got a number');
    expect(r.stderr).toContain('Processed 2 events, 2 detection matches, 0 correlation matches, 2 parse errors.');
  });

  it('reads pretty-printed concatenated JSON and JSON arrays from stdin', () => {
    const pretty = `{\n  "CommandLine": "whoami"\n}\n{\n  "CommandLine": "whoami /all"\n}\n`;
    expect(
      tsigma(['eval', '-r', join(FIX, 'rules-whoami')], pretty)
        .stdout.trim()
        .split('\n'),
    ).toHaveLength(2);
    const array = JSON.stringify([{ CommandLine: 'whoami' }, { CommandLine: 'dir' }, { CommandLine: 'whoami' }]);
    expect(
      tsigma(['eval', '-r', join(FIX, 'rules-whoami')], array)
        .stdout.trim()
        .split('\n'),
    ).toHaveLength(2);
  });

  it('runs correlations: 6 detections and 2 correlations, 1 with --suppress, state dump', () => {
    const rules = join(FIX, 'rules-brute');
    const lines = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const all = lines(tsigma(['eval', '-r', rules], bruteEvents).stdout);
    expect(all.filter((r) => !('correlation_type' in r))).toHaveLength(6);
    expect(all.filter((r) => 'correlation_type' in r)).toHaveLength(2);
    const suppressed = lines(tsigma(['eval', '-r', rules, '--suppress', '5m'], bruteEvents).stdout);
    expect(suppressed.filter((r) => 'correlation_type' in r)).toHaveLength(1);
    const dump = tsigma(['eval', '-r', rules, '--dump-correlation-state'], bruteEvents.split('\n').slice(0, 3).join('\n'));
    expect(dump.stderr).toContain('src_ip=10.0.0.1');
  });

  it('evaluates an EVTX file directly and counts records', () => {
    const r = tsigma(['eval', '-r', join(FIX, 'evtx-rule.yml'), '-i', join(FIX, 'evtx/new-user-security.evtx')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(/Processed 4 EVTX records, [1-9]\d* detection matches/);
  });

  it('renders a table', () => {
    const r = tsigma(['eval', '-r', join(FIX, 'rules-whoami'), '-e', '{"CommandLine":"whoami"}', '--output-format', 'table']);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^LEVEL\s+RULE\s+TYPE\s+DETAIL$/);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain('CommandLine=whoami');
  });

  it('writes no carriage return to a non-TTY stderr', () => {
    const many = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ CommandLine: `cmd ${i}` })).join('\n');
    const r = tsigma(['eval', '-r', join(FIX, 'rules-whoami')], many);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('\r');
  });

  it('writes every result when stdout is redirected to a regular file (asynchronous file writer)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-stdout-file-'));
    const input = join(dir, 'events.ndjson');
    writeFileSync(input, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ CommandLine: `whoami ${i}` })).join('\n'));
    const outPath = join(dir, 'results.ndjson');
    const out = openSync(outPath, 'w');
    const r = spawnSync(process.execPath, [BIN, 'eval', '-r', join(FIX, 'rules-whoami'), '-i', input], {
      stdio: ['ignore', out, 'pipe'],
      encoding: 'utf8',
    });
    closeSync(out);
    expect(r.status).toBe(0);
    const lines = readFileSync(outPath, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(20_000);
    expect((JSON.parse(lines[19_999] ?? '{}') as { matched_fields: { value: string }[] }).matched_fields[0]?.value).toBe('whoami 19999');
  });

  it('exits 4 with one clear line, no stack trace, when stdout cannot be written (a full disk)', () => {
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [BIN, 'eval', '-r', join(FIX, 'rules-whoami'), '-e', '{"CommandLine":"whoami"}'], {
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
    });
    closeSync(full);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('cannot write results');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an impossible --syslog-tz, names an input directory without event files, and reads several rule paths as one', () => {
    expect(tsigma(['eval', '-r', join(FIX, 'rules-whoami'), '--syslog-tz', '+05:99', '-e', '{}']).code).toBe(3);
    const dir = tsigma(['eval', '-r', join(FIX, 'rules-whoami'), '-i', join(FIX, 'rules-ps')]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain(`${join(FIX, 'rules-ps')}: no event files`);
    expect(dir.stderr).not.toContain('internal error');
    const both = tsigma(['eval', '-r', join(FIX, 'rules-whoami'), '-r', join(FIX, 'rules-ps'), '-e', '{"CommandLine":"whoami"}']);
    expect(both.code).toBe(0);
    expect(both.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('tsigma validate', () => {
  it('reports a bad modifier with file, line and column, exit 2', () => {
    const r = tsigma(['validate', join(FIX, 'rules-bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yml:5:5: error\[unknown_modifier\]/);
  });

  it('passes a clean directory with exit 0 and a json summary', () => {
    const r = tsigma(['validate', join(FIX, 'rules-whoami'), '--output-format', 'json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { summary: Record<string, number>; files: { status: string }[] };
    expect(body.summary.detection_rules).toBe(1);
    expect(body.files.every((f) => f.status === 'ok')).toBe(true);
  });

  it('reports compile errors (unresolved expand placeholder) per file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-validate-'));
    writeFileSync(
      join(dir, 'expand.yml'),
      'title: Expand\nlogsource: {product: windows}\ndetection:\n  sel:\n    User|expand: "%admins%"\n  condition: sel\n',
    );
    const r = tsigma(['validate', dir, '--output-format', 'json']);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout) as { summary: Record<string, number> };
    expect(body.summary.compile_errors).toBe(1);
  });

  it('prints each problem once with its position, and tells parse from compile errors', () => {
    const r = tsigma(['validate', join(FIX, 'rules-bad'), join(FIX, 'rules-uncompilable')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/bad\.yml:5:5: error\[unknown_modifier\]/);
    expect(lines[1]).toMatch(/placeholder\.yml:10:5: error\[unresolved_placeholder\]/);
    expect(r.stdout).toMatch(/Parse errors: +1\n +Compile errors: +1/);
  });
});

describe('tsigma explain', () => {
  const rules = join(FIX, 'rules-ps');
  it('explains a miss in the human view and in json', () => {
    const human = tsigma(['explain', '-r', rules, '-e', '{"Image":"C:\\\\Windows\\\\cmd.exe"}']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('NO MATCH');
    expect(human.stdout).toContain('(value mismatch)');
    const json = tsigma(['explain', '-r', rules, '-e', '{"Image":"C:\\\\Windows\\\\cmd.exe"}', '--output-format', 'json']);
    expect(json.stdout).toContain('"reason": "value_mismatch"');
    const absent = tsigma(['explain', '-r', rules, '-e', '{"User":"x"}', '--output-format', 'json']);
    expect(absent.stdout).toContain('"reason": "field_absent"');
  });
  it('exits 2 for an unknown rule id and 3 for a non-object event', () => {
    expect(tsigma(['explain', '-r', rules, '-e', '{}', '--rule-id', 'nope']).code).toBe(2);
    expect(tsigma(['explain', '-r', rules, '-e', '[1]']).code).toBe(3);
  });
});

describe('tsigma fields', () => {
  it('lists mapped names with -p ecs_windows and pairs them with --show-mapping', () => {
    const r = tsigma(['fields', '-r', join(FIX, 'rules-whoami'), '-p', 'ecs_windows', '--show-mapping', '--output-format', 'json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { fields: { field: string }[]; pipeline_mappings: { original: string; mapped_to: string[] }[] };
    expect(body.fields.map((f) => f.field)).toContain('process.command_line');
    expect(body.pipeline_mappings).toContainEqual(
      expect.objectContaining({ original: 'CommandLine', mapped_to: ['process.command_line'] }),
    );
  });

  it('reports what the runtime reports: a fieldref target is a field, a correlation alias is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-fields-'));
    writeFileSync(
      join(dir, 'rules.yml'),
      [
        'title: same user',
        'id: r-same',
        'logsource: { product: test }',
        'detection:',
        '  selection:',
        '    SubjectUserName|fieldref: TargetUserName',
        '  condition: selection',
        '---',
        'title: login',
        'id: r-login',
        'logsource: { product: test }',
        'detection:',
        '  selection: { EventID: 4624 }',
        '  condition: selection',
        '---',
        'title: many',
        'correlation:',
        '  type: event_count',
        '  rules: [r-login, r-same]',
        '  group-by: [user]',
        '  timespan: 5m',
        '  aliases:',
        '    user:',
        '      r-login: TargetUserName',
        '      r-same: SubjectUserName',
        '  condition: { gte: 2 }',
        '',
      ].join('\n'),
    );
    const r = tsigma(['fields', '-r', dir, '--output-format', 'json']);
    expect(r.code).toBe(0);
    const fields = (JSON.parse(r.stdout) as { fields: { field: string; sources: string[] }[] }).fields;
    const names = fields.map((f) => f.field);
    expect(names).toEqual(expect.arrayContaining(['SubjectUserName', 'TargetUserName', 'EventID']));
    expect(names).not.toContain('user');
    expect(fields.find((f) => f.field === 'TargetUserName')?.sources).toEqual(['correlation', 'detection']);
  });
});

describe('tsigma parse', () => {
  it('prints the AST, exits 2 for a missing file and for a bad condition', () => {
    const ok = tsigma(['parse', join(FIX, 'rules-whoami/whoami.yml')]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ rules: [{ title: 'Detect Whoami Execution' }] });
    expect(tsigma(['parse', join(FIX, 'missing.yml')]).code).toBe(2);
    const bad = tsigma(['parse', '--condition', 'sel and']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/condition_syntax/);
  });
});

describe('tsigma evtx dump', () => {
  it('stops quietly when the reader closes the pipe early', () => {
    const r = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" evtx dump "${join(FIX, 'evtx/new-user-security.evtx')}" | head -c 10`],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toHaveLength(10);
    expect(r.stderr).not.toContain('EPIPE');
  });

  it('prints one JSON document per record and exits 2 for a non-EVTX file', () => {
    const r = tsigma(['evtx', 'dump', join(FIX, 'evtx/new-user-security.evtx')]);
    expect(r.code).toBe(0);
    const docs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Event: unknown });
    expect(docs).toHaveLength(4);
    expect(docs[0]).toHaveProperty('Event.System');
    expect(tsigma(['evtx', 'dump', join(FIX, 'evtx/README.md')]).code).toBe(2);
  });
});

describe('usage errors', () => {
  it('exits 3 on an unknown flag or command', () => {
    expect(tsigma(['eval', '-r', join(FIX, 'rules-whoami'), '--nope']).code).toBe(3);
    expect(tsigma(['frobnicate']).code).toBe(3);
  });
});
