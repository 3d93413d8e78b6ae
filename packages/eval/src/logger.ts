// The one logging seam of tsigma: packages report what they notice through a Logger the caller passes in, and
// never write to stderr themselves. It lives here, in the lowest package that logs, so every package above can
// take the same shape; the implementations (stderr text or JSON) live in @tsigma/runtime.

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured context of one log entry: rule id, file, subject, counts. Values must be JSON-safe. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Where packages send what they notice. Each method takes a one-line message and optional structured fields. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ignore = (): void => {};

/** A logger that drops everything: the default of every package, so a library stays quiet unless told otherwise. */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
