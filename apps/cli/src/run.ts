// Entry point of the `tsigma` command: finds the subcommand, runs it, and turns failures into exit codes.
import { splitCommand } from './args.js';
import { processIo, type CliIo } from './cli-io.js';
import { CliError, EXIT_INTERNAL, EXIT_USAGE } from './exit-codes.js';
import { runParse } from './commands/parse.js';
import { runValidate } from './commands/validate.js';
import { runEval } from './commands/eval.js';
import { runExplain } from './commands/explain.js';
import { runEvtxDump } from './commands/evtx-dump.js';
import { runFields } from './commands/fields.js';
import { runPipelineResolve } from './commands/pipeline-resolve.js';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
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
};

const USAGE = `Usage: tsigma <command> [options]

Commands:
  parse <file|-> | --condition <expr>   print the parsed rule AST as JSON
  validate <path>... [-p pipeline]      parse and compile rules, report errors per file
                                        (--source <file|dir>, --resolve-sources: fetch dynamic sources too)
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

Global options: --output-format json|ndjson|table, --color auto|always|never, -q/--quiet, --no-stats,
  --log-level debug|info|warn|error

Exit codes: 0 ok, 1 findings, 2 rule or input error, 3 usage error, 4 output error, 70 internal error,
  130/143 eval stopped by SIGINT/SIGTERM
`;

/** Runs one `tsigma` invocation and returns its exit code; never throws. */
export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const { words, rest } = splitCommand(argv);
  if (words.length === 0 || words[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    (words.length === 0 && !argv.includes('--help') && !argv.includes('-h') ? io.stderr : io.stdout).write(USAGE);
    return words.length === 0 && !argv.includes('--help') && !argv.includes('-h') ? EXIT_USAGE : 0;
  }
  const twoWords = words.join(' ');
  let command = COMMANDS[twoWords];
  let args = rest;
  if (!command) {
    command = COMMANDS[words[0] ?? ''];
    if (words.length > 1) args = [words[1] ?? '', ...rest];
  }
  if (!command) {
    io.stderr.write(`tsigma: unknown command "${twoWords}"\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`tsigma: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`tsigma: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
