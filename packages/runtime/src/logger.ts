// Logger implementations for the CLI and the daemon (spec 10 §9): one text or JSON line per entry, written
// through an injected `write`. The Logger seam itself lives in @tsigma/eval; this module never touches stderr.

import type { LogFields, Logger, LogLevel } from '@tsigma/eval';

/** Options of {@link createStreamLogger}. */
export interface StreamLoggerOptions {
  /** Entries below this level are dropped. */
  level: LogLevel;
  /** `text`: `tsigma: warn: message key=value`; `json`: one object per line (`level`, `msg`, `time`?, fields). */
  format: 'text' | 'json';
  /** Receives each rendered line, without a trailing newline. */
  write: (line: string) => void;
  /** Wall clock in epoch milliseconds; when given, JSON lines carry `time` (RFC 3339 UTC). Text lines never do. */
  clock?: () => number;
}

/** Rank of each level: an entry is written when its rank is at least the configured one. */
const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** JSON keys the logger owns; a field of the same name would be ambiguous, so it is renamed `field.<key>`. */
const RESERVED_JSON_KEYS: ReadonlySet<string> = new Set(['level', 'msg', 'time']);

/** A text value needs quoting when it would otherwise run into the next `key=value` pair or be empty. */
const NEEDS_QUOTES = /[\s="\\]|^$/;

/**
 * Builds a Logger that renders each entry as one line and hands it to `write` (for example
 * `(line) => process.stderr.write(line + '\n')`). Fields whose value is `undefined` are left out.
 *
 * @example
 * const logger = createStreamLogger({ level: 'info', format: 'text', write: (l) => process.stderr.write(`${l}\n`) });
 * logger.warn('sink delivery failed', { sink: 'file:/x.ndjson', attempts: 4 });
 * // tsigma: warn: sink delivery failed sink=file:/x.ndjson attempts=4
 */
export function createStreamLogger(options: StreamLoggerOptions): Logger {
  const threshold = LEVEL_RANK[options.level];
  const render = options.format === 'json' ? jsonLine(options.clock) : textLine;
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (LEVEL_RANK[level] >= threshold) options.write(render(level, message, fields));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function textLine(level: LogLevel, message: string, fields?: LogFields): string {
  let line = `tsigma: ${level}: ${message}`;
  if (fields === undefined) return line;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    line += ` ${key}=${typeof value === 'string' && NEEDS_QUOTES.test(text) ? JSON.stringify(text) : text}`;
  }
  return line;
}

function jsonLine(clock: (() => number) | undefined): (level: LogLevel, message: string, fields?: LogFields) => string {
  return (level, message, fields) => {
    const entry: Record<string, unknown> = { level, msg: message };
    if (clock !== undefined) entry.time = new Date(clock()).toISOString();
    if (fields !== undefined) {
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) entry[RESERVED_JSON_KEYS.has(key) ? `field.${key}` : key] = value;
      }
    }
    return JSON.stringify(entry);
  };
}
