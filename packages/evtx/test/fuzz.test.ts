// Property test: mutated samples (bit flips, truncation, overwritten ranges) never make the reader throw anything but
// EvtxError at open time, never throw while iterating, and always end within a bounded number of items.

import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../../test/corpus.js';
import { EvtxError, EvtxFileReader } from '../src/index.js';
import type { ChecksumPolicy } from '../src/index.js';

const SAMPLE_NAMES = [
  'evtx/new-user-security.evtx',
  'evtx/MSExchange_Management_wec.evtx',
  'evtx/Microsoft-Windows-HelloForBusiness%4Operational.evtx',
  'evtx/Application_no_crc32.evtx',
  'regression/7595ba94-cf3b-4471-aa03-4f6baa9e5fad/7595ba94-cf3b-4471-aa03-4f6baa9e5fad.evtx',
];
/** A multi-chunk file, cut to its first chunks to keep runs fast. */
const CAPI2 = 'evtx/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx';
const FILE_HEADER = 4096;
/** Most bytes of a chunk that matter: header, string/template tables and the first records. */
const HOT_SPAN = 8192;

type Mutation =
  | { kind: 'flip'; offset: number; bit: number }
  | { kind: 'fill'; offset: number; length: number; byte: number }
  | { kind: 'random'; offset: number; bytes: Uint8Array }
  | { kind: 'truncate'; length: number };

const offsetArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: FILE_HEADER, max: FILE_HEADER + HOT_SPAN }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 300_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 200 }) },
);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('flip' as const), offset: offsetArb, bit: fc.integer({ min: 0, max: 7 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      offset: offsetArb,
      length: fc.integer({ min: 1, max: 600 }),
      byte: fc.constantFrom(0x00, 0xff, 0x41, 0x0c, 0x01),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('random' as const),
      offset: offsetArb,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), length: fc.integer({ min: 0, max: 300_000 }) }) },
);

function mutate(original: Buffer, mutations: Mutation[]): Buffer {
  let bytes = Buffer.from(original);
  for (const m of mutations) {
    if (m.kind === 'truncate') bytes = bytes.subarray(0, Math.min(m.length, bytes.length));
    else if (m.offset >= bytes.length) continue;
    else if (m.kind === 'flip') bytes[m.offset]! ^= 1 << m.bit;
    else if (m.kind === 'fill') bytes.fill(m.byte, m.offset, Math.min(bytes.length, m.offset + m.length));
    else bytes.set(m.bytes.subarray(0, bytes.length - m.offset), m.offset);
  }
  return bytes;
}

/** An upper bound on items: one per 28-byte record slot of every chunk, plus one failure per chunk. */
function maxItems(size: number): number {
  const chunks = Math.ceil(Math.max(0, size - FILE_HEADER) / 65_536);
  return chunks * (Math.floor(65_536 / 28) + 1);
}

function readMutated(bytes: Buffer, checksums: ChecksumPolicy = 'report'): number {
  let reader: EvtxFileReader;
  try {
    reader = EvtxFileReader.fromBuffer(bytes, { checksums });
  } catch (error) {
    expect(error).toBeInstanceOf(EvtxError);
    return 0;
  }
  let items = 0;
  for (const record of reader.recordsSync()) {
    items++;
    if (record.ok) JSON.stringify(record.data);
    else expect(record.problem.fileOffset).toBeGreaterThanOrEqual(0);
    if (items > maxItems(bytes.length)) throw new Error(`runaway iteration: ${items} items from ${bytes.length} bytes`);
  }
  return items;
}

describeCorpus('fuzzed input', () => {
  let samples: Buffer[] = [];
  let multiChunk = Buffer.alloc(0);
  beforeAll(() => {
    samples = SAMPLE_NAMES.map((name) => readFileSync(corpusPath(name)));
    multiChunk = readFileSync(corpusPath(CAPI2)).subarray(0, 4096 + 3 * 65_536);
  });

  it('never throws while reading mutated single-chunk samples, and terminates', () => {
    fc.assert(
      fc.property(fc.nat(samples.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 8 }), (index, mutations) => {
        readMutated(mutate(samples[index]!, mutations));
      }),
      { numRuns: 400, seed: 0x5eed },
    );
  });

  it('never throws while reading a mutated multi-chunk file, checksums enforced or not', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 12 }), (mutations) => {
        const bytes = mutate(multiChunk, mutations);
        readMutated(bytes, 'enforce');
        readMutated(bytes, 'report');
      }),
      { numRuns: 60, seed: 0xc0ffee },
    );
  });

  it('never rejects while streaming mutated bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { maxLength: 6 }), fc.integer({ min: 512, max: 70_000 }), async (mutations, piece) => {
        const bytes = mutate(samples[0]!, mutations);
        const pieces = Array.from({ length: Math.ceil(bytes.length / piece) }, (_, i) => bytes.subarray(i * piece, (i + 1) * piece));
        let reader: EvtxFileReader;
        try {
          reader = await EvtxFileReader.fromStream(Readable.from(pieces), { checksums: 'report' });
        } catch (error) {
          expect(error).toBeInstanceOf(EvtxError);
          return;
        }
        let streamed = 0;
        for await (const record of reader.records()) if (record) streamed++;
        expect(streamed).toBe(readMutated(bytes));
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  it('handles random bytes behind a valid file header', () => {
    const header = samples[0]!.subarray(0, FILE_HEADER);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 70_000 }), fc.boolean(), (tail, signed) => {
        const body = Buffer.from(tail);
        if (signed && body.length >= 8) body.write('ElfChnk\0', 0, 'latin1');
        readMutated(Buffer.concat([header, body]));
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
