// The file-level view of the 64 KiB blocks after the file header: which all-zero blocks are lost chunks rather than
// unused space, and where the chunks found disagree with the header's chunk count. Reads no bytes beyond the first
// ones of each block it is shown, and never decides how a chunk itself is read.

import { CHUNK_SIZE, hasChunkSignature, isZeroBlock } from './chunk.js';
import { EvtxError, toProblem } from './errors.js';
import type { EvtxErrorCode, EvtxProblem } from './errors.js';
import { FILE_HEADER_SIZE } from './file-header.js';

/** What the file header says about the blocks, when it can be relied on. */
export interface SlotExpectations {
  /** The header's chunk count; `undefined` when the header is damaged or missing. */
  declaredChunks: number | undefined;
  /** The header is flagged dirty: its chunk count may lag behind the chunks written. */
  dirty: boolean;
}

/**
 * Follows one pass over the blocks of a file, in order. An all-zero block is a lost chunk when the header counts it
 * or a non-zero block follows it; zero blocks after the last data and beyond the header's count are unused space
 * (Windows preallocates the file) and are not reported. Whether a zero block is followed by data is only known
 * later, so a run of zero blocks is reported when the next non-zero block arrives, or at the end.
 */
export class ChunkSlots {
  /** Index of the first block of the current run of all-zero blocks, or -1. */
  private zeroRunStart = -1;
  private reportedBeyondCount = false;

  constructor(
    private readonly expected: SlotExpectations,
    private readonly report: (problem: EvtxProblem) => void,
  ) {}

  /** Shows block `index`; returns false when it is all zero and must not be read as a chunk. */
  admit(block: Buffer, index: number): boolean {
    const signed = hasChunkSignature(block);
    if (!signed && isZeroBlock(block)) {
      if (this.zeroRunStart < 0) this.zeroRunStart = index;
      return false;
    }
    this.endZeroRun(index, true);
    const { declaredChunks, dirty } = this.expected;
    if (signed && declaredChunks !== undefined && !dirty && index >= declaredChunks && !this.reportedBeyondCount) {
      // evtx_dump and libevtx's recovered records read such chunks too; losing them silently would be worse than
      // reading records that may be left over from an older log.
      this.reportedBeyondCount = true;
      this.warn(
        'chunk_count',
        index,
        `chunk found beyond the ${declaredChunks} chunk(s) the file header declares (header not dirty); ` +
          'reading it and any later ones, their records may be left over from an older log',
      );
    }
    return true;
  }

  /** Called once when the file ended after `blocks` blocks (not when reading stopped early). */
  finish(blocks: number): void {
    this.endZeroRun(blocks, false);
    const declared = this.expected.declaredChunks;
    if (declared !== undefined && blocks < declared) {
      this.warn('truncated', blocks, `file ends after ${blocks} chunk(s); its header declares ${declared}`);
    }
  }

  /** Reports the zero blocks of the run ending before `end` that were lost chunks. */
  private endZeroRun(end: number, dataFollows: boolean): void {
    if (this.zeroRunStart < 0) return;
    const start = this.zeroRunStart;
    this.zeroRunStart = -1;
    const lostUpTo = dataFollows ? end : Math.min(end, this.expected.declaredChunks ?? 0);
    for (let index = start; index < lostUpTo; index++) {
      const why = index < (this.expected.declaredChunks ?? 0) ? 'within the chunk count of the file header' : 'followed by more data';
      this.warn('empty_chunk', index, `all-zero block where a chunk should be (${why}); skipped`);
    }
  }

  private warn(code: EvtxErrorCode, chunkIndex: number, detail: string): void {
    const location = { fileOffset: FILE_HEADER_SIZE + chunkIndex * CHUNK_SIZE, chunkIndex };
    this.report(toProblem(new EvtxError(code, detail, location), 'warning'));
  }
}
