#!/usr/bin/env node
import { EXIT_INTERNAL } from './exit-codes.js';
import { run } from './run.js';

// A reader that goes away (`tsigma evtx dump x.evtx | head`) is a normal end of output, as for any Unix tool:
// stop quietly instead of dying on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    // Any other write error (a full disk) also reaches the writer through its callback, which ends the command with
    // the output-error exit code; this listener only keeps it from being an uncaught exception with a stack trace.
  });
}

// run() turns every failure into an exit code; an exception that escapes it anyway is a tsigma bug. Left to Node it
// would end the process with exit code 1, which means "findings", so it is reported as the internal error it is.
const internalError = (error: unknown): void => {
  process.stderr.write(`tsigma: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(EXIT_INTERNAL);
};
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

let settled = false;
// A command that stops waiting on something that can never happen would otherwise end with Node's silent exit 13.
process.on('beforeExit', () => {
  if (!settled) internalError(new Error('the command stopped before finishing (a promise that never settled)'));
});
process.exitCode = await run(process.argv.slice(2));
settled = true;
