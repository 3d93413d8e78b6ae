// The inputs a user names (files, a stream such as stdin, inline events) as one EventSource, read in order.
// Each input is opened only when its turn comes and recognised by what it holds: EVTX by extension or magic,
// `.json` as JSON documents, other text as JSON documents (a top-level array or pretty-printed objects, or any
// text under the `json` format) or else as lines in the configured format.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { silentLogger, type Logger } from '@tsigma/eval';
import { RuntimeError } from '../errors.js';
import type { InputFormat } from '../input/input-format.js';
import { ChunkReader } from './chunk-reader.js';
import { EVTX_MAGIC, EvtxSource } from './evtx-source.js';
import { InlineEventSource } from './inline-source.js';
import type { EventSource, RawEvent } from './io-types.js';
import { JsonDocumentSource } from './json-document-source.js';
import { StdinSource } from './stdin-source.js';

/** One input, as named on a command line. */
export type EventInput =
  | {
      kind: 'file';
      path: string;
      /**
       * Found in a directory (`expandInputDirectories`): when it cannot be opened, the problem goes to the logger
       * (warn, code `unreadable_input`) and the next input is read, instead of `recv()` rejecting.
       */
      optional?: boolean;
    }
  | { kind: 'stream'; stream: Readable; name: string }
  | { kind: 'inline'; text: string };

/** What an opened input turned out to be, and how far it has been read. */
export interface InputInfo {
  /** Position in the list of inputs. */
  index: number;
  /** The path, the stream's name, or `event` for inline events. */
  name: string;
  kind: 'evtx' | 'json-documents' | 'lines' | 'inline';
  /** Bytes read so far and the total when known (files). */
  progress(): { bytesRead: number; totalBytes: number | undefined };
}

/** Options of {@link openEventInputs}. */
export interface EventInputOptions {
  /** Format of line inputs; default `{kind: 'auto'}`. Under `json`, text inputs are read as JSON documents. */
  format?: InputFormat;
  /** Receives problems inside an input that do not stop it (damaged EVTX chunks and records). */
  logger?: Logger;
  /** Told when each input is opened, before its first event. */
  onInput?: (info: InputInfo) => void;
  /**
   * Hand EVTX files out as whole undecoded chunks (`RawEvent.evtxChunk`) for worker threads to decode, instead of
   * decoding each record here; default false. Only a ParallelLogProcessor (or detectLines) can evaluate them.
   */
  evtxChunks?: boolean;
}

/**
 * Looks at this much of a text input's start, at most, to choose between lines and JSON documents: enough for a
 * first line of any event the line decoder accepts (its limit is 1 MiB).
 */
const SNIFF_LIMIT_BYTES = 1 << 20;

/**
 * Reads `inputs` one after another as one source. An input that cannot be opened (missing file, not an EVTX
 * file) rejects `recv()` with an `io` RuntimeError naming it, after the inputs before it were read.
 *
 * @example
 * const source = openEventInputs([{ kind: 'file', path: 'Security.evtx' }, { kind: 'stream', stream: process.stdin, name: 'stdin' }]);
 */
export function openEventInputs(inputs: readonly EventInput[], options: EventInputOptions = {}): EventSource {
  return new InputSequence(inputs, options);
}

class InputSequence implements EventSource {
  private next = 0;
  private current: EventSource | undefined;
  private closed = false;

  constructor(
    private readonly inputs: readonly EventInput[],
    private readonly options: EventInputOptions,
  ) {}

  async recv(): Promise<RawEvent | null> {
    const one = await this.recvMany(1);
    return one === null ? null : (one[0] as RawEvent);
  }

