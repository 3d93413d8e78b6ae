// Exit codes shared by every subcommand (spec 11 §2).

/** Success; for `eval`, events were processed. */
export const EXIT_OK = 0;
/** Findings: `eval --fail-on-detection` saw a result, `lint` found something at the fail level. */
export const EXIT_FINDINGS = 1;
/** Rule error: unreadable rules or input, invalid rules, no rule to run or explain. */
export const EXIT_RULE_ERROR = 2;
/** Configuration or argument error: unknown flag, bad pipeline, invalid inline event. */
export const EXIT_USAGE = 3;
/** Output error: results could not be written to stdout (a full disk, a closed file); never a finding. */
export const EXIT_OUTPUT_ERROR = 4;
/** Internal error (EX_SOFTWARE): a bug in tsigma, never the user's input; reported with its stack. */
export const EXIT_INTERNAL = 70;

/** The signals `eval` stops on gracefully. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Stopped by a signal: 128 + its number, as a shell reports a process the signal ended (130 SIGINT, 143 SIGTERM). */
export const EXIT_ON_SIGNAL: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** An error that ends a command with a given exit code and a one-line message for stderr. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
