// Damage done on purpose to copies of real samples, written to a temporary directory and read back by path, buffer
// and stream: a zeroed file header, zeroed chunks, files cut short, a header whose chunk count disagrees with the
// file, bytes changed inside a record. Each test says which records survive and which problems are reported.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../../test/corpus.js';
import { EvtxFileReader } from '../src/index.js';
import type { EvtxProblem, EvtxReaderOptions, EvtxRecord, EvtxRecordOk } from '../src/index.js';

const HEADER = 4096;
const CHUNK = 65_536;
const chunkAt = (index: number): number => HEADER + index * CHUNK;

/** security.evtx: 26 chunks (header: 26, dirty) holding records 1-2261 in order, then 7 unused all-zero blocks. */
const SECURITY = 'security.evtx';
/** Record ids held by the first chunks of security.evtx, by chunk index. */
const SECURITY_CHUNKS: [first: number, last: number][] = [
  [1, 91],
  [92, 177],
  [178, 260],
  [261, 349],
  [350, 441],
  [442, 530],
];

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsigma-evtx-damaged-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of a corpus sample, changed by `damage` and written to the temporary directory; returns its path. */
function damaged(sample: string, name: string, damage: (bytes: Buffer) => Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, damage(Buffer.from(readFileSync(corpusPath('evtx', sample)))));
  return path;
}

interface Outcome {
  reader: EvtxFileReader;
  records: EvtxRecord[];
  ids: bigint[];
}

/** Items as text, to compare thousands of records quickly. */
const serialized = (records: EvtxRecord[]): string =>
  JSON.stringify(records, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));

/** Reads a file by path (the CLI's way), and checks that the buffer entry point gives the same items and problems. */
async function readPath(path: string, options: EvtxReaderOptions = {}): Promise<Outcome> {
  const reader = await EvtxFileReader.open(path, options);
  const records: EvtxRecord[] = [];
  for await (const record of reader.records()) records.push(record);
  const inMemory = EvtxFileReader.fromBuffer(readFileSync(path), options);
  expect(serialized([...inMemory.recordsSync()])).toBe(serialized(records));
  expect(inMemory.problems).toEqual(reader.problems);
  return { reader, records, ids: records.filter((r): r is EvtxRecordOk => r.ok).map((r) => r.recordId) };
}

async function readStream(path: string): Promise<EvtxRecord[]> {
  const bytes = readFileSync(path);
  const pieces = Array.from({ length: Math.ceil(bytes.length / 10_007) }, (_, i) => bytes.subarray(i * 10_007, (i + 1) * 10_007));
  const reader = await EvtxFileReader.fromStream(Readable.from(pieces));
  const records: EvtxRecord[] = [];
  for await (const record of reader.records()) records.push(record);
  return records;
}

const range = (first: number, last: number): bigint[] => Array.from({ length: last - first + 1 }, (_, i) => BigInt(first + i));
const without = (ids: bigint[], first: number, last: number): bigint[] => ids.filter((id) => id < BigInt(first) || id > BigInt(last));
const where = (problems: EvtxProblem[]): [string, number | undefined, number, string][] =>
  problems.map((p) => [p.code, p.chunkIndex, p.fileOffset, p.severity]);

describe('a vendored fixture with its header zeroed (runs without the corpus)', () => {
  it('is recovered with all 4 records and a file_magic warning', async () => {
    const fixture = join(import.meta.dirname, 'fixtures/new-user-security.evtx');
    const path = join(dir, 'fixture-zeroed-header.evtx');
    writeFileSync(path, Buffer.from(readFileSync(fixture)).fill(0, 0, HEADER));
    const { reader, ids } = await readPath(path);
    expect(ids).toEqual(range(1, 4));
    expect(where(reader.problems)).toEqual([['file_magic', undefined, 0, 'warning']]);
  });
});

