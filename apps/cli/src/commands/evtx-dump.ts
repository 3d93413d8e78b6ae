// `tsigma evtx dump FILE...` (spec 11 §7a): print every record in the evtx_dump JSON shape.
import { EvtxFileReader } from '@tsigma/evtx';
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
  if (format === 'json') await writeOut(io.stdout, '[');
  for (const file of files) {
    let reader: EvtxFileReader;
    try {
      reader = await EvtxFileReader.open(file);
    } catch (error) {
      await writeOut(io.stderr, `tsigma: ${file}: ${(error as Error).message}\n`);
      exitCode = EXIT_RULE_ERROR;
      continue;
    }
    for await (const record of reader.records()) {
      if (!record.ok) {
        if (!globals.quiet) await writeOut(io.stderr, `warning: ${file}: ${record.error}\n`);
        continue;
      }
      if (format === 'ndjson') await writeOut(io.stdout, JSON.stringify(record.data) + '\n');
      else {
        await writeOut(io.stdout, (first ? '\n' : ',\n') + JSON.stringify(record.data, null, 2));
        first = false;
      }
    }
  }
  if (format === 'json') await writeOut(io.stdout, first ? ']\n' : '\n]\n');
  return exitCode;
}
