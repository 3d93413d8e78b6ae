// SIGINT / SIGTERM during `tsigma eval` (spec 11 §2): the built binary runs as a child process reading a stdin the
// test keeps open, as a slow producer would; the signal comes once the child has shown it read every line sent.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../dist/main.js');
const FIX = resolve(import.meta.dirname, 'fixtures');

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr contains `text`. */
  stderrShows(text: string): Promise<void>;
  exited: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    child.stdin.destroy();
    child.stdout.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

function start(args: string[], { readStdout = true } = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
  children.push(child);
  let out = '';
  let err = '';
  const waiters: { text: string; resolve(): void }[] = [];
  if (readStdout) child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.filter((x) => err.includes(x.text))) w.resolve();
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    stderrShows: (text) => (err.includes(text) ? Promise.resolve() : new Promise((r) => waiters.push({ text, resolve: r }))),
    exited,
  };
}

const whoami = (n: number): string => `${JSON.stringify({ CommandLine: `whoami ${n}` })}\n`;

// Child processes on a shared machine: generous time limits, which only matter when something hangs.
describe('tsigma eval stopped by a signal', { timeout: 60_000 }, () => {
  it('on SIGINT stops reading, writes every result read so far as json, sums up, and exits 130', async () => {
    const run = start(['eval', '-r', resolve(FIX, 'rules-whoami'), '--input-format', 'json', '--output-format', 'json']);
    run.child.stdin.write(whoami(1) + whoami(2) + 'not json\n');
    // The parse error of line 3 is reported once lines 1-3 were evaluated; stdin stays open, as a slow producer's.
    await run.stderrShows('stdin:3');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const results = JSON.parse(run.stdout()) as { rule_title: string }[];
    expect(results.map((r) => r.rule_title)).toEqual(['Detect Whoami Execution', 'Detect Whoami Execution']);
    expect(run.stderr()).toContain('tsigma: SIGINT: finishing the events already read');
    expect(run.stderr()).toContain(
      'Processed 2 events, 2 detection matches, 0 correlation matches, 1 parse errors; interrupted by SIGINT before the end of the input.',
    );
  });

  it('on SIGTERM writes the table and the correlation-state dump, and exits 143', async () => {
    const run = start([
      'eval',
      '-r',
      resolve(FIX, 'rules-brute'),
      '--input-format',
      'json',
      '--output-format',
      'table',
      '--dump-correlation-state',
    ]);
    for (let i = 1; i <= 3; i++) {
      run.child.stdin.write(
        `${JSON.stringify({ timestamp: `2026-01-01T00:00:0${i}Z`, event_type: 'login_failure', src_ip: '10.0.0.1' })}\n`,
      );
    }
    run.child.stdin.write('not json\n');
    await run.stderrShows('stdin:4');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
    const rows = run.stdout().trim().split('\n');
    expect(rows[0]).toMatch(/^LEVEL\s+RULE\s+TYPE\s+DETAIL$/);
    expect(rows.slice(1)).toHaveLength(3);
    expect(run.stderr()).toContain('"group_key_display": "src_ip=10.0.0.1"');
    expect(run.stderr()).toContain('interrupted by SIGTERM before the end of the input.');
  });

  it('stops even before the first line arrived', async () => {
    const run = start(['eval', '-r', resolve(FIX, 'rules-whoami'), '--output-format', 'json', '--log-level', 'debug']);
    await run.stderrShows('tsigma: debug: evaluating'); // the run has begun; its first read is waiting for stdin
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(JSON.parse(run.stdout())).toEqual([]);
    expect(run.stderr()).toContain('Processed 0 events');
  });

  it('a second signal ends the process at once, even while the output cannot be written', async () => {
    // stdout is not read, so writing the table blocks once the pipe is full: only the second signal ends the run.
    const run = start(['eval', '-r', resolve(FIX, 'rules-whoami'), '--input-format', 'json', '--output-format', 'table'], {
      readStdout: false,
    });
    let lines = '';
    for (let i = 0; i < 20_000; i++) lines += whoami(i);
    run.child.stdin.write(lines + 'not json\n');
    await run.stderrShows('stdin:20001');
    run.child.kill('SIGINT');
    await run.stderrShows('finishing the events already read');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).not.toContain('Processed');
  });
});
