#!/usr/bin/env node
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

process.exitCode = await run(process.argv.slice(2));
