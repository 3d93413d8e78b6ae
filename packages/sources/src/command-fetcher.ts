// `command` sources: run an argv without a shell and read its stdout (spec 09 §2, §7). Nothing from a source value
// reaches the command line: the argv is the declaration's, fixed at load time. `runCommand` is the shared runner
// (also used by the `command` enricher of @tsigma/enrichment); it never spawns a shell.

import { spawn } from 'node:child_process';
import type { DynamicSource } from './declarations.js';
import { SourceError } from './errors.js';
import type { FetchContext, SourceFetcher } from './fetcher.js';
import { decodeUtf8 } from './format.js';
import { MAX_STDERR_BYTES } from './limits.js';

/** Runs the command; exit ≠ 0 → `fetch` with code and stderr, deadline → `timeout` (SIGKILL), big stdout → `resource_limit`. */
export const commandFetcher: SourceFetcher = {
  async fetch(src: DynamicSource, ctx: FetchContext): Promise<string> {
    const argv = src.command as [string, ...string[]];
    const done = await runCommand(argv, {
      signal: ctx.signal,
      timeoutMs: ctx.limits.timeoutMs,
      maxStdoutBytes: ctx.limits.maxStdoutBytes,
      env: process.env,
      fail: (kind, detail, options) => new SourceError(kind, src.id, detail, options),
    });
    if (done.code !== 0) {
      const stderr = done.stderr.toString('utf8').trim();
      const how = done.code === null ? `was killed by ${done.signal}` : `exited with code ${done.code}`;
      throw new SourceError('fetch', src.id, `command ${argv[0]} ${how}${stderr === '' ? '' : `: ${stderr}`}`);
    }
    return decodeUtf8(done.stdout, src.id);
  },
};

/** How {@link runCommand} runs a child and reports failures. */
export interface RunCommandOptions {
  /** Aborting it kills the child (SIGKILL); a `fetch` failure. */
  signal: AbortSignal;
  /** Deadline; the child is killed (SIGKILL) and the run is a `timeout` failure. Omit to rely on `signal` alone. */
  timeoutMs?: number;
  /** More stdout than this kills the child; a `resource_limit` failure. */
  maxStdoutBytes: number;
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed; without it stdin is empty. */
  stdin?: string;
  /** Builds the error for a failure, so each caller names its own subject (a source, an enricher). */
  fail: (kind: 'fetch' | 'timeout' | 'resource_limit', detail: string, options?: ErrorOptions) => Error;
}

/** How a child ended: its exit code (null when killed by a signal), stdout, and up to MAX_STDERR_BYTES of stderr. */
export interface CommandOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * Spawns `argv` without a shell (each entry reaches the child as one argument, whatever it contains) and collects
 * its output. Rejects only when it cannot start, times out, is aborted or writes too much; a non-zero exit is
 * returned for the caller to judge.
 *
 * @example
 * const out = await runCommand(['getent', 'hosts', name], { signal, timeoutMs: 5000, maxStdoutBytes: 1 << 20, env: process.env, fail });
 */
export function runCommand(argv: readonly [string, ...string[]], opts: RunCommandOptions): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) return reject(opts.fail('fetch', `command ${file} was cancelled`));
    const child = spawn(file, args, {
      shell: false,
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = Buffer.alloc(0);
    let failure: Error | undefined;
    const kill = (why: Error): void => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => kill(opts.fail('timeout', `command ${file} did not finish within ${opts.timeoutMs} ms (killed)`)),
            opts.timeoutMs,
          );
    const onAbort = (): void => kill(opts.fail('fetch', `command ${file} was cancelled`));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    if (opts.stdin !== undefined && child.stdin !== null) {
      // A child that exits without reading its stdin makes the write fail with EPIPE; its exit status tells the story.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.stdin);
    }
    child.stdout?.on('data', (d: Buffer) => {
      outBytes += d.byteLength;
      if (outBytes > opts.maxStdoutBytes) {
        kill(opts.fail('resource_limit', `command ${file} wrote more than ${opts.maxStdoutBytes} bytes to stdout (killed)`));
        return;
      }
      out.push(d);
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (err.byteLength < MAX_STDERR_BYTES) err = Buffer.concat([err, d]).subarray(0, MAX_STDERR_BYTES);
    });
    const finish = (): void => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      finish();
      reject(failure ?? opts.fail('fetch', `cannot run command ${file}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      finish();
      if (failure !== undefined) return reject(failure);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
  });
}
