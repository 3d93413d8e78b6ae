import { describe, expect, it } from 'vitest';
import { ChunkSlots } from './chunk-slots.js';
import type { SlotExpectations } from './chunk-slots.js';
import type { EvtxProblem } from './errors.js';

const CHUNK = 65_536;
const chunk = (): Buffer => Buffer.concat([Buffer.from('ElfChnk\0', 'latin1'), Buffer.alloc(CHUNK - 8, 1)]);
const zero = (): Buffer => Buffer.alloc(CHUNK);
const garbage = (): Buffer => Buffer.alloc(CHUNK, 0x41);

/** Walks a file laid out as `layout` (C chunk, 0 zero block, X garbage); returns the blocks admitted and the problems. */
function walk(layout: string, expected: SlotExpectations): { admitted: number[]; problems: [string, number | undefined, number][] } {
  const problems: EvtxProblem[] = [];
  const slots = new ChunkSlots(expected, (p) => problems.push(p));
  const admitted: number[] = [];
  [...layout].forEach((kind, index) => {
    const block = kind === 'C' ? chunk() : kind === '0' ? zero() : garbage();
    if (slots.admit(block, index)) admitted.push(index);
  });
  slots.finish(layout.length);
  return { admitted, problems: problems.map((p) => [p.code, p.chunkIndex, p.fileOffset]) };
}

const unknown: SlotExpectations = { declaredChunks: undefined, dirty: true };

describe('ChunkSlots', () => {
  it('reports nothing for chunks followed by unused zero blocks', () => {
    expect(walk('CCC000', { declaredChunks: 3, dirty: false })).toEqual({ admitted: [0, 1, 2], problems: [] });
    expect(walk('CCC000', unknown)).toEqual({ admitted: [0, 1, 2], problems: [] });
  });

  it('reports each zero block followed by data, once that data arrives', () => {
    expect(walk('C00C0X00', unknown)).toEqual({
      admitted: [0, 3, 5],
      problems: [
        ['empty_chunk', 1, 4096 + CHUNK],
        ['empty_chunk', 2, 4096 + 2 * CHUNK],
        ['empty_chunk', 4, 4096 + 4 * CHUNK],
      ],
    });
  });

  it('reports trailing zero blocks that the header counts, and a file shorter than the count', () => {
    expect(walk('CC00', { declaredChunks: 3, dirty: true }).problems).toEqual([['empty_chunk', 2, 4096 + 2 * CHUNK]]);
    expect(walk('CC', { declaredChunks: 4, dirty: true }).problems).toEqual([['truncated', 2, 4096 + 2 * CHUNK]]);
  });

  it('warns once about chunks beyond the count of a clean header only', () => {
    expect(walk('CCCC', { declaredChunks: 2, dirty: false }).problems).toEqual([['chunk_count', 2, 4096 + 2 * CHUNK]]);
    expect(walk('CCCC', { declaredChunks: 2, dirty: true }).problems).toEqual([]);
    // Garbage beyond the count is not a chunk: the chunk reader reports it (chunk_magic).
    expect(walk('CCX', { declaredChunks: 2, dirty: false }).problems).toEqual([]);
  });

  it('treats a short zero block at the end of a cut file like any zero block', () => {
    const problems: EvtxProblem[] = [];
    const slots = new ChunkSlots({ declaredChunks: 2, dirty: false }, (p) => problems.push(p));
    expect(slots.admit(chunk(), 0)).toBe(true);
    expect(slots.admit(Buffer.alloc(100), 1)).toBe(false);
    slots.finish(2);
    expect(problems.map((p) => [p.code, p.chunkIndex])).toEqual([['empty_chunk', 1]]);
  });
});
