// Spawns the built tsigmad on a free loopback port and talks to it over HTTP (spec 10 §10).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tsigmad-test-'));
}

/** Writes `files` (relative path → text) under a new temp directory and returns it. */
export function writeTree(files: Record<string, string>, dir = tempDir()): string {
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}

export const WHOAMI_RULE = `title: Detect Whoami Execution
id: 11111111-0000-0000-0000-000000000001
status: test
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
level: medium
`;

export const COUNT_RULES = `title: Failed Login
id: 11111111-0000-0000-0000-000000000003
name: failed_login
status: test
logsource:
  product: linux
  service: auth
detection:
  selection:
    event_type: login_failure
  condition: selection
level: low
---
title: Brute Force
id: 11111111-0000-0000-0000-000000000004
name: brute_force
status: test
correlation:
  type: event_count
  rules:
    - failed_login
  group-by:
    - src_ip
  timespan: 1h
  condition:
    gte: 5
level: high
`;

/** A running daemon. */
export interface Running {
  proc: ChildProcess;
  port: number;
  base: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  post(path: string, body?: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown; text: string }>;
  del(path: string): Promise<{ status: number; body: unknown }>;
  metric(name: string): Promise<number | undefined>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

interface StartOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** Wait for /readyz 200 (default true). */
  waitReady?: boolean;
  port?: number;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export async function startDaemon(args: string[], opts: StartOptions = {}): Promise<Running> {
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, [MAIN, '--api-addr', `127.0.0.1:${port}`, '--workers', '1', ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      running.delete(proc);
      resolve(code);
    }),
  );
  if (opts.stdin !== undefined) {
    proc.stdin?.end(opts.stdin);
  }
  const base = `http://127.0.0.1:${port}`;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, { headers });
    const text = await res.text();
    return { status: res.status, body: parse(text), text, headers: res.headers };
  };
  const post = async (path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, { method: 'POST', body: body ?? null, headers });
    const text = await res.text();
    return { status: res.status, body: parse(text), text };
  };
  const del = async (path: string) => {
    const res = await fetch(base + path, { method: 'DELETE' });
    const text = await res.text();
    return { status: res.status, body: parse(text) };
  };
  const metric = async (name: string): Promise<number | undefined> => {
    const { text } = await get('/metrics');
    for (const line of text.split('\n')) {
      if (line.startsWith(name + ' ')) return Number(line.slice(name.length + 1));
    }
    return undefined;
  };
  const r: Running = {
    proc,
    port,
    base,
    stdout: () => out,
    stderr: () => err,
    exited,
    get,
    post,
    del,
    metric,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  if (opts.waitReady !== false) {
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`tsigmad exited ${proc.exitCode}: ${err}`);
      try {
        return (await get('/readyz')).status === 200 && err.includes('tsigmad running');
      } catch {
        return false;
      }
    }, 15_000);
  }
  return r;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs tsigmad to completion (for start-up errors and --dry-run). */
export function runDaemonToExit(
  args: string[],
  env: Record<string, string> = {},
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.stdin.end(stdin);
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