describeCorpus('damaged copies of real samples', () => {
  it('recovers every record of a file whose 4 KiB header is zeroed, with a file_magic warning', async () => {
    const original = await readPath(corpusPath('evtx', SECURITY));
    const path = damaged(SECURITY, 'zeroed-header.evtx', (b) => b.fill(0, 0, HEADER));
    const { reader, records } = await readPath(path);
    expect(serialized(records)).toBe(serialized(original.records));
    expect(reader.header).toBeUndefined();
    expect(where(reader.problems)).toEqual([['file_magic', undefined, 0, 'warning']]);
    expect(reader.problems[0]!.message).toContain('first chunk found at offset 4096');
    expect(serialized(await readStream(path))).toBe(serialized(original.records));
  });

  it('finds the first chunk anywhere when the header and the chunks before it are zeroed (not from a stream)', async () => {
    const path = damaged(SECURITY, 'zeroed-header-and-chunk-0.evtx', (b) => b.fill(0, 0, chunkAt(1)));
    const { reader, ids } = await readPath(path);
    expect(ids).toEqual(range(92, 2261));
    expect(where(reader.problems)).toEqual([
      ['file_magic', undefined, 0, 'warning'],
      ['empty_chunk', 0, chunkAt(0), 'warning'],
    ]);
    expect(reader.problems[0]!.message).toContain(`first chunk found at offset ${chunkAt(1)}`);
    await expect(readStream(path)).rejects.toMatchObject({ code: 'not_evtx', location: { fileOffset: 0 } });
  });

  it('recovers a format 3.2 file without checksums whose header is zeroed (its chunks say they carry no CRC)', async () => {
    const path = damaged('Application_no_crc32.evtx', 'zeroed-header-no-crc.evtx', (b) => b.fill(0, 0, HEADER));
    const { reader, ids } = await readPath(path);
    expect(ids).toHaveLength(17);
    expect(reader.problems.map((p) => p.code)).toEqual(['file_magic']);
  });

  it('still refuses a file with neither file nor chunk signature, naming both', async () => {
    const path = join(dir, 'zeros.evtx');
    writeFileSync(path, Buffer.alloc(HEADER + 2 * CHUNK));
    const error = EvtxFileReader.open(path);
    await expect(error).rejects.toMatchObject({ code: 'not_evtx', location: { fileOffset: 0 } });
    await expect(error).rejects.toThrow(/ElfFile.*ElfChnk/);
  });

  it('reports a zeroed chunk in the middle with its index and offset, and reads the chunks around it', async () => {
    const path = damaged(SECURITY, 'zeroed-chunk-3.evtx', (b) => b.fill(0, chunkAt(3), chunkAt(4)));
    const { reader, records, ids } = await readPath(path);
    expect(ids).toEqual(without(range(1, 2261), ...SECURITY_CHUNKS[3]!));
    expect(records.every((r) => r.ok)).toBe(true);
    expect(where(reader.problems)).toEqual([['empty_chunk', 3, chunkAt(3), 'warning']]);
    expect(reader.problemCount()).toBe(1);
  });

  it('reports a zeroed last chunk that the header counts, but not the unused blocks after it', async () => {
    const path = damaged(SECURITY, 'zeroed-chunk-25.evtx', (b) => b.fill(0, chunkAt(25), chunkAt(26)));
    const { reader, ids } = await readPath(path);
    expect(ids).toEqual(range(1, 2201));
    expect(where(reader.problems)).toEqual([['empty_chunk', 25, chunkAt(25), 'warning']]);
  });

  it('reads the records before a cut inside a chunk and says the file is shorter than its header declares', async () => {
    const cut = chunkAt(3) + 20_000;
    const path = damaged(SECURITY, 'cut-in-chunk-3.evtx', (b) => b.subarray(0, cut));
    const { reader, records, ids } = await readPath(path);
    // Chunk 3 holds records 261-349; those wholly before the cut survive, in order; the one the cut runs through fails.
    expect(ids.length).toBeGreaterThan(260);
    expect(ids.length).toBeLessThan(349);
    expect(ids).toEqual(range(1, ids.length));
    const cutRecord = BigInt(ids.length + 1);
    const failures = records.filter((r) => !r.ok);
    expect(failures.map((r) => (r.ok ? undefined : [r.problem.code, r.problem.recordId]))).toEqual([['record_size', cutRecord]]);
    expect(reader.problems.map((p) => [p.code, p.chunkIndex, p.severity])).toEqual([
      ['truncated', 3, 'warning'],
      ['record_size', 3, 'error'],
      ['truncated', 4, 'warning'],
    ]);
    expect(reader.problems[0]!.fileOffset).toBe(chunkAt(3));
    expect(reader.problems[2]!.message).toContain('file ends after 4 chunk(s); its header declares 26');
    expect(reader.progress()).toEqual({ bytesRead: cut, totalBytes: cut });
  });

  it('says so when a file cut at a chunk boundary holds fewer chunks than its header declares', async () => {
    const path = damaged(SECURITY, 'cut-after-chunk-5.evtx', (b) => b.subarray(0, chunkAt(6)));
    const { reader, ids } = await readPath(path);
    expect(ids).toEqual(range(1, 530));
    expect(where(reader.problems)).toEqual([['truncated', 6, chunkAt(6), 'warning']]);
  });

  it('skips a record whose BinXML is broken and reads the next one', async () => {
    // Record 271 (the 11th of chunk 3) starts at 212152; its BinXML begins 24 bytes in with a fragment header 0x0f.
    const recordAt = 212_152;
    const path = damaged(SECURITY, 'bad-binxml.evtx', (b) => {
      expect(b.readBigUInt64LE(recordAt + 8)).toBe(271n);
      b[recordAt + 24] = 0xff;
      return b;
    });
    const { reader, records, ids } = await readPath(path);
    expect(ids).toEqual(without(range(1, 2261), 271, 271));
    const failures = records.filter((r) => !r.ok);
    expect(failures.map((r) => (r.ok ? undefined : [r.problem.code, r.problem.chunkIndex, r.problem.recordId]))).toEqual([
      ['binxml', 3, 271n],
    ]);
    // The CRC over the chunk's records no longer matches: reported, and the other records are decoded anyway.
    expect(where(reader.problems)).toEqual([
      ['chunk_data_checksum', 3, chunkAt(3), 'warning'],
      ['binxml', 3, recordAt + 24, 'error'],
    ]);
  });

  it('loses the rest of a chunk after a record whose signature is overwritten', async () => {
    const recordAt = 212_152;
    const path = damaged(SECURITY, 'bad-record-magic.evtx', (b) => b.fill(0x41, recordAt, recordAt + 4));
    const { reader, records, ids } = await readPath(path);
    expect(ids).toEqual(without(range(1, 2261), 271, 349));
    expect(records.filter((r) => !r.ok).map((r) => (r.ok ? undefined : [r.problem.code, r.problem.fileOffset]))).toEqual([
      ['record_magic', recordAt],
    ]);
    expect(reader.problems.map((p) => p.code)).toEqual(['chunk_data_checksum', 'record_magic']);
  });

  it('reads chunks beyond the count of a clean header, with one chunk_count warning', async () => {
    // CAPI2: header not dirty, counting its 13 chunks. Make it count 10 (and keep its CRC valid).
    const capi2 = 'E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx';
    const recount = (flags: number) => (b: Buffer) => {
      b.writeUInt16LE(10, 42);
      b.writeUInt32LE(flags, 120);
      b.writeUInt32LE(crc32(b.subarray(0, 120)), 124);
      return b;
    };
    const clean = await readPath(damaged(capi2, 'capi2-count-10.evtx', recount(0)));
    expect(clean.ids).toHaveLength(340);
    expect(where(clean.reader.problems)).toEqual([['chunk_count', 10, chunkAt(10), 'warning']]);
    // A dirty header's count is known to lag: nothing to report.
    const dirty = await readPath(damaged(capi2, 'capi2-count-10-dirty.evtx', recount(1)));
    expect(dirty.ids).toHaveLength(340);
    expect(dirty.reader.problems).toEqual([]);
  });

  it('treats a header with a bad checksum as unknown: no count-based reports, every block read', async () => {
    const path = damaged(SECURITY, 'bad-header-crc.evtx', (b) => {
      b.writeUInt16LE(3, 42); // a count that would make chunks 3.. look "beyond the count" if it were believed
      b.fill(0, chunkAt(25), chunkAt(26));
      return b;
    });
    const { reader, ids } = await readPath(path);
    expect(ids).toEqual(range(1, 2201));
    expect(reader.header?.checksumValid).toBe(false);
    // The zeroed last chunk is not reported: without a count it cannot be told from unused space.
    expect(reader.problems.map((p) => p.code)).toEqual(['file_header_checksum']);
  });
});
