// The stdout views of `tsigma eval` (spec 11 §7, issue 13), each as the run's result sink: `ndjson` streams every
// result as it is produced; the other views (and any view sorted by time) keep what they will print and write it
// once the run is over (or interrupted). Every result is encoded when it arrives, so one that cannot be (nested
// too deeply for JSON) fails alone. Every view also feeds the closing hunt summary.
import { openStdoutWriter, serializeResult, StdoutSink, type Sink } from '@tsigma/runtime';
import type { EvaluationResult } from '@tsigma/eval';
import type { IncidentResult } from '@tsigma/alert-pipeline';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_OUTPUT_ERROR } from '../exit-codes.js';
import { cutText, jsonPrefix, renderTable, type OutputFormat } from '../output-format.js';
import { csvLine, HuntSummary, oneLine, sortByTime, timelineRow, tsvLine, TIMELINE_HEADER } from './hunt-views.js';

/** The views `eval` prints (spec 11 §1's data formats plus the hunting views). */
type EvalOutputFormat = OutputFormat | 'csv' | 'tsv' | 'timeline';
export const EVAL_OUTPUT_FORMATS: readonly EvalOutputFormat[] = ['json', 'ndjson', 'table', 'timeline', 'csv', 'tsv'];

/** Table cells longer than this are cut with an ellipsis. */
const MAX_DETAIL_CHARS = 200;
/** The json view is written in pieces of about this many characters, never as one string of the whole array. */
const WRITE_CHUNK_CHARS = 1 << 20;

/** Where `eval` sends its results, and how to complete the output after the run. */
interface EvalOutput {
  sink: Sink;
  /**
   * Adds alert-pipeline incidents after the results (`--alert-pipeline`): NDJSON lines, elements of the json array,
   * or a second table (table, timeline; a second header and rows after a blank line in csv and tsv).
   */
  addIncidents(incidents: readonly IncidentResult[]): Promise<void>;
  /** Writes what the view kept or waits for the last streamed write (ndjson). */
  finish(): Promise<void>;
  /** Counts of what was delivered, for the closing summary. */
  summary: HuntSummary;
}

/** Opens the stdout view of `format`; `sortTime` holds every result back to print them in event-time order. */
export function openEvalOutput(format: EvalOutputFormat, io: CliIo, sortTime = false, color = false): EvalOutput {
  const summary = new HuntSummary();
  if (format === 'ndjson' && !sortTime) {
    // The real stdout gets the runtime's writer (asynchronous even when redirected to a file); tests pass their own.
    const stdout = io.stdout === process.stdout ? openStdoutWriter() : undefined;
    const finish = async (): Promise<void> => {
      try {
        await stdout?.finish();
      } catch (error) {
        throw new CliError(EXIT_OUTPUT_ERROR, `cannot write output: ${(error as Error).message}`, { cause: error });
      }
    };
    const inner = new StdoutSink(false, stdout?.writer ?? io.stdout);
    const sink: Sink = {
      label: inner.label,
      send: async (results) => {
        await inner.send(results);
        summary.add(results);
      },
      sendRaw: (json) => inner.sendRaw(json),
      close: () => inner.close(),
    };
    const addIncidents = async (incidents: readonly IncidentResult[]): Promise<void> => {
      for (const incident of incidents) await inner.sendIncident(JSON.stringify(incident));
    };
    return { sink, addIncidents, finish, summary };
  }
  if (format === 'json' && !sortTime) {
    const pieces: string[] = [];
    return keepingOutput(
      summary,
      (results) => {
        if (results.length > 0) pieces.push(arrayElements(results));
      },
      (incidents) => {
        if (incidents.length > 0) pieces.push(JSON.stringify(incidents, null, 2).slice('[\n  '.length, -'\n]'.length));
      },
      () => writeJsonArray(io, pieces),
    );
  }
  // Every other view keeps the results themselves: rows are rendered (and sorted) once the run is over.
  const kept: EvaluationResult[] = [];
  const incidents: IncidentResult[] = [];
  return keepingOutput(
    summary,
    (results) => {
      // Encoded now so a result JSON cannot hold fails here, alone, as in the streamed views.
      if (format === 'json' || format === 'ndjson') for (const r of results) serializeResult(r, format === 'json');
      for (const r of results) kept.push(r);
    },
    (more) => {
      for (const i of more) incidents.push(i);
    },
    async () => {
      await writeKept(io, format, sortTime ? sortByTime(kept) : kept, incidents, color);
    },
  );
}

/** ANSI colour of each level in the table and timeline views (`--color`). */
const LEVEL_COLORS: Readonly<Record<string, string>> = {
  critical: '\u001b[1;35m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[32m',
  informational: '\u001b[36m',
};

/** Paints the level column (`column`) of a table by the level's colour. */
function levelPainter(color: boolean, column: number): ((cell: string, row: number, col: number) => string) | undefined {
  if (!color) return undefined;
  return (cell, _row, col) => {
    const code = col === column ? LEVEL_COLORS[cell.trim()] : undefined;
    return code === undefined ? cell : `${code}${cell}\u001b[0m`;
  };
}

