#!/usr/bin/env node
import { run } from './run.js';

const internalError = (error: unknown): void => {
  process.stderr.write(
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'error',
      msg: 'internal error',
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }) + '\n',
  );
  process.exit(70);
};
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);
process.stdout.on('error', () => undefined);

process.exit(await run(process.argv.slice(2)));
