// Event source over a stream of JSON documents (NDJSON, one top-level array, or concatenated pretty-printed
// objects), split by the validating JsonDocumentSplitter. Each document is one JSON-format RawEvent; a broken
// document becomes a RawEvent carrying the splitter's reason, so it is reported with its line like any bad line.

import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { InputFormat } from '../input/input-format.js';
import { JsonDocumentSplitter, type JsonDocument } from '../input/json-stream.js';
import { ChunkReader } from './chunk-reader.js';
import type { EventSource, RawEvent } from './io-types.js';
import { NOOP_ACK } from './io-types.js';

const JSON_FORMAT: InputFormat = Object.freeze({ kind: 'json' });

/**
 * Reads JSON documents from a Readable; origin `<label>:<line where the document starts>`.
 *
 * @example
 * const source = new JsonDocumentSource(createReadStream('events.json'), 'events.json');
 */
export class JsonDocumentSource implements EventSource {
  private readonly splitter = new JsonDocumentSplitter();
  private readonly decoder = new StringDecoder('utf8');
  private readonly reader: ChunkReader;
  private pending: JsonDocument[] = [];
  private pendingAt = 0;
  private ended = false;
  private closed = false;

  constructor(
    input: Readable | ChunkReader,
    private readonly label: string,
  ) {
    this.reader = input instanceof ChunkReader ? input : new ChunkReader(input);
  }

  async recv(): Promise<RawEvent | null> {
    const one = await this.recvMany(1);
    return one === null ? null : (one[0] as RawEvent);
  }

  async recvMany(max: number): Promise<RawEvent[] | null> {
    if (this.closed || !(await this.refill())) return null;
    const out: RawEvent[] = [];
    while (this.pendingAt < this.pending.length && out.length < max) out.push(this.toRaw(this.pending[this.pendingAt++] as JsonDocument));
    return out;
  }

  close(): Promise<void> {
    this.closed = true;
    this.reader.close();
    return Promise.resolve();
  }

  private toRaw(doc: JsonDocument): RawEvent {
    const origin = `${this.label}:${doc.line}`;
    if (doc.ok) return { payload: doc.text, ackToken: NOOP_ACK, origin, format: JSON_FORMAT };
    return { payload: '', ackToken: NOOP_ACK, origin, format: JSON_FORMAT, failure: doc.reason };
  }

  /** Reads until at least one document is pending; false at the end of input. */
  private async refill(): Promise<boolean> {
    while (this.pendingAt >= this.pending.length) {
      if (this.ended || this.closed) return false;
      const chunk = await this.reader.next();
      this.pendingAt = 0;
      if (chunk === null) {
        this.ended = true;
        const tail = this.decoder.end();
        this.pending = tail === '' ? this.splitter.end() : [...this.splitter.push(tail), ...this.splitter.end()];
      } else {
        this.pending = this.splitter.push(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
      }
    }
    return true;
  }
}
