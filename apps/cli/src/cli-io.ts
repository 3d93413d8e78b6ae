// The process streams a command talks to, gathered so tests can run commands in-process.
import type { Readable } from 'node:stream';
import { CliError, EXIT_ON_SIGNAL, EXIT_OUTPUT_ERROR, type StopSignal } from './exit-codes.js';

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
  /**
   * Catches SIGINT and SIGTERM until the returned function is called: the first one calls `onStop` instead of
   * ending the process, a second one ends it at once. Absent where nothing can signal (in-process tests).
   */
  catchStopSignals?(onStop: (signal: StopSignal) => void): () => void;
}

/** The real process streams and signals. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, catchStopSignals };
}

function catchStopSignals(onStop: (signal: StopSignal) => void): () => void {
  let stopping = false;
  const handle = (signal: StopSignal): void => {
    // A second signal means "now": skip the wind-down, with the code a shell gives a process the signal ended.
    if (stopping) process.exit(EXIT_ON_SIGNAL[signal]);
    stopping = true;
    onStop(signal);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return () => {
    process.off('SIGINT', handle);
    process.off('SIGTERM', handle);
  };
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
