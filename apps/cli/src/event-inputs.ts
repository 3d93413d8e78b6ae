// Turning `-e`, `-i` and stdin into one ordered stream of events (or per-item errors) for `eval`
// (spec 11 §7): EVTX by magic or extension, `.json` as a JSON document stream, anything else as lines.
import { open, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { JsonEvent, type Event } from '@tsigma/eval';
import { EvtxFileReader } from '@tsigma/evtx';
import { parseLine, ParseFailure, readJsonDocuments, type InputFormat } from '@tsigma/runtime';
import { CliError, EXIT_RULE_ERROR, EXIT_USAGE } from './exit-codes.js';

/** One input named on the command line, in the order given. */
export type InputSpec = { kind: 'inline'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

/** What an input yields: an event, or a problem with one item that does not stop the run. */
export type InputItem =
  | { kind: 'event'; event: Event }
  | { kind: 'error'; where: string; message: string; counts: boolean };

/** Progress of the input being read, for the status line. */
export interface InputProgress {
  name: string;
  bytesRead(): number;
  totalBytes: number | undefined;
  evtx: boolean;
}

const EVTX_MAGIC = Buffer.from('ElfFile\0', 'latin1');

/** Reads every input in order, yielding events; `onInput` is told when each input starts. */
export async function* readInputs(
  specs: InputSpec[],
  format: InputFormat,
  stdin: Readable,
  onInput: (progress: InputProgress, index: number) => void,
): AsyncGenerator<InputItem> {
  for (const [index, spec] of specs.entries()) {
    if (spec.kind === 'inline') {
      onInput({ name: 'event', bytesRead: () => 0, totalBytes: undefined, evtx: false }, index);
      yield { kind: 'event', event: inlineEvent(spec.text) };
    } else if (spec.kind === 'stdin') {
      let read = 0;
      stdin.on('data', (chunk: Buffer | string) => (read += chunk.length));
      onInput({ name: 'stdin', bytesRead: () => read, totalBytes: undefined, evtx: false }, index);
      yield* readLines(stdin, 'stdin', format);
    } else {
      yield* readFileInput(spec.path, format, (p) => onInput(p, index));
    }
  }
}

function inlineEvent(text: string): Event {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(EXIT_USAGE, `-e: invalid JSON event (${(error as Error).message})`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(EXIT_USAGE, '-e: the event must be one JSON object');
  }
  return new JsonEvent(value);
}

async function* readFileInput(path: string, format: InputFormat, onInput: (p: InputProgress) => void): AsyncGenerator<InputItem> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new CliError(EXIT_RULE_ERROR, `${path}: cannot read input (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  if (/\.evtx$/i.test(path) || (await startsWithEvtxMagic(path))) {
    yield* readEvtx(path, size, onInput);
    return;
  }
  const stream = createReadStream(path);
  onInput({ name: path, bytesRead: () => stream.bytesRead, totalBytes: size, evtx: false });
  if (/\.json$/i.test(path)) yield* readJsonStream(stream, path);
  else yield* readLines(stream, path, format);
}

async function startsWithEvtxMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(EVTX_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(EVTX_MAGIC);
  } finally {
    await handle.close();
  }
}

async function* readEvtx(path: string, size: number, onInput: (p: InputProgress) => void): AsyncGenerator<InputItem> {
  let reader: EvtxFileReader;
  try {
    reader = await EvtxFileReader.open(path);
  } catch (error) {
    throw new CliError(EXIT_RULE_ERROR, `${path}: ${(error as Error).message}`, { cause: error });
  }
  onInput({ name: path, bytesRead: () => reader.progress().bytesRead, totalBytes: size, evtx: true });
  for await (const record of reader.records()) {
    if (record.ok) yield { kind: 'event', event: new JsonEvent(record.data) };
    else yield { kind: 'error', where: path, message: record.error, counts: false };
  }
}

async function* readJsonStream(stream: Readable, name: string): AsyncGenerator<InputItem> {
  for await (const doc of readJsonDocuments(stream)) {
    if (doc.ok) yield { kind: 'event', event: new JsonEvent(doc.value) };
    else yield { kind: 'error', where: `${name}:${doc.line}`, message: doc.error, counts: true };
  }
}

async function* readLines(stream: Readable, name: string, format: InputFormat): AsyncGenerator<InputItem> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const parsed = parseLine(line, format);
    if (parsed instanceof ParseFailure) yield { kind: 'error', where: `${name}:${lineNumber}`, message: parsed.message, counts: true };
    else yield { kind: 'event', event: parsed };
  }
}
