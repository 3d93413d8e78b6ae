// A chunk as a unit of work that can be decoded anywhere, e.g. in another thread: EVTX chunks carry their own
// string and template tables, so once the file walk has decided a block is a chunk to read (ChunkSlots), decoding
// it needs nothing from the rest of the file.

import { readChunk, type ChecksumPolicy, type EvtxRecord } from './chunk.js';
import type { EvtxProblem } from './errors.js';

/** One chunk to decode: its bytes and the file-level settings `readChunk` needs. Plain data (structured-cloneable). */
export interface EvtxChunkJob {
  /** The chunk's bytes (64 KiB, shorter at the end of a truncated file); owned by the job. */
  bytes: Uint8Array;
  chunkIndex: number;
  /** Offset of the chunk in the file. */
  fileOffset: number;
  checksums: ChecksumPolicy;
  /** True when the file header's flags are unknown, so a chunk marking itself "no CRC32" is read without checks. */
  chunkDecidesChecksums: boolean;
}

/**
 * Decodes one chunk job: its records in order (damaged ones as `{ ok: false }`) and every problem found, exactly as
 * `EvtxFileReader.records()` would yield and report them for that chunk.
 *
 * @example
 * for await (const job of reader.chunkJobs()) worker.postMessage(job, [job.bytes.buffer]); // decodeChunk(job) there
 */
export function decodeChunk(job: EvtxChunkJob): { records: EvtxRecord[]; problems: EvtxProblem[] } {
  const problems: EvtxProblem[] = [];
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const records = [
    ...readChunk(bytes, {
      chunkIndex: job.chunkIndex,
      fileOffset: job.fileOffset,
      checksums: job.checksums,
      chunkDecidesChecksums: job.chunkDecidesChecksums,
      report: (problem) => problems.push(problem),
    }),
  ];
  return { records, problems };
}
