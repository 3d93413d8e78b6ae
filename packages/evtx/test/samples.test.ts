// Reads every sample of the shared EVTX corpus (damaged ones included) and checks record counts, reported problems,
// a few known values, and that path, buffer and stream entry points agree. Never writes to the corpus.

import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../../test/corpus.js';
import { EvtxError, EvtxFileReader } from '../src/index.js';
import type { EvtxErrorCode, EvtxReaderOptions, EvtxRecord, EvtxRecordOk } from '../src/index.js';

const CORPUS = corpusPath('evtx');
const load = (name: string): Buffer => readFileSync(resolve(CORPUS, name));

interface Expectation {
  ok: number;
  failed: number;
  /** Problem codes that must be reported (errors and warnings). */
  problems: EvtxErrorCode[];
}

/**
 * Records recovered per sample with the default checksum policy. Where the evtx crate's own tests count the file
 * (see the corpus README), `ok` equals its count; `failed` counts our `{ ok: false }` items. All-zero blocks after
 * the last chunk and beyond the header's chunk count are unused space, not problems: only zero blocks where a chunk
 * should be give `empty_chunk`.
 */
const EXPECTED: Record<string, Expectation> = {
  '2-system-Microsoft-Windows-LiveId%4Operational.evtx': { ok: 399, failed: 0, problems: [] },
  // crate: 1910 / 4. Two corrupt records (bad BinXML) and two chunks ending in garbage.
  '2-vss_0-Microsoft-Windows-RemoteDesktopServices-RdpCoreTS%4Operational.evtx': {
    ok: 1910,
    failed: 4,
    problems: ['chunk_data_checksum', 'record_trailer', 'binxml', 'record_magic'],
  },
  // crate: 1774 / 2. Stale records after each chunk's last record id are not read.
  '2-vss_0-Microsoft-Windows-TerminalServices-RemoteConnectionManager%4Operational.evtx': {
    ok: 1774,
    failed: 2,
    problems: ['chunk_data_checksum', 'record_trailer', 'binxml', 'record_magic'],
  },
  // crate: 1160 / 0. Past the header's chunk count and past two all-zero blocks (lost chunks: a chunk follows them).
  '2-vss_7-System.evtx': { ok: 1160, failed: 0, problems: ['empty_chunk'] },
  'Application_no_crc32.evtx': { ok: 17, failed: 0, problems: [] },
  'E_ShadowCopy6_windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx': { ok: 459, failed: 0, problems: [] },
  'E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx': { ok: 340, failed: 0, problems: [] },
  // Dirty header counting 5 chunks; the 4 chunks beyond it are read without a warning.
  'E_Windows_system32_winevt_logs_Microsoft-Windows-Shell-Core%4Operational.evtx': { ok: 1146, failed: 0, problems: [] },
  'MSExchange_Management_wec.evtx': { ok: 1, failed: 0, problems: [] },
  // crate: 6 / 0. The chunk claims 20 records; after the 6th only garbage remains (one failure item for it).
  'Microsoft-Windows-HelloForBusiness%4Operational.evtx': {
    ok: 6,
    failed: 1,
    problems: ['chunk_data_checksum', 'record_trailer', 'record_magic'],
  },
  // crate: 17 / 0. Same shape of damage as HelloForBusiness.
  'Microsoft-Windows-LanguagePackSetup%4Operational.evtx': {
    ok: 17,
    failed: 1,
    problems: ['chunk_data_checksum', 'record_trailer', 'record_magic'],
  },
  'Security_short_selected.evtx': { ok: 7, failed: 0, problems: [] },
  'Security_with_size_t.evtx': { ok: 636, failed: 0, problems: [] },
  'issue_201.evtx': { ok: 1, failed: 0, problems: [] },
  'new-user-security.evtx': { ok: 4, failed: 0, problems: [] },
  'post-Security.evtx': { ok: 126, failed: 0, problems: [] },
  'sample-with-irregular-bool-values.evtx': { ok: 3028, failed: 0, problems: [] },
  // crate: 336 results, the only error being the zero record size; the rest of that chunk is lost.
  'sample-with-zero-data-size-event.evtx': { ok: 335, failed: 1, problems: ['record_size', 'chunk_data_checksum'] },
  // crate: 270 records. 2 chunks without signature, 3 chunks ending early, 10 all-zero blocks within the chunk count.
  'sample_with_a_bad_chunk_magic.evtx': {
    ok: 270,
    failed: 5,
    problems: ['chunk_magic', 'chunk_data_checksum', 'record_trailer', 'record_magic', 'empty_chunk'],
  },
  'security.evtx': { ok: 2261, failed: 0, problems: [] },
  // Spec 05 §5: a chunk whose header CRC fails is skipped: its 91 records are lost under the default policy.
  'security_bad_string_cache.evtx': { ok: 2170, failed: 1, problems: ['chunk_header_checksum'] },
  // 9 chunks hold records 1742-2099; 8 blocks of leftover data have no chunk signature.
  'sysmon.evtx': { ok: 358, failed: 8, problems: ['chunk_magic'] },
  'system.evtx': { ok: 1881, failed: 0, problems: [] },
};

