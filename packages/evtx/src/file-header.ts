// Parses and checks the 4 KiB EVTX file header. It reports damage but never decides how chunks are read.

import { crc32 } from './crc32.js';
import { EvtxError } from './errors.js';
import type { EvtxProblem } from './errors.js';

/** Size of the file header block; the first chunk starts right after it. */
export const FILE_HEADER_SIZE = 4096;
/** Bytes of the header covered by its CRC-32 (the checksum field itself sits at offset 124). */
const FILE_HEADER_CHECKSUMMED = 120;
const FILE_SIGNATURE = Buffer.from('ElfFile\0', 'latin1');

/**
 * File header flag: header and chunk checksums are not maintained (format 3.2) and must not be checked. The other
 * flags, 0x1 "dirty" and 0x2 "full", do not change how the file is read.
 */
export const FLAG_NO_CRC32 = 0x4;

/** Fields of the EVTX file header. Counts may lag behind the data when the file is dirty. */
export interface EvtxFileHeader {
  firstChunkNumber: bigint;
  lastChunkNumber: bigint;
  nextRecordId: bigint;
  majorVersion: number;
  minorVersion: number;
  chunkCount: number;
  /** 0x1 dirty (header not brought up to date), 0x2 full, 0x4 no CRC32; other bits occur and are ignored. */
  flags: number;
  /** False when the stored CRC-32 does not match; always true for files flagged "no CRC32". */
  checksumValid: boolean;
}

/** Parses the file header from the first bytes of the file; throws EvtxError when it is not an EVTX file. */
export function parseFileHeader(bytes: Buffer): { header: EvtxFileHeader; problems: EvtxProblem[] } {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(FILE_SIGNATURE)) {
    throw new EvtxError('not_evtx', 'missing file signature "ElfFile\\0"', { fileOffset: 0 });
  }
  if (bytes.length < FILE_HEADER_SIZE) {
    throw new EvtxError('truncated', `file header needs ${FILE_HEADER_SIZE} bytes, file has ${bytes.length}`, { fileOffset: 0 });
  }
  const flags = bytes.readUInt32LE(120);
  const stored = bytes.readUInt32LE(124);
  const checksumValid = (flags & FLAG_NO_CRC32) !== 0 || crc32(bytes.subarray(0, FILE_HEADER_CHECKSUMMED)) === stored;
  const header: EvtxFileHeader = {
    firstChunkNumber: bytes.readBigUInt64LE(8),
    lastChunkNumber: bytes.readBigUInt64LE(16),
    nextRecordId: bytes.readBigUInt64LE(24),
    minorVersion: bytes.readUInt16LE(36),
    majorVersion: bytes.readUInt16LE(38),
    chunkCount: bytes.readUInt16LE(42),
    flags,
    checksumValid,
  };
  const problems: EvtxProblem[] = [];
  if (!checksumValid) {
    const message = `offset 0: file header CRC-32 mismatch (stored 0x${stored.toString(16)})`;
    // The header's counts are never trusted (chunks are found by scanning), so a bad checksum loses nothing.
    problems.push({ code: 'file_header_checksum', severity: 'warning', message, fileOffset: 0 });
  }
  return { header, problems };
}
