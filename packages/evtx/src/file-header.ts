// Parses and checks the 4 KiB EVTX file header, and decides how far the reader may rely on it. It reports damage
// but never reads chunks: finding the first chunk of a file whose header is damaged is the caller's I/O.

import { crc32 } from './crc32.js';
import { EvtxError } from './errors.js';
import type { EvtxProblem } from './errors.js';

/** Size of the file header block; the first chunk starts right after it. */
export const FILE_HEADER_SIZE = 4096;
/** Bytes of the header covered by its CRC-32 (the checksum field itself sits at offset 124). */
const FILE_HEADER_CHECKSUMMED = 120;
const FILE_SIGNATURE = Buffer.from('ElfFile\0', 'latin1');

/** File header flag: the header was not brought up to date when the log was last written, so its counts may lag. */
export const FLAG_DIRTY = 0x1;
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

/** The file header as the reader sees it. */
export interface HeaderReading {
  /** The parsed header; `undefined` when its signature is missing and the file was recovered by scanning for chunks. */
  header: EvtxFileHeader | undefined;
  /** True when the header is intact, so that its chunk count and flags can be relied on. */
  trusted: boolean;
  /** Damage found in the header (warnings: reading goes on). */
  problems: EvtxProblem[];
}

/** True when `bytes` start with the file signature `ElfFile\0`. */
export function hasFileSignature(bytes: Buffer): boolean {
  return bytes.length >= FILE_SIGNATURE.length && bytes.subarray(0, FILE_SIGNATURE.length).equals(FILE_SIGNATURE);
}

/**
 * Parses the file header from the first bytes of a file that has the file signature; throws EvtxError when it is
 * shorter than the header. A checksum mismatch is a warning: chunks are found by scanning every 64 KiB block anyway,
 * and the header's count and flags are then not relied on.
 */
export function parseFileHeader(bytes: Buffer): HeaderReading {
  if (!hasFileSignature(bytes)) {
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
    const message =
      `offset 0: file header CRC-32 mismatch (stored 0x${stored.toString(16)}); ` +
      'its chunk count and flags are not used, every 64 KiB block is read';
    problems.push({ code: 'file_header_checksum', severity: 'warning', message, fileOffset: 0 });
  }
  return { header, trusted: checksumValid, problems };
}

/**
 * The reading of a file without the file signature, given the offset of the first chunk signature found at a
 * 64 KiB boundary (libevtx-style recovery: every chunk carries its own string and template tables, so chunks can be
 * read without the header). Throws EvtxError `not_evtx` when no chunk was found: then it is not an EVTX file.
 * `searched` says where the caller looked, for that error.
 */
export function headerlessReading(firstChunkAt: number | undefined, searched: string): HeaderReading {
  if (firstChunkAt === undefined) {
    const detail = `missing file signature "ElfFile\\0", and no chunk signature "ElfChnk\\0" ${searched}`;
    throw new EvtxError('not_evtx', detail, { fileOffset: 0 });
  }
  const message =
    'offset 0: file header damaged (no "ElfFile\\0" signature); recovering by reading every 64 KiB block, ' +
    `first chunk found at offset ${firstChunkAt}`;
  return { header: undefined, trusted: false, problems: [{ code: 'file_magic', severity: 'warning', message, fileOffset: 0 }] };
}
