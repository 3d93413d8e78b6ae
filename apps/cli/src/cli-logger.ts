// The diagnostic log of a command run on stderr (spec 11 §1 `--log-level`): the runtime's text lines, with a
// message that repeats (a correlation-state eviction round, once per new group at a small cap) written only the
// first time, so a long run cannot flood stderr.
import type { LogFields, Logger, LogLevel } from '@tsigma/eval';
import { createStreamLogger } from '@tsigma/runtime';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** A Logger that counts the repeated lines it did not write. */
interface RunLogger extends Logger {
  /** Lines not written because the same message (numbers aside) was written before. */
  readonly repeatsHeldBack: number;
}

/**
 * Writes entries at or above `level` through `write` as `tsigma: <level>: <message> key=value`. A message equal to
 * an earlier one once its numbers are ignored is held back and counted; at `debug` every entry is written.
 */
export function createRunLogger(level: LogLevel, write: (line: string) => void): RunLogger {
  const lines = createStreamLogger({ level, format: 'text', write });
  const seen = new Set<string>();
  let heldBack = 0;
  const at = (entryLevel: LogLevel) => {
    return (message: string, fields?: LogFields): void => {
      if (level === 'debug' || LEVELS.indexOf(entryLevel) < LEVELS.indexOf(level)) {
        lines[entryLevel](message, fields);
        return;
      }
      const shape = `${entryLevel} ${message.replace(/\d+/g, '#')}`;
      if (seen.has(shape)) {
        heldBack++;
        return;
      }
      seen.add(shape);
      lines[entryLevel](message, fields);
    };
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    get repeatsHeldBack() {
      return heldBack;
    },
  };
}

/**
 * A Logger to hand out before its destination is known: it drops entries until `connect()`, then forwards them.
 * `eval` gives it to the engine so the load's problems, which the command prints itself in the parser's format,
 * are not written a second time as log lines; correlation warnings during the run are.
 */
export function laterLogger(): { logger: Logger; connect(to: Logger): void } {
  let target: Logger | undefined;
  const forward =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void =>
      target?.[level](message, fields);
  return {
    logger: { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') },
    connect: (to) => {
      target = to;
    },
  };
}
