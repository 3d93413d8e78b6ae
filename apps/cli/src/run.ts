// Entry point of the `tsigma` command: finds the subcommand, runs it, and turns failures into exit codes.
import { closestName } from '@tsigma/lint';
import { HelpRequested, splitCommand } from './args.js';
import { processIo, type CliIo } from './cli-io.js';
import { CliError, EXIT_INTERNAL, EXIT_USAGE } from './exit-codes.js';
import { runParse } from './commands/parse.js';
import { runValidate } from './commands/validate.js';
import { runEval } from './commands/eval.js';
import { runExplain } from './commands/explain.js';
import { runEvtxDump } from './commands/evtx-dump.js';
import { runFields } from './commands/fields.js';
import { runPipelineResolve } from './commands/pipeline-resolve.js';
import { runLint } from './commands/lint.js';
import { runPipelineDiff } from './commands/pipeline-diff.js';
import { renderCommandHelp } from './help.js';
import { cliVersion } from './version.js';

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Every command by name, aliases included (tests check each one's help). */
export const COMMANDS: Record<string, Command> = {
  parse: runParse,
  'rule parse': runParse,
  validate: runValidate,
  'rule validate': runValidate,
  eval: runEval,
  'engine eval': runEval,
  explain: runExplain,
  'engine explain': runExplain,
  'evtx dump': runEvtxDump,
  fields: runFields,
  'rule fields': runFields,
  'pipeline resolve': runPipelineResolve,
  lint: runLint,
  'rule lint': runLint,
  'pipeline diff': runPipelineDiff,
};

/** Alias → canonical command name, for help. */
export const CANONICAL: Record<string, string> = {
  'rule parse': 'parse',
  'rule validate': 'validate',
  'rule lint': 'lint',
  'rule fields': 'fields',
  'engine eval': 'eval',
  'engine explain': 'explain',
};

const USAGE = `Usage: tsigma <command> [options]

Commands:
  parse <file|-> | --condition <expr>   print the parsed rule AST as JSON
  validate <path>... [-p pipeline]      parse and compile rules, report errors per file
                                        (--source <file|dir>, --resolve-sources: fetch dynamic sources too)
  lint <path>... [--fix]                check rules against the Sigma specification (SARIF with --output-format sarif)
  eval -r <rules> [-i file|dir | -e json]   evaluate rules (detections and correlations) against events;
                                        hunting: --output-format timeline|csv|tsv, --sort time, --min-level,
                                        --no-logsource-routing, -v (print rule warnings);
                                        --enrichers <file> attaches context (template, lookup, http, command);
                                        --alert-pipeline <file> dedups, silences and groups results into incidents;
                                        dynamic pipeline sources are resolved first and refreshed while running
  pipeline resolve -p <pipeline>...     resolve the dynamic sources of pipelines once and print them
                                        (--source-file, -s <id>, --dry-run, --expand, --egress-policy,
                                        --allow-remote-include)
  explain -r <rules> -e <json>          why each rule did or did not match one event
  fields -r <rules> [-p pipeline]       list every field the rules reference
  evtx dump <file.evtx>...              print EVTX records as JSON
  pipeline diff -r <rules> -p <pipeline>   each rule before and after the pipelines, as a unified diff

Global options: --output-format json|ndjson|table, --color auto|always|never, -q/--quiet, --no-stats,
  --log-level debug|info|warn|error

tsigma <command> --help lists a command's options; tsigma --version prints the version.

Exit codes: 0 ok, 1 findings, 2 rule or input error, 3 usage error, 4 output error, 70 internal error,
  130/143 eval stopped by SIGINT/SIGTERM
`;

/** Runs one `tsigma` invocation and returns its exit code; never throws. */
export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const { words, rest } = splitCommand(argv);
  const help = argv.includes('--help') || argv.includes('-h');
  if (words.length === 0 && (argv.includes('--version') || argv.includes('-V'))) {
    io.stdout.write(`tsigma ${cliVersion()}\n`);
    return 0;
  }
  if (words.length === 0 || (words[0] === 'help' && words.length === 1)) {
    (help || words[0] === 'help' ? io.stdout : io.stderr).write(USAGE);
    return help || words[0] === 'help' ? 0 : EXIT_USAGE;
  }
  // `tsigma help eval` is `tsigma eval --help`.
  if (words[0] === 'help') return run([...words.slice(1), '--help', ...rest], io);
  const twoWords = words.join(' ');
  let name = twoWords;
  let command = COMMANDS[twoWords];
  let args = rest;
  if (!command) {
    name = words[0] ?? '';
    command = COMMANDS[name];
    if (words.length > 1) args = [words[1] ?? '', ...rest];
  }
  const group = Object.keys(COMMANDS).filter((c) => c.startsWith(`${words[0] ?? ''} `));
  if (!command && help && words.length === 1 && group.length > 0) {
    // `tsigma pipeline --help`: the subcommands of a command group.
    io.stdout.write(
      `Usage: tsigma ${words[0]} <${group.map((c) => c.slice(c.indexOf(' ') + 1)).join('|')}> [options]\n\n${group.map((c) => `  tsigma ${c} --help`).join('\n')}\n`,
    );
    return 0;
  }
  if (!command) {
    const near = closestName(twoWords, Object.keys(COMMANDS)) ?? closestName(words[0] ?? '', Object.keys(COMMANDS));
    const hint = near !== undefined ? `; did you mean "${near}"?` : group.length > 0 ? `; it takes one of: ${group.join(', ')}` : '';
    io.stderr.write(`tsigma: unknown command "${twoWords}"${hint} (tsigma --help lists the commands)\n`);
    return EXIT_USAGE;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout.write(renderCommandHelp(CANONICAL[name] ?? name, error.options));
      return 0;
    }
    if (error instanceof CliError) {
      io.stderr.write(`tsigma: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`tsigma: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
