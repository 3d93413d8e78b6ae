// The process streams a command talks to, gathered so tests can run commands in-process.
import type { Readable } from 'node:stream';

/** A text sink that may ask the writer to wait (stdout, stderr, a test buffer). */
export interface TextOut {
  write(text: string, callback?: (error?: Error | null) => void): boolean;
  once(event: 'drain', listener: () => void): unknown;
  readonly isTTY?: boolean;
}

/** Standard streams and environment of one command run. */
export interface CliIo {
  stdout: TextOut;
  stderr: TextOut;
  stdin: Readable;
  env: Record<string, string | undefined>;
}

/** The real process streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Writes text, waiting for the stream to drain when its buffer is full, so large outputs keep memory flat. */
export async function writeOut(out: TextOut, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
}