function readAll(bytes: Buffer, options?: EvtxReaderOptions): { reader: EvtxFileReader; records: EvtxRecord[] } {
  const reader = EvtxFileReader.fromBuffer(bytes, options);
  return { reader, records: [...reader.recordsSync()] };
}

function okRecords(records: EvtxRecord[]): EvtxRecordOk[] {
  return records.filter((r): r is EvtxRecordOk => r.ok);
}

function event(record: EvtxRecordOk | undefined): Record<string, Record<string, unknown>> {
  return (record?.data as { Event: Record<string, Record<string, unknown>> }).Event;
}

describeCorpus('EVTX sample corpus', () => {
  it('has an expectation for every sample of the corpus', () => {
    const names = readdirSync(CORPUS).filter((name) => name.endsWith('.evtx'));
    expect(Object.keys(EXPECTED).sort()).toEqual(names.sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const { reader, records } = readAll(load(name));
    const failures = records.filter((r) => !r.ok);
    expect({ ok: records.length - failures.length, failed: failures.length }).toEqual({ ok: expected.ok, failed: expected.failed });
    const codes = new Set(reader.problems.map((p) => p.code));
    for (const code of expected.problems) expect(codes).toContain(code);
    for (const code of codes) expect(expected.problems).toContain(code);
    // Every failure item is also a reported error, with a location inside the file.
    for (const failure of failures) {
      if (failure.ok) continue;
      expect(failure.problem.severity).toBe('error');
      expect(reader.problems).toContainEqual(failure.problem);
      expect(failure.problem.chunkIndex).toBeGreaterThanOrEqual(0);
      expect(failure.problem.fileOffset).toBeLessThan(reader.progress().totalBytes);
    }
  });

  it.each([
    // Header: 4 chunks, dirty. Blocks 10 and 11 are zero and chunk 12 follows; blocks 13-16 are unused space.
    ['2-vss_7-System.evtx', [10, 11]],
    // Header: 16 chunks (a wrapped log), so every zero block lies within the count.
    ['sample_with_a_bad_chunk_magic.evtx', [1, 2, 3, 4, 5, 11, 12, 13, 14, 15]],
  ])('reports each all-zero block of %s where a chunk should be, with its index and offset', (name, lost) => {
    const { reader } = readAll(load(name));
    const zero = reader.problems.filter((p) => p.code === 'empty_chunk');
    expect(zero.map((p) => [p.chunkIndex, p.fileOffset, p.severity])).toEqual(lost.map((i) => [i, 4096 + i * 65_536, 'warning']));
  });

  it('reads the chunk with a bad header checksum when checksums are only reported', () => {
    const { reader, records } = readAll(load('security_bad_string_cache.evtx'), { checksums: 'report' });
    expect(records.every((r) => r.ok)).toBe(true);
    expect(records).toHaveLength(2261);
    expect(reader.problems.find((p) => p.code === 'chunk_header_checksum')).toMatchObject({ severity: 'warning', chunkIndex: 0 });
    // Names still resolve from the BinXML itself: the first record equals the undamaged file's.
    const reference = readAll(load('security.evtx')).records[0];
    expect(records[0]).toEqual(reference);
  });

  it('reads records 1..1000 of security.evtx in order', () => {
    const ids = okRecords(readAll(load('security.evtx')).records).map((r) => r.recordId);
    expect(ids.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => BigInt(i + 1)));
  });

  it('keeps record 1 of security.evtx in the evtx_dump shape', () => {
    const first = okRecords(readAll(load('security.evtx')).records)[0]!;
    expect(first.recordId).toBe(1n);
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const e = event(first);
    expect(e['#attributes']).toEqual({ xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' });
    expect(e['System']!['EventRecordID']).toBe(1);
    expect(e['System']!['TimeCreated']).toEqual({ '#attributes': { SystemTime: first.timestamp } });
  });

  it('renders empty and filled Binary elements of system.evtx', () => {
    const [one, two] = okRecords(readAll(load('system.evtx')).records);
    expect(event(one)['EventData']!['Binary']).toBeNull();
    expect(event(two)['EventData']!['Binary']).toBe('E107070003000C00110010001C00D6000000000000000000');
    // EventID with a Qualifiers attribute: attributes plus #text.
    expect(event(two)['System']!['EventID']).toEqual({ '#attributes': { Qualifiers: 32768 }, '#text': 6005 });
  });

  it('renders SizeT values as hex', () => {
    const record = okRecords(readAll(load('Security_with_size_t.evtx')).records).find((r) => r.recordId === 196n);
    expect(event(record)['EventData']).toMatchObject({ HandleId: '0x7eec', ProcessId: '0x858' });
  });

  it('keeps 27 unnamed Data values, empty ones included, as a #text list', () => {
    const [record] = okRecords(readAll(load('issue_201.evtx')).records);
    const data = event(record)['EventData']!['Data'] as { '#text': string[] };
    expect(data['#text']).toHaveLength(27);
    expect(data['#text'][0]).toBe('Set-Mailbox');
    expect(data['#text'][7]).toBe('');
    expect(event(record)['System']!['EventID']).toEqual({ '#attributes': { Qualifiers: '16384' }, '#text': '1' });
  });

  it('expands BinXML nested in substitution values (CAPI2 UserData)', () => {
    const [first] = okRecords(readAll(load('E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx')).records);
    const userData = event(first)['UserData'];
    expect(userData).toBeTypeOf('object');
    expect(Object.keys(userData!).length).toBeGreaterThan(0);
  });

  it('decodes irregular boolean values', () => {
    const records = okRecords(readAll(load('sample-with-irregular-bool-values.evtx')).records);
    const booleans = new Set<unknown>();
    const visit = (value: unknown): void => {
      if (typeof value === 'boolean') booleans.add(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(visit);
    };
    records.forEach((r) => visit(r.data));
    expect(booleans.size).toBeGreaterThan(0);
  });
});

describeCorpus('entry points', () => {
  const SAMPLES = ['sample_with_a_bad_chunk_magic.evtx', 'MSExchange_Management_wec.evtx', 'new-user-security.evtx'];

  it.each(SAMPLES)('open(path), fromBuffer and fromStream agree on %s', async (name) => {
    const bytes = load(name);
    const expected = [...EvtxFileReader.fromBuffer(bytes).recordsSync()];
    const fromPath = await EvtxFileReader.open(resolve(CORPUS, name));
    const viaPath: EvtxRecord[] = [];
    for await (const record of fromPath.records()) viaPath.push(record);
    expect(viaPath).toEqual(expected);
    expect(fromPath.progress()).toEqual({ bytesRead: bytes.length, totalBytes: bytes.length });

    // Odd piece sizes exercise the re-blocking of the stream into chunks.
    const pieces = Array.from({ length: Math.ceil(bytes.length / 9_973) }, (_, i) => bytes.subarray(i * 9_973, (i + 1) * 9_973));
    const fromStream = await EvtxFileReader.fromStream(Readable.from(pieces));
    const viaStream: EvtxRecord[] = [];
    for await (const record of fromStream.records()) viaStream.push(record);
    expect(viaStream).toEqual(expected);
    expect(fromStream.progress()).toEqual({ bytesRead: bytes.length, totalBytes: -1 });
    await expect(async () => {
      for await (const record of fromStream.records()) expect(record).toBeUndefined();
    }).rejects.toMatchObject({ code: 'usage' });
  });

  it('async records() over a buffer equals recordsSync()', async () => {
    const reader = EvtxFileReader.fromBuffer(load('new-user-security.evtx'));
    const records: EvtxRecord[] = [];
    for await (const record of reader.records()) records.push(record);
    expect(records).toEqual([...reader.recordsSync()]);
  });

  it('rejects input that is not EVTX', async () => {
    expect(() => EvtxFileReader.fromBuffer(Buffer.from('hello world'))).toThrow(EvtxError);
    expect(() => EvtxFileReader.fromBuffer(Buffer.from('hello world'))).toThrow(expect.objectContaining({ code: 'not_evtx' }));
    await expect(EvtxFileReader.open(resolve(CORPUS, 'README.md'))).rejects.toMatchObject({ code: 'not_evtx' });
    await expect(EvtxFileReader.open(resolve(CORPUS, 'missing.evtx'))).rejects.toMatchObject({ code: 'io' });
    await expect(EvtxFileReader.fromStream(Readable.from([Buffer.from('ElfFile\0')]))).rejects.toMatchObject({ code: 'truncated' });
  });

  it('recordsSync() needs a buffer-backed reader', async () => {
    const reader = await EvtxFileReader.open(resolve(CORPUS, 'new-user-security.evtx'));
    expect(() => [...reader.recordsSync()]).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it('reads the records before the cut of a truncated file and reports the truncation', () => {
    const bytes = load('security.evtx');
    const cut = 4096 + 65_536 + 30_000;
    const { reader, records } = readAll(bytes.subarray(0, cut));
    const ok = okRecords(records);
    expect(ok.length).toBeGreaterThan(91);
    expect(ok.length).toBeLessThan(182);
    expect(ok.map((r) => r.recordId)).toEqual(Array.from({ length: ok.length }, (_, i) => BigInt(i + 1)));
    expect(reader.problems.map((p) => p.code)).toContain('truncated');
    expect(reader.problems.find((p) => p.code === 'truncated')).toMatchObject({ chunkIndex: 1, fileOffset: 4096 + 65_536 });
  });

  it('ends with an io failure item when the stream fails mid-file', async () => {
    const bytes = load('security.evtx');
    async function* failing(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, 4096 + 65_536 + 100);
      throw new Error('disk on fire');
    }
    const reader = await EvtxFileReader.fromStream(failing());
    const records: EvtxRecord[] = [];
    for await (const record of reader.records()) records.push(record);
    expect(okRecords(records)).toHaveLength(91);
    expect(records.at(-1)).toMatchObject({ ok: false, problem: { code: 'io', chunkIndex: 1, fileOffset: 4096 + 65_536 } });
  });

  it('can stop early and iterate a path-backed reader again', async () => {
    const reader = await EvtxFileReader.open(resolve(CORPUS, 'security.evtx'));
    for await (const record of reader.records()) {
      expect(record.ok).toBe(true);
      break;
    }
    let count = 0;
    for await (const record of reader.records()) if (record.ok) count++;
    expect(count).toBe(2261);
  });

  it('calls onProblem for each problem and counts them', () => {
    const seen: string[] = [];
    const { reader } = readAll(load('sample_with_a_bad_chunk_magic.evtx'), { onProblem: (p) => seen.push(p.code) });
    expect(seen).toEqual(reader.problems.map((p) => p.code));
    expect(reader.problemCount()).toBe(seen.length);
  });

  it('skips checksum work under checksums: "ignore"', () => {
    const { reader, records } = readAll(load('security_bad_string_cache.evtx'), { checksums: 'ignore' });
    expect(records.filter((r) => r.ok)).toHaveLength(2261);
    expect(reader.problems.filter((p) => p.code.includes('checksum'))).toEqual([]);
  });
});
