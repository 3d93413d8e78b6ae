// tsigmad's command: configuration, logging, signals and exit codes around the Daemon (spec 10 §1, §6, §9).
import { createStreamLogger } from '@tsigma/runtime';
import { ConfigError, HELP, loadConfig, renderEffectiveConfig, type DaemonConfig } from './config.js';
import { Daemon, DaemonExit } from './daemon.js';

/** Runs tsigmad with `argv` (without node and the script); resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  let config: DaemonConfig;
  try {
    config = loadConfig(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      writeLog('error', `configuration error: ${error.message}`, { key: error.key });
      return 3;
    }
    throw error;
  }
  if (config.dryRun) {
    process.stdout.write(renderEffectiveConfig(config));
    return 0;
  }
  const log = createStreamLogger({
    level: config.logLevel,
    format: config.logFormat,
    write: (line) => process.stderr.write(line + '\n'),
    clock: Date.now,
  });
  const daemon = new Daemon(config, log);
  let signals = 0;
  const onStop = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log.error('second signal during shutdown; exiting at once', { signal });
      process.exit(1);
    }
    daemon.requestStop(signal);
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', () => daemon.triggerReload('SIGHUP'));
  try {
    const code = await daemon.run();
    log.info('tsigmad stopped', { exit_code: code });
    return code;
  } catch (error) {
    if (error instanceof DaemonExit) {
      log.error(error.message, { exit_code: error.code });
      return error.code;
    }
    throw error;
  }
}

/** A JSON log line before the logger exists (configuration errors). */
function writeLog(level: string, msg: string, fields: Record<string, unknown>): void {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
}
