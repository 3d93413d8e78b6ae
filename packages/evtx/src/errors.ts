// Error class and problem reports of @tsigma/evtx: every failure names its code, file offset and chunk.
// Holds no parsing logic.

/** Every kind of failure or damage the reader can report. */
export type EvtxErrorCode =
  | 'not_evtx' // neither the file signature `ElfFile\0` nor any chunk signature at a 64 KiB boundary is present
  | 'truncated' // the file ends inside its header, inside a chunk, or before the chunk count its header declares
  | 'io' // the file or stream could not be read
  | 'usage' // an API call that the reader's source does not support
  | 'file_magic' // the file signature `ElfFile\0` is missing, but chunks were found at 64 KiB boundaries
  | 'file_header_checksum' // the file header CRC-32 does not match
  | 'chunk_count' // a chunk lies beyond the chunk count of a header that is neither dirty nor damaged
  | 'empty_chunk' // an all-zero 64 KiB block where a chunk should be (within the header's count, or before a chunk)
  | 'chunk_magic' // a 64 KiB block without the `ElfChnk\0` signature
  | 'chunk_header_checksum' // the chunk header CRC-32 does not match
  | 'chunk_data_checksum' // the CRC-32 over the chunk's records does not match
  | 'chunk_header' // a chunk header field is impossible (free space offset outside the chunk)
  | 'record_magic' // a record does not start with `2a 2a 00 00`
  | 'record_size' // a record size is below the minimum or runs past the chunk
  | 'record_trailer' // the size copy at the end of a record differs from its header
  | 'binxml' // the record's BinXML is malformed
  | 'limit'; // a nesting or size limit was hit (template cycle, runaway expansion)

/** Where a problem sits in the file. */
export interface EvtxLocation {
  /** Absolute byte offset in the file. */
  fileOffset: number;
  /** Zero-based 64 KiB chunk number (the file header is not a chunk), when the problem is inside a chunk. */
  chunkIndex?: number;
  /** Record id from the record header, when the problem is inside a record. */
  recordId?: bigint;
}

/** Error raised for file-level failures, and carried by each reported problem. */
export class EvtxError extends Error {
  override readonly name = 'EvtxError';
  constructor(
    readonly code: EvtxErrorCode,
    /** The description without the location prefix. */
    readonly detail: string,
    readonly location: EvtxLocation,
    options?: ErrorOptions,
  ) {
    const chunk = location.chunkIndex === undefined ? '' : ` chunk ${location.chunkIndex}`;
    const record = location.recordId === undefined ? '' : ` record ${location.recordId}`;
    super(`offset ${location.fileOffset}${chunk}${record}: ${detail}`, options);
  }
}

/**
 * How much a problem cost: `error` lost a chunk or record that held something to decode (and yields a failure
 * item); `warning` did not (an all-zero chunk has nothing left to decode).
 */
export type EvtxSeverity = 'error' | 'warning';

/** One damage report produced while reading. */
export interface EvtxProblem extends EvtxLocation {
  code: EvtxErrorCode;
  severity: EvtxSeverity;
  /** Human-readable description including the location. */
  message: string;
}

/** Builds the problem report for an error. */
export function toProblem(error: EvtxError, severity: EvtxSeverity): EvtxProblem {
  return { code: error.code, severity, message: error.message, ...error.location };
}
