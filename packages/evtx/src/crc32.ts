// CRC-32 (IEEE 802.3, as zlib computes it) over byte ranges, for EVTX header and chunk checksums.
// Uses zlib.crc32 when the running Node has it (20.15+), else an equivalent table-driven loop; no other logic here.

import * as zlib from 'node:zlib';

const POLYNOMIAL = 0xedb88320;

const TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** Table-driven CRC-32 of `bytes`, continuing from `previous` (0 to start). */
export function crc32Portable(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

type Crc32 = (bytes: Uint8Array, previous?: number) => number;
const native = (zlib as { crc32?: Crc32 }).crc32;

/** CRC-32 of `bytes`, continuing from `previous` (0 to start). */
export const crc32: Crc32 = native ?? crc32Portable;
