// Event source over a Windows `.evtx` file (through @tsigma/evtx): each record is one already-decoded event in
// the evtx_dump JSON shape. Every problem the reader reports (a damaged header, chunk or record) is logged as a
// warning, and what it lost is skipped; reading goes on.

import { EvtxFileReader, type EvtxChunkJob, type EvtxProblem, type EvtxRecord } from '@tsigma/evtx';
import { silentLogger, type Logger } from '@tsigma/eval';
import { RuntimeError } from '../errors.js';
import type { EventSource, RawEvent } from './io-types.js';
import { NOOP_ACK } from './io-types.js';

/** `.evtx` files start with these eight bytes. */
export const EVTX_MAGIC = Buffer.from('ElfFile\0', 'latin1');

/** A record as a RawEvent: evaluated from `value`; the JSON text is only built if a dead letter needs it. */
class EvtxRawEvent implements RawEvent {
  readonly ackToken = NOOP_ACK;
  private text: string | undefined;

  constructor(
    readonly value: object,
    readonly origin: string,
    readonly source: string,
  ) {}

  get payload(): string {
    return (this.text ??= JSON.stringify(this.value));
  }
}

/**
 * Reads the records of one `.evtx` file; origin `<path>#<record id>`. Open with {@link EvtxSource.open}, which
 * rejects with an `io` RuntimeError naming the file when it is not an EVTX file or cannot be read.
 *
 * @example
 * const source = await EvtxSource.open('Security.evtx', { logger });
 */
export class EvtxSource implements EventSource {
  private readonly records: AsyncIterator<EvtxRecord> | undefined;
  private readonly jobs: AsyncGenerator<EvtxChunkJob, void, undefined> | undefined;
  private done = false;

  private constructor(
    private readonly reader: EvtxFileReader,
    private readonly path: string,
    chunks: boolean,
  ) {
    if (chunks) this.jobs = reader.chunkJobs();
    else this.records = reader.records();
  }

  /**
   * Opens `path`. Each problem the reader finds is reported to `logger` (warn, fields `file` and `code`) as it is
   * met: those that lose nothing too, such as a recovered header or an all-zero chunk, which yield no failure item.
   */
  static async open(path: string, options: { logger?: Logger; chunks?: boolean } = {}): Promise<EvtxSource> {
    const logger = options.logger ?? silentLogger;
    const onProblem = (problem: EvtxProblem): void => logger.warn(problem.message, { file: path, code: problem.code });
    try {
      return new EvtxSource(await EvtxFileReader.open(path, { onProblem }), path, options.chunks === true);
    } catch (err) {
      throw new RuntimeError('io', (err as Error).message, path, { cause: err });
    }
  }

  /** Bytes of the file consumed so far and its size. */
  progress(): { bytesRead: number; totalBytes: number } {
    return this.reader.progress();
  }

  async recv(): Promise<RawEvent | null> {
    const one = await this.recvMany(1);
    return one === null ? null : (one[0] as RawEvent);
  }

  async recvMany(max: number): Promise<RawEvent[] | null> {
    if (this.jobs !== undefined) return this.recvChunks(max);
    const records = this.records as AsyncIterator<EvtxRecord>;
    const out: RawEvent[] = [];
    while (!this.done && out.length < max) {
      const next = await records.next();
      if (next.done === true) {
        this.done = true;
        break;
      }
      const record = next.value;
      // A failure item's problem was already logged through onProblem.
      if (record.ok) out.push(new EvtxRawEvent(record.data, `${this.path}#${record.recordId}`, this.path));
    }
    return out.length > 0 ? out : null;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await (this.jobs ?? this.records)?.return?.(undefined);
  }

  /** Chunk mode: whole chunks, undecoded, each weighing as many events as it holds records (or one). */
  private async recvChunks(max: number): Promise<RawEvent[] | null> {
    const jobs = this.jobs as AsyncGenerator<EvtxChunkJob, void, undefined>;
    const out: RawEvent[] = [];
    let weight = 0;
    while (!this.done && weight < max) {
      const next = await jobs.next();
      if (next.done === true) {
        this.done = true;
        break;
      }
      const job = next.value;
      const records = recordCountOf(job.bytes);
      weight += records;
      out.push({
        payload: `EVTX chunk ${job.chunkIndex} at offset ${job.fileOffset}`,
        ackToken: NOOP_ACK,
        origin: `${this.path}#chunk${job.chunkIndex}`,
        evtxChunk: { job, file: this.path },
        weight: records,
      });
    }
    return out.length > 0 ? out : null;
  }
}

/** Offsets in the chunk header of its first and last event record numbers (u64, little-endian). */
const FIRST_RECORD_AT = 8;
const LAST_RECORD_AT = 16;
/** A chunk holds a few hundred records at most (64 KiB of records of at least 24 bytes each: ~2,700). */
const MAX_RECORDS_PER_CHUNK = 2730;

/** How many records the chunk header claims, clamped to what a chunk can hold; 1 when it says nothing usable. */
function recordCountOf(bytes: Uint8Array): number {
  if (bytes.length < LAST_RECORD_AT + 8) return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const span = view.getBigUint64(LAST_RECORD_AT, true) - view.getBigUint64(FIRST_RECORD_AT, true) + 1n;
  return span < 1n ? 1 : Number(span > BigInt(MAX_RECORDS_PER_CHUNK) ? MAX_RECORDS_PER_CHUNK : span);
}
