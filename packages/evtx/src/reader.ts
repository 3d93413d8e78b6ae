// EvtxFileReader: opens an EVTX file from a path, bytes or a stream and yields its records chunk by chunk.
// Holds at most one chunk in memory; reads every 64 KiB block whatever the header's chunk count says, recovers files
// whose header is damaged, and never throws once reading started.

import { open as openFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CHUNK_SIZE, hasChunkSignature, readChunk } from './chunk.js';
import type { ChecksumPolicy, EvtxRecord } from './chunk.js';
import type { EvtxChunkJob } from './chunk-job.js';
import { ChunkSlots } from './chunk-slots.js';
import type { SlotExpectations } from './chunk-slots.js';
import { EvtxError, toProblem } from './errors.js';
import type { EvtxProblem } from './errors.js';
import { FILE_HEADER_SIZE, FLAG_DIRTY, FLAG_NO_CRC32, hasFileSignature, headerlessReading, parseFileHeader } from './file-header.js';
import type { EvtxFileHeader, HeaderReading } from './file-header.js';

/** Problems kept in {@link EvtxFileReader.problems}; more are only counted, so a huge damaged file cannot exhaust memory. */
export const MAX_KEPT_PROBLEMS = 10_000;

/** Options of {@link EvtxFileReader}. */
export interface EvtxReaderOptions {
  /**
   * `enforce` (default): a chunk whose header CRC-32 fails is skipped; a bad CRC over the records is only reported.
   * `report`: both are reported and the chunk is read anyway (what evtx_dump does by default).
   * `ignore`: checksums are not computed. Files flagged "no CRC32" are always read as `ignore`.
   */
  checksums?: ChecksumPolicy;
  /** Called for every problem as it is found, before the matching `{ ok: false }` item if there is one. */
  onProblem?: (problem: EvtxProblem) => void;
}

/** Supplies the file's chunks in order; `undefined` at the end. */
interface ChunkFeed {
  next(): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

type Source =
  { kind: 'bytes'; bytes: Buffer } | { kind: 'path'; path: string; size: number } | { kind: 'stream'; feed: ChunkFeed | undefined };

/** Where a file without the file signature was searched for chunks, for the `not_evtx` error. */
const SEARCHED_WHOLE_FILE = 'at any 64 KiB boundary after the first 4 KiB';
const SEARCHED_FIRST_SLOT = 'at offset 4096 (a stream is not searched further; read the file by path to search all of it)';
const NO_RECORDS: Iterator<EvtxRecord> = { next: () => ({ done: true, value: undefined }) };

/**
 * Streaming reader of Windows `.evtx` files.
 *
 * @example
 * ```ts
 * const reader = await EvtxFileReader.open('Security.evtx');
 * for await (const record of reader.records()) {
 *   if (record.ok) console.log(record.recordId, record.data.Event);
 *   else console.warn(record.error);
 * }
 * ```
 */
export class EvtxFileReader {
  /**
   * The parsed file header; `undefined` when its signature was missing and the file was recovered by reading its
   * chunks without it (a `file_magic` warning says so).
   */
  readonly header: EvtxFileHeader | undefined;
  /** Problems found so far, over every iteration of this reader (the first {@link MAX_KEPT_PROBLEMS}). */
  readonly problems: EvtxProblem[] = [];
  private problemTotal = 0;
  private bytesRead = 0;
  private readonly checksums: ChecksumPolicy;
  /** True when the header is damaged or missing, so that its flags are unknown. */
  private readonly headerUntrusted: boolean;
  private readonly slotExpectations: SlotExpectations;

  private constructor(
    reading: HeaderReading,
    private readonly source: Source,
    private readonly totalBytes: number,
    private readonly options: EvtxReaderOptions,
  ) {
    const header = reading.header;
    this.header = header;
    this.headerUntrusted = !reading.trusted;
    this.checksums = header !== undefined && header.flags & FLAG_NO_CRC32 ? 'ignore' : (options.checksums ?? 'enforce');
    this.slotExpectations =
      reading.trusted && header !== undefined
        ? { declaredChunks: header.chunkCount, dirty: (header.flags & FLAG_DIRTY) !== 0 }
        : { declaredChunks: undefined, dirty: true };
    for (const problem of reading.problems) this.report(problem);
  }

