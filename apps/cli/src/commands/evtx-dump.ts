// `tsigma evtx dump FILE...` (spec 11 §7a): print every record in the evtx_dump JSON shape.
import { EvtxFileReader, type EvtxProblem } from '@tsigma/evtx';
import { parseCommandArgs } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { chooseOutputFormat } from '../output-format.js';

/** Runs `tsigma evtx dump`. */
export async function runEvtxDump(argv: string[], io: CliIo): Promise<number> {
  const { positionals, globals } = parseCommandArgs(argv, {});
  const files = positionals[0] === 'dump' ? positionals.slice(1) : positionals;
  if (files.length === 0) throw new CliError(EXIT_USAGE, 'evtx dump needs at least one .evtx file');
  const format = chooseOutputFormat(globals.outputFormat, io.stdout);
  if (format === 'table') throw new CliError(EXIT_USAGE, 'evtx dump writes ndjson or json');
  let exitCode = EXIT_OK;
  let first = true;
  const counts = { files: 0, records: 0, problems: 0 };
  // The reader reports problems through a synchronous callback; they are written before the next record.
  let pending: string[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const lines = pending.join('');
    pending = [];
    if (!globals.quiet) await writeOut(io.stderr, lines);
  };
  if (format === 'json') await writeOut(io.stdout, '[');
  for (const file of files) {
    // Every problem, warnings included: a recovered header or an all-zero chunk loses no record item but is damage.
    const onProblem = (problem: EvtxProblem): void => {
      counts.problems++;
      pending.push(`warning[${problem.code}]: ${file}: ${problem.message}\n`);
    };
    let reader: EvtxFileReader;
    try {
      reader = await EvtxFileReader.open(file, { onProblem });
    } catch (error) {
      await writeOut(io.stderr, `tsigma: ${file}: ${(error as Error).message}\n`);
      exitCode = EXIT_RULE_ERROR;
      continue;
    }
    counts.files++;
    for await (const record of reader.records()) {
      await flush();
      // A failure item's problem was written by onProblem.
      if (!record.ok) continue;
      counts.records++;
      if (format === 'ndjson') await writeOut(io.stdout, JSON.stringify(record.data) + '\n');
      else {
        await writeOut(io.stdout, (first ? '\n' : ',\n') + JSON.stringify(record.data, null, 2));
        first = false;
      }
    }
    await flush();
  }
  if (format === 'json') await writeOut(io.stdout, first ? ']\n' : '\n]\n');
  if (!globals.noStats) {
    await writeOut(io.stderr, `Dumped ${counts.records} records from ${counts.files} file(s), ${counts.problems} warnings.\n`);
  }
  return exitCode;
}
