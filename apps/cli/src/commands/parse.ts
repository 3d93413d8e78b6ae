// `tsigma parse <file|->` and `tsigma parse --condition <expr>` (spec 11 §3): print the AST as JSON.
import { readFile } from 'node:fs/promises';
import { parseCondition, parseSigmaYaml, SigmaParseError } from '@tsigma/parser';
import { parseCommandArgs, stringOption } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { mapsAsObjects } from '../output-format.js';
import { readAllStdin } from '../stdin.js';

/** Runs `tsigma parse`. */
export async function runParse(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    condition: { type: 'string' },
    pretty: { type: 'boolean' },
  });
  const indent = values.pretty === true || io.stdout.isTTY ? 2 : undefined;
  const condition = stringOption(values.condition);
  if (condition !== undefined) {
    try {
      await writeOut(io.stdout, JSON.stringify(parseCondition(condition), null, indent) + '\n');
      return EXIT_OK;
    } catch (error) {
      if (error instanceof SigmaParseError) throw new CliError(EXIT_RULE_ERROR, `condition: ${error.toString()}`, { cause: error });
      throw error;
    }
  }
  if (positionals.length !== 1) throw new CliError(EXIT_USAGE, 'parse takes exactly one file (or - for stdin)');
  const file = positionals[0] ?? '-';
  let text: string;
  try {
    text = file === '-' ? await readAllStdin(io.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(EXIT_RULE_ERROR, `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const collection = parseSigmaYaml(text, file === '-' ? {} : { file });
  for (const error of collection.errors) await writeOut(io.stderr, error.toString() + '\n');
  const output = {
    rules: collection.rules,
    correlations: collection.correlations,
    filters: collection.filters,
    errors: collection.errors.map(describeError),
  };
  await writeOut(io.stdout, JSON.stringify(output, mapsAsObjects, indent) + '\n');
  return EXIT_OK;
}

/** The JSON view of a parse error that `parse` prints. */
function describeError(error: SigmaParseError): Record<string, unknown> {
  return {
    code: error.code,
    severity: error.severity,
    file: error.file ?? null,
    line: error.line ?? null,
    column: error.column ?? null,
    path: error.path ?? null,
    message: error.message,
  };
}
