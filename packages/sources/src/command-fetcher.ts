// `command` sources: run an argv without a shell and read its stdout (spec 09 §2, §7). Nothing from a source value
// reaches the command line: the argv is the declaration's, fixed at load time.

import { spawn } from 'node:child_process';
import type { DynamicSource } from './declarations.js';
import { SourceError } from './errors.js';
import type { FetchContext, SourceFetcher } from './fetcher.js';
import { decodeUtf8 } from './format.js';
import { MAX_STDERR_BYTES } from './limits.js';

/** Runs the command; exit ≠ 0 → `fetch` with code and stderr, deadline → `timeout` (SIGKILL), big stdout → `resource_limit`. */
export const commandFetcher: SourceFetcher = {
  fetch(src: DynamicSource, ctx: FetchContext): Promise<string> {
    const [file, ...args] = src.command as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { shell: false, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = Buffer.alloc(0);
      let failure: SourceError | undefined;
      const kill = (why: SourceError): void => {
        failure ??= why;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(
        () => kill(new SourceError('timeout', src.id, `command ${file} did not finish within ${ctx.limits.timeoutMs} ms (killed)`)),
        ctx.limits.timeoutMs,
      );
      const onAbort = (): void => kill(new SourceError('fetch', src.id, `command ${file} was cancelled`));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => {
        outBytes += d.byteLength;
        if (outBytes > ctx.limits.maxStdoutBytes) {
          kill(
            new SourceError(
              'resource_limit',
              src.id,
              `command ${file} wrote more than ${ctx.limits.maxStdoutBytes} bytes to stdout (killed)`,
            ),
          );
          return;
        }
        out.push(d);
      });
      child.stderr.on('data', (d: Buffer) => {
        if (err.byteLength < MAX_STDERR_BYTES) err = Buffer.concat([err, d]).subarray(0, MAX_STDERR_BYTES);
      });
      const finish = (): void => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
      };
      child.on('error', (e) => {
        finish();
        reject(failure ?? new SourceError('fetch', src.id, `cannot run command ${file}: ${e.message}`, { cause: e }));
      });
      child.on('close', (code, signal) => {
        finish();
        if (failure !== undefined) return reject(failure);
        if (code !== 0) {
          const stderr = err.toString('utf8').trim();
          const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
          return reject(new SourceError('fetch', src.id, `command ${file} ${how}${stderr === '' ? '' : `: ${stderr}`}`));
        }
        try {
          resolve(decodeUtf8(Buffer.concat(out), src.id));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  },
};
