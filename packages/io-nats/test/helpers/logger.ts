// A Logger for tests that keeps every entry (level, message, fields) so assertions can check what was reported.

import type { LogFields, Logger, LogLevel } from '@tsigma/eval';

/** One recorded log call. */
interface LogEntry {
  level: LogLevel;
  message: string;
  fields: LogFields | undefined;
}

/** A Logger that records instead of printing; read `entries` after the code under test ran. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      entries.push({ level, message, fields });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
