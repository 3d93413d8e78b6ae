import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ChunkReader } from './chunk-reader.js';

describe('ChunkReader', () => {
  it('returns 200,000 unread chunks in their order before the rest of the stream (no argument spread)', async () => {
    const reader = new ChunkReader(Readable.from(['tail'], { objectMode: false }));
    const chunks = Array.from({ length: 200_000 }, (_, i) => String(i));
    reader.unread(chunks.slice(1));
    reader.unread(chunks.slice(0, 1));
    const got: string[] = [];
    for (let c = await reader.next(); c !== null; c = await reader.next()) got.push(String(c));
    expect(got).toEqual([...chunks, 'tail']);
  });
});
