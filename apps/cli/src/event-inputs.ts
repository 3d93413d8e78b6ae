// Turning `-e`, `-i` and stdin into one ordered stream of events (or per-item errors) for `eval`
// (spec 11 §7): EVTX by magic or extension, `.json` as a JSON document stream, anything else as lines.
import { open, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { JsonEvent } from '@tsigma/eval';
import { EvtxFileReader } from '@tsigma/evtx';
import { parseLine, ParseFailure, readJsonDocuments, type InputFormat } from '@tsigma/runtime';
import { CliError, EXIT_RULE_ERROR, EXIT_USAGE } from './exit-codes.js';

/** One input named on the command line, in the order given. */
export type InputSpec = { kind: 'inline'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

/** What an input yields: an event, or a problem with one item that does not stop the run. */
type InputItem = { kind: 'event'; event: JsonEvent } | { kind: 'error'; where: string; message: string; counts: boolean };

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
      yield* readTextInput(stdin, 'stdin', format);
    } else {
      yield* readFileInput(spec.path, format, (p) => onInput(p, index));
    }
  }
}

function inlineEvent(text: string): JsonEvent {
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
    throw new CliError(EXIT_RULE_ERROR, `${path}: cannot read input (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
    });
  }
  if (/\.evtx$/i.test(path) || (await startsWithEvtxMagic(path))) {
    yield* readEvtx(path, size, onInput);
    return;
  }
  const stream = createReadStream(path);
  onInput({ name: path, bytesRead: () => stream.bytesRead, totalBytes: size, evtx: false });
  if (/\.json$/i.test(path)) yield* readJsonStream(stream, path);
  else yield* readTextInput(stream, path, format);
}

/**
 * Chooses between line-at-a-time parsing and the JSON document splitter by looking at the start of the text:
 * a JSON array, or an object whose first line is not a whole document (pretty-printed), needs the splitter.
 * NDJSON stays line-based so that `auto` can still recognise other formats on later lines.
 */
async function* readTextInput(stream: Readable, name: string, format: InputFormat): AsyncGenerator<InputItem> {
  const mayBeJson = format.kind === 'json' || format.kind === 'auto';
  if (!mayBeJson) {
    yield* readLines(stream, name, format);
    return;
  }
  const { head, rest } = await peekFirstLine(stream);
  const replay = chain(head, rest);
  if (format.kind === 'json' || needsDocumentSplitter(Buffer.concat(head).toString('utf8'))) yield* readJsonStream(replay, name);
  else yield* readLines(replay, name, format);
}

const PEEK_LIMIT_BYTES = 1 << 20;

async function peekFirstLine(stream: Readable): Promise<{ head: Buffer[]; rest: AsyncIterator<Buffer | string> }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let size = 0;
  let sawNonBlankLine = false;
  while (!sawNonBlankLine && size < PEEK_LIMIT_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    size += chunk.length;
    // Done once a newline follows some non-blank text.
    const text = Buffer.concat(head).toString('utf8');
    sawNonBlankLine = /\S[^\n]*\n/.test(text);
  }
  return { head, rest: iterator };
}

function needsDocumentSplitter(head: string): boolean {
  const trimmed = head.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('[')) return true;
  if (!trimmed.startsWith('{')) return false;
  const firstLine = trimmed.split('\n', 1)[0]!;
  try {
    JSON.parse(firstLine);
    return false;
  } catch {
    return true;
  }
}

function chain(head: Buffer[], rest: AsyncIterator<Buffer | string>): Readable {
  async function* all(): AsyncGenerator<Buffer | string> {
    yield* head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  }
  return Readable.from(all(), { objectMode: false });
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

async function* readJsonStream(stream: AsyncIterable<string | Uint8Array>, name: string): AsyncGenerator<InputItem> {
  for await (const doc of readJsonDocuments(stream)) {
    if (!doc.ok) {
      yield { kind: 'error', where: `${name}:${doc.line}`, message: doc.reason, counts: true };
      continue;
    }
    const parsed = parseLine(doc.text, { kind: 'json' });
    if (parsed instanceof ParseFailure) yield { kind: 'error', where: `${name}:${doc.line}`, message: parsed.message, counts: true };
    else yield { kind: 'event', event: parsed };
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
