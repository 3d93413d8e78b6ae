// Reads one 64 KiB chunk: checks its signature and checksums, walks its records and turns each into JSON.
// It reports every problem and skips what it must; it never throws and never reads beyond the chunk bytes given.

import { ChunkParser } from './binxml.js';
import { crc32 } from './crc32.js';
import { EvtxError, toProblem } from './errors.js';
import type { EvtxErrorCode, EvtxLocation, EvtxProblem, EvtxSeverity } from './errors.js';
import { FLAG_NO_CRC32 } from './file-header.js';
import { renderRecord } from './render-json.js';
import type { EvtxJson } from './render-json.js';
import { readFiletime } from './values.js';

/** Size of a chunk; the last one of a truncated file may be shorter. */
export const CHUNK_SIZE = 65_536;
/** Chunk header size; records start right after it. */
const CHUNK_HEADER_SIZE = 512;
/** Record header (signature, size, id, FILETIME) plus the trailing size copy. */
const RECORD_OVERHEAD = 28;
const RECORD_HEADER_SIZE = 24;
const RECORD_SIGNATURE = 0x0000_2a2a;
const CHUNK_SIGNATURE = Buffer.from('ElfChnk\0', 'latin1');
const ZERO_BLOCK = Buffer.alloc(CHUNK_SIZE);

// Chunk header fields used here (byte offsets).
const LAST_RECORD_ID_AT = 32;
const FREE_SPACE_AT = 48;
const DATA_CHECKSUM_AT = 52;
const HEADER_CHECKSUMMED_END = 120; // flags (4 bytes) and the header checksum follow
const CHUNK_FLAGS_AT = 120;
const HEADER_CHECKSUM_AT = 124;
const HEADER_CHECKSUMMED_RESUME = 128; // string and template tables, up to the end of the header

/** A record decoded from the file. */
export interface EvtxRecordOk {
  ok: true;
  /** Record id from the record header (exported logs renumber it; `System.EventRecordID` keeps the original). */
  recordId: bigint;
  /** Record header write time, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  timestamp: string;
  /** The event in the JSON shape of `evtx_dump -o json`: `{ "Event": { ... } }`. */
  data: { [key: string]: EvtxJson };
  chunkIndex: number;
  /** File offset of the record header. */
  fileOffset: number;
}

/** A chunk or record that could not be decoded; reading goes on after it. */
export interface EvtxRecordFailure {
  ok: false;
  /** The problem's message, naming the chunk index or record offset. */
  error: string;
  problem: EvtxProblem;
}

/** One item of the record stream. */
export type EvtxRecord = EvtxRecordOk | EvtxRecordFailure;

/** How chunk checksums are treated. */
export type ChecksumPolicy = 'enforce' | 'report' | 'ignore';

/** Per-chunk settings and the problem sink. */
interface ChunkContext {
  chunkIndex: number;
  fileOffset: number;
  checksums: ChecksumPolicy;
  /**
   * True when the file header's flags are unknown (header damaged): a chunk that marks itself "no CRC32" is then
   * read without checks, else every chunk of a format 3.2 file would fail them.
   */
  chunkDecidesChecksums: boolean;
  report(problem: EvtxProblem): void;
}

/** True when `bytes` start with the chunk signature `ElfChnk\0`. */
export function hasChunkSignature(bytes: Buffer): boolean {
  return bytes.length >= CHUNK_SIGNATURE.length && bytes.subarray(0, CHUNK_SIGNATURE.length).equals(CHUNK_SIGNATURE);
}

/** True when every byte of `bytes` (at most one chunk) is zero. */
export function isZeroBlock(bytes: Buffer): boolean {
  return bytes.equals(ZERO_BLOCK.subarray(0, bytes.length));
}

/**
 * Whether a chunk declares that its checksums are not maintained: the "no CRC32" bit in its flags field (offset 120,
 * undocumented, outside the header CRC) with a zero header checksum, as the format 3.2 sample writes both. Requiring
 * both keeps one flipped bit from switching the checks off.
 */
function chunkSaysNoChecksums(bytes: Buffer): boolean {
  return (bytes.readUInt32LE(CHUNK_FLAGS_AT) & FLAG_NO_CRC32) !== 0 && bytes.readUInt32LE(HEADER_CHECKSUM_AT) === 0;
}

/**
 * Yields the records of one chunk (`bytes` is the chunk, possibly short at the end of a truncated file). All-zero
 * blocks are the business of the file walk (`ChunkSlots`) and are not passed here.
 */
