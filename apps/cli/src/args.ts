// Command-line option parsing on top of node:util parseArgs, with the global options of spec 11 §1
// accepted before or after the command.
import { parseArgs } from 'node:util';
import type { LogLevel } from '@tsigma/eval';
import { closestName } from '@tsigma/lint';
import { CliError, EXIT_USAGE } from './exit-codes.js';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };
/** A command's options, as handed to node:util parseArgs. */
export type OptionSpecs = Record<string, OptionSpec>;

/** Thrown by {@link parseCommandArgs} on `--help` / `-h`: the caller prints help from the options the command declares. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly options: OptionSpecs) {
    super('help requested');
  }
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  'output-format': { type: 'string' },
  color: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  'no-stats': { type: 'boolean' },
  'log-level': { type: 'string' },
} as const satisfies OptionSpecs;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const COLOR_MODES = ['auto', 'always', 'never'] as const;
/** `--color`: ANSI colours on human views. */
type ColorMode = (typeof COLOR_MODES)[number];

/** Global settings after parsing. */
interface GlobalOptions {
  outputFormat?: string;
  quiet: boolean;
  noStats: boolean;
  color: ColorMode;
  /** `--log-level` (default `warn`); `--quiet` lowers it to `error`, since it drops warnings. */
  logLevel: LogLevel;
}

/** Splits argv into the command words and the rest, skipping global options placed before the command. */
export function splitCommand(argv: string[]): { words: string[]; rest: string[] } {
  const rest: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const name = token.startsWith('--') ? (token.slice(2).split('=')[0] ?? '') : '';
    const global = (GLOBAL_OPTIONS as OptionSpecs)[name];
    if (global) {
      rest.push(token);
      if (global.type === 'string' && !token.includes('=') && i + 1 < argv.length) rest.push(argv[++i] ?? '');
      continue;
    }
    if (token === '-q') {
      rest.push(token);
      continue;
    }
    break;
  }
  const words: string[] = [];
  while (i < argv.length && !(argv[i] ?? '').startsWith('-') && words.length < 2) words.push(argv[i++] ?? '');
  return { words, rest: [...rest, ...argv.slice(i)] };
}

/** Parses a command's argv; unknown flags or missing values become exit-code-3 errors. */
export function parseCommandArgs<T extends OptionSpecs>(
  argv: string[],
  options: T,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[]; globals: GlobalOptions } {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) throw new HelpRequested(options);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    const v = values as Record<string, string | boolean | string[] | undefined>;
    const quiet = v.quiet === true;
    const logLevel = oneOf('--log-level', stringOption(v['log-level']) ?? 'warn', LOG_LEVELS);
    const color = oneOf('--color', stringOption(v.color) ?? 'auto', COLOR_MODES);
    return {
      values: v,
      positionals,
      globals: {
        outputFormat: typeof v['output-format'] === 'string' ? v['output-format'] : undefined,
        quiet,
        noStats: quiet || v['no-stats'] === true,
        color,
        logLevel: quiet ? 'error' : logLevel,
      },
    };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(EXIT_USAGE, withSuggestion((error as Error).message, options), { cause: error });
  }
}

/** parseArgs' "Unknown option '--x'" message, shortened, with the closest declared option suggested. */
function withSuggestion(message: string, options: OptionSpecs): string {
  const unknown = /^Unknown option '(-[^']*)'/.exec(message)?.[1];
  if (unknown === undefined) return message;
  const names = Object.keys({ ...GLOBAL_OPTIONS, ...options }).map((name) => `--${name}`);
  const near = closestName(unknown, names);
  return `unknown option ${unknown}${near === undefined ? '' : `; did you mean ${near}?`} (--help lists the options)`;
}

/** Whether a human view on `out` gets ANSI colours: `auto` means a TTY and no `NO_COLOR` in the environment. */
export function useColor(mode: ColorMode, out: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  if (mode !== 'auto') return mode === 'always';
  return out.isTTY === true && (env['NO_COLOR'] ?? '') === '';
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    const near = closestName(value, allowed);
    throw new CliError(
      EXIT_USAGE,
      `${flag} must be one of ${allowed.join(', ')}, not "${value}"${near === undefined ? '' : `; did you mean ${near}?`}`,
    );
  }
  return value as T;
}

/** A repeatable string option as a list. */
export function listOption(value: string | boolean | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

/** A single string option. */
export function stringOption(value: string | boolean | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.at(-1);
  return typeof value === 'string' ? value : undefined;
}