  /** Opens a file by path; rejects with EvtxError when it is not an EVTX file or cannot be read. */
  static async open(path: string, options: EvtxReaderOptions = {}): Promise<EvtxFileReader> {
    let handle: FileHandle | undefined;
    try {
      handle = await openFile(path, 'r');
      const size = (await handle.stat()).size;
      const head = Buffer.alloc(Math.min(size, FILE_HEADER_SIZE));
      await handle.read(head, 0, head.length, 0);
      const reading = hasFileSignature(head)
        ? parseFileHeader(head)
        : headerlessReading(await findFirstChunkInFile(handle, size), SEARCHED_WHOLE_FILE);
      return new EvtxFileReader(reading, { kind: 'path', path, size }, size, options);
    } catch (error) {
      if (error instanceof EvtxError) throw error;
      throw new EvtxError('io', `cannot read ${path}: ${String(error)}`, { fileOffset: 0 }, { cause: error });
    } finally {
      await handle?.close();
    }
  }

  /** Reads from bytes in memory (no copy); throws EvtxError when they are not an EVTX file. */
  static fromBuffer(bytes: Uint8Array, options: EvtxReaderOptions = {}): EvtxFileReader {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const reading = hasFileSignature(buffer) ? parseFileHeader(buffer) : headerlessReading(findFirstChunk(buffer), SEARCHED_WHOLE_FILE);
    return new EvtxFileReader(reading, { kind: 'bytes', bytes: buffer }, buffer.length, options);
  }

  /**
   * Reads from a Node readable stream of bytes, which can be iterated once; rejects with EvtxError on a bad header.
   * A stream cannot be searched without consuming it, so a file without the file signature is recovered only when
   * its first chunk is intact.
   */
  static async fromStream(stream: Readable | AsyncIterable<Uint8Array>, options: EvtxReaderOptions = {}): Promise<EvtxFileReader> {
    const blocks = new BlockReader(stream);
    try {
      let reading: HeaderReading;
      /** The first block, already read to look for a chunk signature; handed out before any further read. */
      let peeked: Buffer | undefined;
      try {
        const head = await blocks.read(FILE_HEADER_SIZE);
        if (hasFileSignature(head)) reading = parseFileHeader(head);
        else {
          peeked = await blocks.read(CHUNK_SIZE);
          reading = headerlessReading(hasChunkSignature(peeked) ? FILE_HEADER_SIZE : undefined, SEARCHED_FIRST_SLOT);
        }
      } catch (error) {
        if (error instanceof EvtxError) throw error;
        throw new EvtxError('io', `cannot read stream: ${String(error)}`, { fileOffset: 0 }, { cause: error });
      }
      const feed: ChunkFeed = {
        next: () => {
          const first = peeked;
          peeked = undefined;
          return first !== undefined
            ? Promise.resolve(first)
            : blocks.read(CHUNK_SIZE).then((block) => (block.length > 0 ? block : undefined));
        },
        close: () => blocks.close(),
      };
      return new EvtxFileReader(reading, { kind: 'stream', feed }, -1, options);
    } catch (error) {
      await blocks.close();
      throw error;
    }
  }

  /** Bytes consumed so far and the file size (`-1` for a stream, whose size is unknown). */
  progress(): { bytesRead: number; totalBytes: number } {
    return { bytesRead: this.bytesRead, totalBytes: this.totalBytes };
  }

  /** Number of problems found so far, including those beyond {@link MAX_KEPT_PROBLEMS}. */
  problemCount(): number {
    return this.problemTotal;
  }

  /**
   * All records in file order, chunk by chunk; damaged chunks and records appear as `{ ok: false }` items.
   * A stream-backed reader can be iterated once. Breaking out of the loop closes the file. Items are requested one
   * at a time, as `for await` does.
   */
  records(): AsyncIterableIterator<EvtxRecord> {
    const slots = this.newSlots();
    const report = (problem: EvtxProblem): void => this.report(problem);
    const read = (chunk: Buffer, chunkIndex: number): Iterator<EvtxRecord> => {
      const fileOffset = FILE_HEADER_SIZE + chunkIndex * CHUNK_SIZE;
      this.bytesRead = fileOffset + chunk.length;
      if (!slots.admit(chunk, chunkIndex)) return NO_RECORDS;
      return readChunk(chunk, { chunkIndex, fileOffset, checksums: this.checksums, chunkDecidesChecksums: this.headerUntrusted, report });
    };
    const readFailed = (error: unknown, chunkIndex: number): EvtxRecord => {
      const location = { fileOffset: FILE_HEADER_SIZE + chunkIndex * CHUNK_SIZE, chunkIndex };
      const problem = toProblem(new EvtxError('io', `read failed: ${String(error)}`, location, { cause: error }), 'error');
      this.report(problem);
      return { ok: false, error: problem.message, problem };
    };
    return new RecordIterator(this.openFeed(), read, readFailed, (blocks) => slots.finish(blocks));
  }