export function* readChunk(bytes: Buffer, ctx: ChunkContext): Generator<EvtxRecord> {
  const { chunkIndex, fileOffset } = ctx;
  const problem = (code: EvtxErrorCode, severity: EvtxSeverity, detail: string, at = 0, recordId?: bigint): EvtxRecordFailure => {
    const location: EvtxLocation = { fileOffset: fileOffset + at, chunkIndex };
    if (recordId !== undefined) location.recordId = recordId;
    return failure(new EvtxError(code, detail, location), severity, ctx);
  };

  if (bytes.length < CHUNK_HEADER_SIZE) {
    yield problem('truncated', 'error', `file ends ${bytes.length} bytes into a chunk, inside its header`);
    return;
  }
  if (!hasChunkSignature(bytes)) {
    yield problem('chunk_magic', 'error', 'missing chunk signature "ElfChnk\\0"; chunk skipped');
    return;
  }
  if (bytes.length < CHUNK_SIZE) {
    problem('truncated', 'warning', `file ends ${bytes.length} bytes into this chunk; reading the records present`);
  }
  const checksums = ctx.chunkDecidesChecksums && chunkSaysNoChecksums(bytes) ? 'ignore' : ctx.checksums;
  if (checksums !== 'ignore') {
    const stored = bytes.readUInt32LE(HEADER_CHECKSUM_AT);
    // The header CRC covers bytes 0-119 and 128-511: everything but the flags and the checksum itself.
    const head = crc32(bytes.subarray(0, HEADER_CHECKSUMMED_END));
    const actual = crc32(bytes.subarray(HEADER_CHECKSUMMED_RESUME, CHUNK_HEADER_SIZE), head);
    if (actual !== stored) {
      if (checksums === 'enforce') {
        yield problem('chunk_header_checksum', 'error', 'chunk header CRC-32 mismatch; chunk skipped');
        return;
      }
      problem('chunk_header_checksum', 'warning', 'chunk header CRC-32 mismatch; reading it anyway');
    }
  }
  const lastRecordId = bytes.readBigUInt64LE(LAST_RECORD_ID_AT);
  let freeSpace = bytes.readUInt32LE(FREE_SPACE_AT);
  if (freeSpace < CHUNK_HEADER_SIZE || freeSpace > bytes.length) {
    if (freeSpace > CHUNK_SIZE || freeSpace < CHUNK_HEADER_SIZE) {
      problem('chunk_header', 'warning', `free space offset ${freeSpace} lies outside the chunk; scanning all of it`, FREE_SPACE_AT);
    }
    freeSpace = bytes.length;
  } else if (checksums !== 'ignore') {
    if (crc32(bytes.subarray(CHUNK_HEADER_SIZE, freeSpace)) !== bytes.readUInt32LE(DATA_CHECKSUM_AT)) {
      problem('chunk_data_checksum', 'warning', 'CRC-32 over the records does not match; decoding them anyway');
    }
  }

  const parser = new ChunkParser(bytes, fileOffset, chunkIndex);
  let offset = CHUNK_HEADER_SIZE;
  // Each pass advances by at least RECORD_OVERHEAD bytes, so the loop ends within the chunk.
  while (offset + RECORD_HEADER_SIZE <= freeSpace) {
    if (bytes.readUInt32LE(offset) !== RECORD_SIGNATURE) {
      yield problem('record_magic', 'error', 'missing record signature 2a 2a 00 00; rest of chunk skipped', offset);
      return;
    }
    const size = bytes.readUInt32LE(offset + 4);
    const recordId = bytes.readBigUInt64LE(offset + 8);
    if (size < RECORD_OVERHEAD || offset + size > bytes.length) {
      const detail = `record size ${size} is below ${RECORD_OVERHEAD} or runs past the chunk; rest of chunk skipped`;
      yield problem('record_size', 'error', detail, offset, recordId);
      return;
    }
    if (bytes.readUInt32LE(offset + size - 4) !== size) {
      problem('record_trailer', 'warning', `size copy at the end of the record is not ${size}`, offset + size - 4, recordId);
    }
    let item: EvtxRecord;
    try {
      const nodes = parser.parseRecord(offset + RECORD_HEADER_SIZE, offset + size - 4, recordId);
      const data = renderRecord(nodes, parser);
      const timestamp = readFiletime(bytes, offset + 16);
      item = { ok: true, recordId, timestamp, data, chunkIndex, fileOffset: fileOffset + offset };
    } catch (error) {
      item = failure(locate(error, fileOffset + offset, chunkIndex, recordId), 'error', ctx);
    }
    yield item;
    offset += size;
    // Space after the chunk's last record may hold stale records of an older generation: evtx_dump stops here too.
    if (recordId === lastRecordId) return;
  }
}

function failure(error: EvtxError, severity: EvtxSeverity, ctx: ChunkContext): EvtxRecordFailure {
  const problem = toProblem(error, severity);
  ctx.report(problem);
  return { ok: false, error: problem.message, problem };
}

/** Gives an error from record decoding the record's location, keeping a more precise one from the parser. */
function locate(error: unknown, fileOffset: number, chunkIndex: number, recordId: bigint): EvtxError {
  if (error instanceof EvtxError && error.location.chunkIndex !== undefined && error.location.recordId !== undefined) return error;
  const code = error instanceof EvtxError ? error.code : 'binxml';
  const detail = error instanceof EvtxError ? error.detail : `malformed record: ${String(error)}`;
  return new EvtxError(code, detail, { fileOffset, chunkIndex, recordId }, { cause: error });
}
