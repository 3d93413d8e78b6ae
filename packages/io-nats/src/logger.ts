// Where connection and ack warnings go. The package never logs secrets; the daemon passes its own logger.

/** Minimal logger the package writes connection status (info) and ack or reconcile warnings to. */
export interface NatsLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Default logger: one line on stderr per message, so stdout stays free for results. */
export const stderrLogger: NatsLogger = {
  info: (message) => process.stderr.write(`[io-nats] info: ${message}\n`),
  warn: (message) => process.stderr.write(`[io-nats] warn: ${message}\n`),
};
