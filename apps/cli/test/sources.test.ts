// Dynamic pipeline sources through the built `tsigma` binary (spec 09, 11 §9): `pipeline resolve`, `validate
// --resolve-sources`, and `eval` resolving sources before evaluation and refreshing them while events flow.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../dist/main.js');
const RULES = resolve(import.meta.dirname, 'fixtures/rules-blocklist');

/** Runs the binary asynchronously: the feed server lives in this process, so a blocking spawnSync would starve it. */
function tsigma(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A loopback feed whose body the test changes; `requests` counts fetches. */
let feedBody = '';
let feedStatus = 200;
let requests = 0;
let server: Server;
let feedUrl = '';
let dir = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(feedStatus, { 'content-type': 'application/json' });
    res.end(feedBody);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/blocklist`;
  dir = mkdtempSync(join(tmpdir(), 'tsigma-cli-sources-'));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function pipelineFile(name: string, sourceExtra = '', varsValue = '${source.blocklist}'): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(
    path,
    `name: ${name}
vars:
  blocklist: "${varsValue}"
transformations:
  - type: value_placeholders
sources:
  - id: blocklist
    type: http
    url: ${feedUrl}
    extract: .ips
${sourceExtra}`,
  );
  return path;
}

describe('tsigma pipeline resolve', { timeout: 30_000 }, () => {
  it('prints each source with its data; a failing source gives status error and exit 1', async () => {
    feedStatus = 200;
    feedBody = JSON.stringify({ ips: ['10.0.0.5', '203.0.113.42'] });
    const path = pipelineFile('resolve_ok');
    const ok = await tsigma(['pipeline', 'resolve', '-p', path, '--output-format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([
      { declared_in: 'pipeline:resolve_ok', source_id: 'blocklist', type: 'http', status: 'ok', data: ['10.0.0.5', '203.0.113.42'] },
    ]);

    feedStatus = 500;
    const bad = await tsigma(['pipeline', 'resolve', '-p', path, '--output-format', 'ndjson']);
    expect(bad.code).toBe(1);
    const row = JSON.parse(bad.stdout.trim()) as { status: string; error: string };
    expect(row.status).toBe('error');
    expect(row.error).toMatch(/^fetch: source 'blocklist': HTTP 500/);

    const strict = await tsigma(['pipeline', 'resolve', '-p', path, '--egress-policy', 'strict', '--output-format', 'ndjson']);
    expect((JSON.parse(strict.stdout.trim()) as { error: string }).error).toContain('egress policy denied loopback address 127.0.0.1');
    feedStatus = 200;
  });

  it('--dry-run fetches nothing; -s with an unknown id exits 2; a duplicate id in a source file exits 3', async () => {
    const path = pipelineFile('resolve_dry', '    refresh: 5m\n    required: false\n');
    const before = requests;
    const dry = await tsigma(['pipeline', 'resolve', '-p', path, '--dry-run', '--output-format', 'ndjson']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout.trim())).toEqual({
      declared_in: 'pipeline:resolve_dry',
      source_id: 'blocklist',
      type: 'http',
      refresh: '5m',
      required: false,
      on_error: 'use_cached',
    });
    expect(requests).toBe(before);
    expect((await tsigma(['pipeline', 'resolve', '-p', path, '-s', 'nope'])).code).toBe(2);

    const sourceFile = join(dir, 'feeds.yml');
    writeFileSync(sourceFile, `sources:\n  - id: blocklist\n    type: file\n    path: x.json\n`);
    const dup = await tsigma(['pipeline', 'resolve', '-p', path, '--source-file', sourceFile]);
    expect(dup.code).toBe(3);
    expect(dup.stderr).toContain(`source id 'blocklist' declared in pipeline 'resolve_dry' (${path}) and in file ${sourceFile}`);
  });

  it('--expand prints the pipeline with the var expanded', async () => {
    feedBody = JSON.stringify({ ips: ['10.0.0.5'] });
    const out = await tsigma(['pipeline', 'resolve', '-p', pipelineFile('resolve_expand'), '--expand', '--output-format', 'ndjson']);
    expect(out.code).toBe(0);
    const [, expanded] = out.stdout.trim().split('\n');
    expect(JSON.parse(expanded ?? '')).toMatchObject({ pipeline: 'resolve_expand', vars: { blocklist: ['10.0.0.5'] } });
  });
});

describe('sources in eval and validate', { timeout: 30_000 }, () => {
  it('a ${source.X} that no declaration provides is a load error naming the source (exit 3), never an empty value', async () => {
    const path = join(dir, 'undeclared.yml');
    writeFileSync(path, 'name: undeclared\nvars:\n  blocklist: "${source.ip_blocklist}"\ntransformations:\n  - type: value_placeholders\n');
    const r = await tsigma(['eval', '-r', RULES, '-p', path, '-e', '{"DestinationIp":"10.0.0.5"}']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("'ip_blocklist'");
    expect((await tsigma(['validate', RULES, '-p', path])).code).toBe(3);
  });

  it('eval --source reads declarations from a standalone file; relative paths resolve against that file', async () => {
    writeFileSync(join(dir, 'local-feed.txt'), '10.9.9.9\r\n\n');
    const sourceFile = join(dir, 'local-sources.yml');
    writeFileSync(sourceFile, 'sources:\n  - id: local_list\n    type: file\n    path: local-feed.txt\n    format: lines\n');
    const path = join(dir, 'uses-file-source.yml');
    writeFileSync(
      path,
      'name: uses_file_source\nvars:\n  blocklist: "${source.local_list}"\ntransformations:\n  - type: value_placeholders\n',
    );
    const r = await tsigma([
      'eval',
      '-r',
      RULES,
      '-p',
      path,
      '--source',
      sourceFile,
      '-e',
      '{"DestinationIp":"10.9.9.9"}',
      '--output-format',
      'ndjson',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ rule_title: 'Connection To Blocklisted Address' });
    expect((await tsigma(['eval', '-r', RULES, '-p', path, '-e', '{"DestinationIp":"10.9.9.9"}'])).code).toBe(3);
  });

  it('validate --resolve-sources fails (exit 3) on any failing source, even an optional one', async () => {
    feedStatus = 503;
    const path = pipelineFile('validate_strict', '    required: false\n');
    expect((await tsigma(['validate', RULES, '-p', path])).code).toBe(0);
    const r = await tsigma(['validate', RULES, '-p', path, '--resolve-sources']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("source 'blocklist'");
    feedStatus = 200;
  });

  it('eval: an http source drives a rule that fires, and stops firing after the list changes and a refresh runs', async () => {
    feedStatus = 200;
    feedBody = JSON.stringify({ ips: ['203.0.113.42'] });
    const path = pipelineFile('live', '    refresh: 1s\n');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'eval',
        '-r',
        RULES,
        '-p',
        path,
        '--input-format',
        'json',
        '--batch-size',
        '1',
        '--output-format',
        'ndjson',
        '--log-level',
        'info',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const until = async (what: string, check: () => boolean): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const detections = () =>
      stdout
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as { matched_fields?: unknown });
    try {
      child.stdin.write(JSON.stringify({ DestinationIp: '203.0.113.42', n: 1 }) + '\n');
      await until('the first detection', () => detections().length === 1);

      feedBody = JSON.stringify({ ips: ['198.51.100.7'] });
      await until('the rebuild after the refresh', () => stderr.includes("source 'blocklist' changed; rules rebuilt"));

      // The old address no longer fires; the new one does (and, arriving after it, proves the old one was evaluated).
      child.stdin.write(JSON.stringify({ DestinationIp: '203.0.113.42', n: 2 }) + '\n');
      child.stdin.write(JSON.stringify({ DestinationIp: '198.51.100.7', n: 3 }) + '\n');
      await until('the detection of the new address', () => detections().length === 2);
      child.stdin.end();
      expect(await exited).toBe(0);
      expect(stdout).not.toContain('"n":2');
      expect(stderr).toContain('Processed 3 events, 2 detection matches');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
