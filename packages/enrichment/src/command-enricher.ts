// `command` enricher (spec 07 §5): runs an argv without a shell through @tsigma/sources' runCommand. Values from the
// result land in argv entries, env values or stdin as they are, each argv entry one argument: no shell ever parses
// them. The deadline's abort kills the child with SIGKILL.

import type { EvaluationResult } from '@tsigma/eval';
import { DEFAULT_MAX_STDOUT_BYTES, runCommand } from '@tsigma/sources';
import type { EnrichContext } from './enricher.js';
import { BuiltinEnricher, type EnricherSettings } from './enricher-settings.js';
import { EnrichError, EnrichmentConfigError } from './errors.js';
import { compileTemplate, type CompiledTemplate, type TemplateSite } from './template.js';

/** Stderr quoted in an `exit <code>` failure. */
export const COMMAND_STDERR_QUOTE_BYTES = 4096;

/** How stdout becomes the value. */
export type CommandOutput = 'json' | 'raw' | 'lines';

/** Options of {@link CommandEnricher}. */
export interface CommandEnricherOptions {
  /** argv templates; the first is the executable. */
  command: readonly string[];
  /** Templates added to the inherited environment. */
  env?: Readonly<Record<string, string>>;
  /** Template written to stdin, which is then closed; without it stdin is empty. */
  stdin?: string;
  /** Default `json`. */
  output?: CommandOutput;
  /** Default 10 MiB; more kills the child. */
  maxStdoutBytes?: number;
}

/**
 * Runs a program per result. Exit ≠ 0 is a `fetch` failure `exit <code>: <stderr>`; output that does not parse as
 * JSON (with `output: json`) a `parse` failure.
 *
 * @example
 * new CommandEnricher({ id: 'whois', kind: 'detection', injectField: 'whois' },
 *   { command: ['/usr/local/bin/whois-json', '${detection.fields.DestinationIp}'], output: 'json' });
 */
export class CommandEnricher extends BuiltinEnricher {
  readonly type = 'command';
  private readonly argv: CompiledTemplate[];
  private readonly env: [string, CompiledTemplate][];
  private readonly stdin: CompiledTemplate | undefined;
  private readonly output: CommandOutput;
  private readonly maxStdout: number;

  constructor(settings: EnricherSettings, opts: CommandEnricherOptions) {
    super(settings);
    if (opts.command.length === 0 || opts.command[0] === '')
      throw new EnrichmentConfigError('invalid_value', 'command needs at least the executable', {
        file: 'enrichers',
        enricherId: this.id,
        key: 'command',
      });
    const site = (field: string): TemplateSite => ({
      enricherId: this.id,
      kind: this.kind,
      field,
    });
    this.argv = opts.command.map((a, i) => compileTemplate(a, site(`command[${i}]`), 'raw'));
    this.env = Object.entries(opts.env ?? {}).map(([k, v]) => [k, compileTemplate(v, site(`env.${k}`), 'raw')]);
    this.stdin = opts.stdin === undefined ? undefined : compileTemplate(opts.stdin, site('stdin'), 'raw');
    this.output = opts.output ?? 'json';
    this.maxStdout = opts.maxStdoutBytes ?? DEFAULT_MAX_STDOUT_BYTES;
    this.readsEvent = [...this.argv, ...this.env.map(([, t]) => t), this.stdin].some((t) => t?.readsEvent === true);
  }

  async enrich(result: Readonly<EvaluationResult>, ctx: EnrichContext): Promise<unknown> {
    const argv = this.argv.map((t) => t.render(result)) as [string, ...string[]];
    const env = { ...process.env };
    for (const [k, t] of this.env) env[k] = t.render(result);
    const run: Parameters<typeof runCommand>[1] = {
      signal: ctx.signal,
      maxStdoutBytes: this.maxStdout,
      env,
      fail: (kind, detail, options) => new EnrichError(this.id, kind === 'timeout' ? 'timeout' : 'fetch', detail, options),
    };
    if (this.stdin !== undefined) run.stdin = this.stdin.render(result);
    const done = await runCommand(argv, run);
    if (done.code !== 0) {
      const stderr = done.stderr.subarray(0, COMMAND_STDERR_QUOTE_BYTES).toString('utf8').trim();
      const how = done.code === null ? `killed by ${done.signal}` : `exit ${done.code}`;
      throw new EnrichError(this.id, 'fetch', `${how}: ${stderr}`);
    }
    const text = done.stdout.toString('utf8');
    switch (this.output) {
      case 'raw':
        return text.replace(/[\r\n]+$/, '');
      case 'lines':
        return text
          .split('\n')
          .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
          .filter((l) => l !== '');
      case 'json':
        try {
          return JSON.parse(text);
        } catch (error) {
          throw new EnrichError(this.id, 'parse', `stdout is not JSON: ${(error as Error).message}`, { cause: error });
        }
    }
  }
}