async function writeKept(
  io: CliIo,
  format: EvalOutputFormat,
  results: EvaluationResult[],
  incidents: IncidentResult[],
  color: boolean,
): Promise<void> {
  switch (format) {
    case 'json': {
      const pieces = results.length === 0 ? [] : [arrayElements(results)];
      if (incidents.length > 0) pieces.push(JSON.stringify(incidents, null, 2).slice('[\n  '.length, -'\n]'.length));
      return writeJsonArray(io, pieces);
    }
    case 'ndjson':
      return writeLines(io, [...results.map((r) => serializeResult(r) + '\n'), ...incidents.map((i) => JSON.stringify(i) + '\n')]);
    case 'table':
      await writeOut(io.stdout, renderTable(['LEVEL', 'RULE', 'TYPE', 'DETAIL'], results.map(tableRow), levelPainter(color, 0)));
      return writeIncidentTable(io, incidents, (header, rows) => '\n' + renderTable(header, rows));
    case 'timeline':
      await writeOut(
        io.stdout,
        renderTable(
          TIMELINE_HEADER,
          results.map((r) => timelineRow(r).map((c) => cutText(c, MAX_DETAIL_CHARS))),
          levelPainter(color, TIMELINE_HEADER.indexOf('Level')),
        ),
      );
      return writeIncidentTable(io, incidents, (header, rows) => '\n' + renderTable(header, rows));
    case 'csv':
      await writeLines(io, [csvLine(TIMELINE_HEADER), ...results.map((r) => csvLine(timelineRow(r)))]);
      return writeIncidentTable(io, incidents, (header, rows) => '\r\n' + [header, ...rows].map(csvLine).join(''));
    case 'tsv':
      await writeLines(io, [tsvLine(TIMELINE_HEADER), ...results.map((r) => tsvLine(timelineRow(r)))]);
      return writeIncidentTable(io, incidents, (header, rows) => '\n' + [header, ...rows].map(tsvLine).join(''));
  }
}

/** The incidents as a second block rendered by `render`, when there are any. */
async function writeIncidentTable(
  io: CliIo,
  incidents: readonly IncidentResult[],
  render: (header: string[], rows: string[][]) => string,
): Promise<void> {
  if (incidents.length === 0) return;
  await writeOut(io.stdout, render(['INCIDENT', 'STATE', 'TRIGGER', 'LEVEL', 'RESULTS', 'KEY'], incidents.map(incidentRow)));
}

/** `INCIDENT STATE TRIGGER LEVEL RESULTS KEY`: KEY is the group_by values or the entities. */
function incidentRow(i: IncidentResult): string[] {
  const key =
    i.group_by !== undefined
      ? Object.entries(i.group_by).map(([k, v]) => `${k}=${v ?? 'null'}`)
      : Object.entries(i.entities ?? {}).map(([k, vs]) => `${k}=${vs.join('|')}`);
  return [
    i.incident_id,
    i.state,
    i.trigger,
    i.max_level ?? '-',
    String(i.result_count),
    cutText(oneLine(key.join(', ')), MAX_DETAIL_CHARS),
  ];
}

/** Writes lines in pieces of about {@link WRITE_CHUNK_CHARS}, never as one string of them all. */
async function writeLines(io: CliIo, lines: readonly string[]): Promise<void> {
  let text = '';
  for (const line of lines) {
    text += line;
    if (text.length >= WRITE_CHUNK_CHARS) {
      await writeOut(io.stdout, text);
      text = '';
    }
  }
  if (text !== '') await writeOut(io.stdout, text);
}

/** A view that keeps each result (and incident) as `keep` renders it and prints everything in `finish`. */
function keepingOutput(
  summary: HuntSummary,
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
        summary.add(results);
        resolve();
      }),
    sendRaw: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const addIncidents = (incidents: readonly IncidentResult[]): Promise<void> => {
    keepIncidents(incidents);
    return Promise.resolve();
  };
  return { sink, addIncidents, finish, summary };
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

/** `LEVEL RULE TYPE DETAIL`, each cell on one line; values are rendered only as far as the cut, so any value fits. */
function tableRow(r: EvaluationResult): string[] {
  const isCorrelation = 'correlation_type' in r;
  const detail = isCorrelation
    ? `${r.group_key.map(([k, v]) => `${k}=${v}`).join(', ')} | agg=${r.aggregated_value}`
    : r.matched_fields.map((f) => `${f.field}=${typeof f.value === 'string' ? f.value : jsonPrefix(f.value, MAX_DETAIL_CHARS)}`).join(', ');
  return [
    r.level ?? '-',
    oneLine(r.rule_title),
    isCorrelation ? r.correlation_type : 'detection',
    oneLine(cutText(detail, MAX_DETAIL_CHARS)),
  ];
}
