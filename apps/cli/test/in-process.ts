// Runs a `tsigma` command in this process with in-memory streams, for tests that run many commands quickly.
import { PassThrough } from 'node:stream';
import type { CliIo, TextOut } from '../src/cli-io.js';
import { run } from '../src/run.js';

class TextBuffer implements TextOut {
  text = '';
  write(chunk: string, callback?: (error?: Error | null) => void): boolean {
    this.text += chunk;
    callback?.();
    return true;
  }
}

/** Runs `tsigma <args>` with `stdinText` on stdin and returns the exit code and what it wrote. */
export async function tsigmaInProcess(args: string[], stdinText = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new TextBuffer();
  const stderr = new TextBuffer();
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const io: CliIo = { stdout, stderr, stdin, env: {} };
  const code = await run(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
