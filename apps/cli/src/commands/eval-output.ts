// The stdout views of `tsigma eval` (spec 11 §7), each as the run's result sink: `ndjson` streams every result as it
// is produced; `json` and `table` keep what they will print and write it once the run is over (or interrupted).
// Every result is encoded when it arrives, so one that cannot be (nested too deeply for JSON) fails alone.
import { openStdoutWriter, serializeResult, StdoutSink, type Sink } from '@tsigma/runtime';
import type { EvaluationResult } from '@tsigma/eval';
import type { IncidentResult } from '@tsigma/alert-pipeline';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OUTPUT_ERROR } from '../exit-codes.js';
import { cutText, jsonPrefix, renderTable, type OutputFormat } from '../output-format.js';

/** Table cells longer than this are cut with an ellipsis. */
const MAX_DETAIL_CHARS = 200;
/** The json view is written in pieces of about this many characters, never as one string of the whole array. */
const WRITE_CHUNK_CHARS = 1 << 20;

/** Where `eval` sends its results, and how to complete the output after the run. */
interface EvalOutput {
  sink: Sink;
  /**
   * Adds alert-pipeline incidents after the results (`--alert-pipeline`): NDJSON lines, elements of the json array,
   * or a second table.
   */
  addIncidents(incidents: readonly IncidentResult[]): Promise<void>;
  /** Writes what the view kept (json, table) or waits for the last streamed write (ndjson). */
  finish(): Promise<void>;
}

/** Opens the stdout view of `format`. */
export function openEvalOutput(format: OutputFormat, io: CliIo): EvalOutput {
  if (format === 'ndjson') {
    // The real stdout gets the runtime's writer (asynchronous even when redirected to a file); tests pass their own.
    const stdout = io.stdout === process.stdout ? openStdoutWriter() : undefined;
    const finish = async (): Promise<void> => {
      try {
        await stdout?.finish();
      } catch (error) {
        throw new CliError(EXIT_OUTPUT_ERROR, `cannot write output: ${(error as Error).message}`, { cause: error });
      }
    };
    const sink = new StdoutSink(false, stdout?.writer ?? io.stdout);
    const addIncidents = async (incidents: readonly IncidentResult[]): Promise<void> => {
      for (const incident of incidents) await sink.sendIncident(JSON.stringify(incident));
    };
    return { sink, addIncidents, finish };
  }
  if (format === 'json') {
    const pieces: string[] = [];
    return keepingOutput(
      (results) => {
        if (results.length > 0) pieces.push(arrayElements(results));
      },
      (incidents) => {
        if (incidents.length > 0) pieces.push(JSON.stringify(incidents, null, 2).slice('[\n  '.length, -'\n]'.length));
      },
      () => writeJsonArray(io, pieces),
    );
  }
  const rows: string[][] = [];
  const incidentRows: string[][] = [];
  return keepingOutput(
    (results) => {
      for (const r of results) rows.push(tableRow(r));
    },
    (incidents) => {
      for (const i of incidents) incidentRows.push(incidentRow(i));
    },
    async () => {
      await writeOut(io.stdout, renderTable(['LEVEL', 'RULE', 'TYPE', 'DETAIL'], rows));
      if (incidentRows.length > 0)
        await writeOut(io.stdout, '\n' + renderTable(['INCIDENT', 'STATE', 'TRIGGER', 'LEVEL', 'RESULTS', 'KEY'], incidentRows));
    },
  );
}

/** `INCIDENT STATE TRIGGER LEVEL RESULTS KEY`: KEY is the group_by values or the entities. */
function incidentRow(i: IncidentResult): string[] {
  const key =
    i.group_by !== undefined
      ? Object.entries(i.group_by).map(([k, v]) => `${k}=${v ?? 'null'}`)
      : Object.entries(i.entities ?? {}).map(([k, vs]) => `${k}=${vs.join('|')}`);
  return [i.incident_id, i.state, i.trigger, i.max_level ?? '-', String(i.result_count), cutText(key.join(', '), MAX_DETAIL_CHARS)];
}

/** A view that keeps each result as `keep` renders it and prints everything in `finish`. */
function keepingOutput(
  keep: (results: readonly EvaluationResult[]) => void,
  keepIncidents: (incidents: readonly IncidentResult[]) => void,
  finish: () => Promise<void>,
): EvalOutput {
  const sink: Sink = {
    label: 'stdout',
    // A throw inside the executor becomes the rejection a Sink reports failures with.
    send: (results) =>
      new Promise<void>((resolve) => {
        keep(results);
        resolve();
      }),
    sendRaw: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const addIncidents = (incidents: readonly IncidentResult[]): Promise<void> => {
    keepIncidents(incidents);
    return Promise.resolve();
  };
  return { sink, addIncidents, finish };
}

/**
 * Results as a run of elements of the pretty array `JSON.stringify(all, null, 2)` prints: indented and separated
 * as there. All or nothing: a result that cannot be encoded throws the runtime's `unserializable` error naming it.
 */
function arrayElements(results: readonly EvaluationResult[]): string {
  try {
    // One call for the whole send: per-result calls cost twice the time of one call on a long run.
    return JSON.stringify(results, null, 2).slice('[\n  '.length, -'\n]'.length);
  } catch (error) {
    for (const r of results) serializeResult(r, true);
    throw error;
  }
}

/** Writes the kept runs of elements as one pretty JSON array, piece by piece, never as one string of it all. */
async function writeJsonArray(io: CliIo, pieces: string[]): Promise<void> {
  if (pieces.length === 0) return writeOut(io.stdout, '[]\n');
  let text = '[\n  ';
  for (let i = 0; i < pieces.length; i++) {
    text += i === 0 ? pieces[i] : `,\n  ${pieces[i]}`;
    if (text.length >= WRITE_CHUNK_CHARS) {
      await writeOut(io.stdout, text);
      text = '';
    }
  }
  await writeOut(io.stdout, text + '\n]\n');
}

/** `LEVEL RULE TYPE DETAIL`; values are rendered only as far as the cut, so any value fits. */
function tableRow(r: EvaluationResult): string[] {
  const isCorrelation = 'correlation_type' in r;
  const detail = isCorrelation
    ? `${r.group_key.map(([k, v]) => `${k}=${v}`).join(', ')} | agg=${r.aggregated_value}`
    : r.matched_fields.map((f) => `${f.field}=${typeof f.value === 'string' ? f.value : jsonPrefix(f.value, MAX_DETAIL_CHARS)}`).join(', ');
  return [r.level ?? '-', r.rule_title, isCorrelation ? r.correlation_type : 'detection', cutText(detail, MAX_DETAIL_CHARS)];
}