  /**
   * The chunks to decode, in file order, as self-contained jobs for {@link decodeChunk} (which may run in another
   * thread): the file walk (lost and beyond-count chunks, read failures) is reported here as by {@link records};
   * what decoding finds is reported by `decodeChunk`. Each job owns a copy of its bytes, so it can be transferred.
   */
  async *chunkJobs(): AsyncGenerator<EvtxChunkJob, void, undefined> {
    const slots = this.newSlots();
    const feed = this.openFeed();
    let chunkIndex = 0;
    try {
      for (;;) {
        const fileOffset = FILE_HEADER_SIZE + chunkIndex * CHUNK_SIZE;
        let chunk: Buffer | undefined;
        try {
          chunk = await feed.next();
        } catch (error) {
          const location = { fileOffset, chunkIndex };
          this.report(toProblem(new EvtxError('io', `read failed: ${String(error)}`, location, { cause: error }), 'error'));
          return;
        }
        if (chunk === undefined) {
          slots.finish(chunkIndex);
          return;
        }
        this.bytesRead = fileOffset + chunk.length;
        const index = chunkIndex++;
        if (!slots.admit(chunk, index)) continue;
        yield {
          bytes: new Uint8Array(chunk),
          chunkIndex: index,
          fileOffset,
          checksums: this.checksums,
          chunkDecidesChecksums: this.headerUntrusted,
        };
      }
    } finally {
      await feed.close();
    }
  }

  /** Synchronous variant of {@link records} for readers made by {@link fromBuffer}; throws EvtxError `usage` otherwise. */
  *recordsSync(): Generator<EvtxRecord, void, undefined> {
    if (this.source.kind !== 'bytes') {
      throw new EvtxError('usage', 'recordsSync() needs a reader made by fromBuffer()', { fileOffset: 0 });
    }
    const bytes = this.source.bytes;
    const report = (problem: EvtxProblem): void => this.report(problem);
    const slots = this.newSlots();
    for (let chunkIndex = 0; ; chunkIndex++) {
      const fileOffset = FILE_HEADER_SIZE + chunkIndex * CHUNK_SIZE;
      if (fileOffset >= bytes.length) {
        slots.finish(chunkIndex);
        return;
      }
      const chunk = bytes.subarray(fileOffset, fileOffset + CHUNK_SIZE);
      this.bytesRead = fileOffset + chunk.length;
      if (!slots.admit(chunk, chunkIndex)) continue;
      yield* readChunk(chunk, { chunkIndex, fileOffset, checksums: this.checksums, chunkDecidesChecksums: this.headerUntrusted, report });
    }
  }

  /** The file-level bookkeeping of one pass over the blocks. */
  private newSlots(): ChunkSlots {
    return new ChunkSlots(this.slotExpectations, (problem) => this.report(problem));
  }

  private report(problem: EvtxProblem): void {
    this.problemTotal++;
    if (this.problems.length < MAX_KEPT_PROBLEMS) this.problems.push(problem);
    this.options.onProblem?.(problem);
  }

  private openFeed(): ChunkFeed {
    const source = this.source;
    if (source.kind === 'path') return fileFeed(source.path, source.size);
    if (source.kind === 'bytes') return bytesFeed(source.bytes);
    const feed = source.feed;
    if (feed === undefined) throw new EvtxError('usage', 'a stream-backed reader can be iterated only once', { fileOffset: 0 });
    source.feed = undefined;
    return feed;
  }
}

/**
 * Async iteration over the records of consecutive chunks. Within a chunk, `next()` resolves at once from the
 * synchronous chunk reader, which costs far less per record than an async generator.
 */
class RecordIterator implements AsyncIterableIterator<EvtxRecord> {
  private current: Iterator<EvtxRecord> | undefined;
  private chunkIndex = 0;
  private finished = false;