  async recvMany(max: number): Promise<RawEvent[] | null> {
    for (;;) {
      if (this.closed) return null;
      if (this.current === undefined) {
        const input = this.inputs[this.next];
        if (input === undefined) return null;
        try {
          this.current = await openOne(input, this.next++, this.options);
        } catch (err) {
          if (!(input.kind === 'file' && input.optional === true && err instanceof RuntimeError)) throw err;
          this.options.logger?.warn(err.message.replace(`${input.path}: `, ''), { file: input.path, code: 'unreadable_input' });
          continue;
        }
      }
      const got = this.current.recvMany !== undefined ? await this.current.recvMany(max) : await recvAsMany(this.current);
      if (got !== null && got.length > 0) return got;
      await this.current.close();
      this.current = undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.current?.close();
  }
}

async function recvAsMany(source: EventSource): Promise<RawEvent[] | null> {
  const one = await source.recv();
  return one === null ? null : [one];
}

async function openOne(input: EventInput, index: number, options: EventInputOptions): Promise<EventSource> {
  const format = options.format ?? { kind: 'auto' };
  const announce = (name: string, kind: InputInfo['kind'], progress: InputInfo['progress']): void =>
    options.onInput?.({ index, name, kind, progress });
  if (input.kind === 'inline') {
    announce('event', 'inline', () => ({ bytesRead: 0, totalBytes: undefined }));
    return new InlineEventSource([input.text]);
  }
  if (input.kind === 'stream') {
    const reader = new ChunkReader(input.stream);
    const progress = (): { bytesRead: number; totalBytes: undefined } => ({ bytesRead: reader.bytesRead, totalBytes: undefined });
    const asDocuments = format.kind === 'json' || (format.kind === 'auto' && needsDocumentSplitter(await sniffStart(reader)));
    announce(input.name, asDocuments ? 'json-documents' : 'lines', progress);
    return asDocuments ? new JsonDocumentSource(reader, input.name) : new StdinSource(reader, input.name);
  }

  const path = input.path;
  let size: number;
  let isEvtx: boolean;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new RuntimeError('io', 'is a directory; name the files to read', path);
    size = info.size;
    isEvtx = /\.evtx$/i.test(path) || (await startsWithEvtxMagic(path));
  } catch (err) {
    if (err instanceof RuntimeError) throw err;
    throw new RuntimeError('io', `cannot read input (${(err as NodeJS.ErrnoException).code ?? 'error'})`, path, { cause: err });
  }
  if (isEvtx) {
    const source = await EvtxSource.open(path, { logger: options.logger ?? silentLogger, chunks: options.evtxChunks === true });
    announce(path, 'evtx', () => ({ bytesRead: source.progress().bytesRead, totalBytes: size }));
    return source;
  }
  const reader = new ChunkReader(createReadStream(path));
  const progress = (): { bytesRead: number; totalBytes: number } => ({ bytesRead: reader.bytesRead, totalBytes: size });
  const asDocuments =
    /\.json$/i.test(path) || format.kind === 'json' || (format.kind === 'auto' && needsDocumentSplitter(await sniffStart(reader)));
  announce(path, asDocuments ? 'json-documents' : 'lines', progress);
  return asDocuments ? new JsonDocumentSource(reader, path) : new StdinSource(reader, path);
}

/**
 * Reads a text input's first chunks until a newline follows some non-blank text (or {@link SNIFF_LIMIT_BYTES}),
 * gives them back to the reader, and returns their text. Each chunk is scanned once, so a huge first line costs
 * time linear in its length.
 */
async function sniffStart(reader: ChunkReader): Promise<string> {
  const chunks: (Buffer | string)[] = [];
  let size = 0;
  let sawText = false;
  while (size < SNIFF_LIMIT_BYTES) {
    const chunk = await reader.next();
    if (chunk === null) break;
    chunks.push(chunk);
    size += chunk.length;
    // Byte-level scan: the characters that matter (whitespace, newline) are ASCII, which UTF-8 never hides.
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    let from = 0;
    if (!sawText) {
      from = text.search(/[^\s\u00ef\u00bb\u00bf]/);
      if (from < 0) continue;
      sawText = true;
    }
    if (text.indexOf('\n', from) >= 0) break;
  }
  reader.unread(chunks);
  const head = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
  return Buffer.concat(head).toString('utf8');
}

/** A JSON array, or an object whose first line is not a whole document (pretty-printed), needs the splitter. */
function needsDocumentSplitter(head: string): boolean {
  const trimmed = head.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('[')) return true;
  if (!trimmed.startsWith('{')) return false;
  const end = trimmed.indexOf('\n');
  try {
    JSON.parse(end < 0 ? trimmed : trimmed.slice(0, end));
    return false;
  } catch {
    return true;
  }
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
