// The process streams a command talks to, gathered so tests can run commands in-process.
import type { Readable } from 'node:stream';
import { CliError, EXIT_OUTPUT_ERROR } from './exit-codes.js';

/** A text sink whose write callback says when the text was taken, or why not (stdout, stderr, a test buffer). */
export interface TextOut {
  write(text: string, callback?: (error?: Error | null) => void): boolean;
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

/**
 * Writes text and resolves once the stream has taken it, so large outputs keep memory flat. A stream that fails
 * (a full disk, a closed file) rejects with the output-error exit code instead of leaving the command waiting.
 */
export function writeOut(out: TextOut, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (error) => {
      if (error) reject(new CliError(EXIT_OUTPUT_ERROR, `cannot write output: ${error.message}`, { cause: error }));
      else resolve();
    });
  });
}