  constructor(
    private readonly feed: ChunkFeed,
    private readonly read: (chunk: Buffer, chunkIndex: number) => Iterator<EvtxRecord>,
    private readonly readFailed: (error: unknown, chunkIndex: number) => EvtxRecord,
    /** Called with the number of blocks when the input ended (not after a read failure or an early stop). */
    private readonly ended: (blocks: number) => void,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<EvtxRecord, undefined>> {
    if (this.current !== undefined) {
      const step = this.current.next();
      if (step.done !== true) return Promise.resolve(step);
      this.current = undefined;
    }
    return this.nextChunk();
  }

  async return(): Promise<IteratorResult<EvtxRecord, undefined>> {
    await this.finish();
    return { done: true, value: undefined };
  }

  /** Reads chunks until one yields a record (empty blocks yield none) or the input ends. */
  private async nextChunk(): Promise<IteratorResult<EvtxRecord, undefined>> {
    while (!this.finished) {
      let chunk: Buffer | undefined;
      try {
        chunk = await this.feed.next();
      } catch (error) {
        // A read failure ends the input: report it as the last item.
        const failure = this.readFailed(error, this.chunkIndex);
        await this.finish();
        return { done: false, value: failure };
      }
      if (chunk === undefined) {
        this.ended(this.chunkIndex);
        break;
      }
      const records = this.read(chunk, this.chunkIndex++);
      const step = records.next();
      if (step.done !== true) {
        this.current = records;
        return step;
      }
    }
    await this.finish();
    return { done: true, value: undefined };
  }

  private async finish(): Promise<void> {
    this.current = undefined;
    if (this.finished) return;
    this.finished = true;
    await this.feed.close();
  }
}

/** Offset of the first chunk signature at a 64 KiB boundary after the file header, if any. */
function findFirstChunk(bytes: Buffer): number | undefined {
  for (let offset = FILE_HEADER_SIZE; offset < bytes.length; offset += CHUNK_SIZE) {
    if (hasChunkSignature(bytes.subarray(offset, offset + CHUNK_SIZE))) return offset;
  }
  return undefined;
}

/** {@link findFirstChunk} over an open file: reads only the signature bytes of each 64 KiB block. */
async function findFirstChunkInFile(handle: FileHandle, size: number): Promise<number | undefined> {
  const signature = Buffer.alloc(8);
  for (let offset = FILE_HEADER_SIZE; offset < size; offset += CHUNK_SIZE) {
    const { bytesRead } = await handle.read(signature, 0, signature.length, offset);
    if (hasChunkSignature(signature.subarray(0, bytesRead))) return offset;
  }
  return undefined;
}

/** Hands out views of in-memory bytes, one chunk at a time. */
function bytesFeed(bytes: Buffer): ChunkFeed {
  let position = FILE_HEADER_SIZE;
  return {
    next() {
      if (position >= bytes.length) return Promise.resolve(undefined);
      const chunk = bytes.subarray(position, position + CHUNK_SIZE);
      position += CHUNK_SIZE;
      return Promise.resolve(chunk);
    },
    close: () => Promise.resolve(),
  };
}

/** Reads a file chunk by chunk into one reused buffer (records never keep references into it). */
function fileFeed(path: string, size: number): ChunkFeed {
  const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
  let handle: FileHandle | undefined;
  let position = FILE_HEADER_SIZE;
  return {
    async next() {
      if (position >= size) return undefined;
      handle ??= await openFile(path, 'r');
      let filled = 0;
      // A short read before the end of the file is retried; a read of 0 bytes means the file shrank.
      while (filled < CHUNK_SIZE && position + filled < size) {
        const { bytesRead } = await handle.read(buffer, filled, CHUNK_SIZE - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      position += CHUNK_SIZE;
      return filled > 0 ? buffer.subarray(0, filled) : undefined;
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}

/** Cuts a byte stream into blocks of a requested size, keeping only the pieces not yet handed out. */
class BlockReader {
  private readonly iterator: AsyncIterator<Uint8Array | string>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;
  private readonly block = Buffer.allocUnsafe(CHUNK_SIZE);

  constructor(stream: Readable | AsyncIterable<Uint8Array>) {
    this.iterator = (stream as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  }

  /** The next `size` bytes (fewer at the end of the stream); the returned view is reused by the next call. */
  async read(size: number): Promise<Buffer> {
    while (this.pendingBytes < size && !this.done) {
      const step = await this.iterator.next();
      if (step.done) {
        this.done = true;
        break;
      }
      const value = step.value;
      const piece =
        typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (piece.length === 0) continue;
      this.pending.push(piece);
      this.pendingBytes += piece.length;
    }
    const take = Math.min(size, this.pendingBytes);
    const out = this.block.subarray(0, take);
    let filled = 0;
    while (filled < take) {
      const piece = this.pending[0]!;
      const used = Math.min(piece.length, take - filled);
      piece.copy(out, filled, 0, used);
      filled += used;
      if (used === piece.length) this.pending.shift();
      else this.pending[0] = piece.subarray(used);
    }
    this.pendingBytes -= take;
    return out;
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
  }
}
