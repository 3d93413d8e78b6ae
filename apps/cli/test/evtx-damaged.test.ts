// Damaged EVTX files through `tsigma evtx dump` and `tsigma eval -i`: every problem the reader reports is printed on
// stderr as `warning[<code>]: <file>: offset ...` and counted in the summary; records around the damage are kept.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EvtxFileReader } from '@tsigma/evtx';
import { corpusPath, describeCorpus, hasCorpus } from '../../../test/corpus.js';
import { tsigmaInProcess } from './in-process.js';

const BIN = resolve(import.meta.dirname, '../dist/main.js');
const FIX = resolve(import.meta.dirname, 'fixtures');
const HEADER = 4096;
const CHUNK = 65_536;

const dir = mkdtempSync(join(tmpdir(), 'tsigma-cli-evtx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The vendored fixture (one chunk, 4 records, one of them EventID 4720), changed by `damage`, in the temp dir. */
function damagedFixture(name: string, damage: (bytes: Buffer) => Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, damage(Buffer.from(readFileSync(join(FIX, 'evtx/new-user-security.evtx')))));
  return path;
}

/** Header, the chunk, an all-zero chunk, the chunk again: 8 records, a lost chunk, a chunk beyond the count. */
const withZeroedChunk = (bytes: Buffer): Buffer => {
  const chunk = bytes.subarray(HEADER, HEADER + CHUNK);
  return Buffer.concat([bytes.subarray(0, HEADER), chunk, Buffer.alloc(CHUNK), chunk]);
};

const warningLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('warning'));

describe('tsigma evtx dump on damaged files', () => {
  it('recovers a file whose header is zeroed, saying so on stderr (a real process: no stack trace)', () => {
    const path = damagedFixture('zeroed-header.evtx', (b) => b.fill(0, 0, HEADER));
    const r = spawnSync(process.execPath, [BIN, 'evtx', 'dump', path], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
    expect(warningLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^warning\\[file_magic\\]: ${path}: offset 0: `))]);
    expect(r.stderr).toContain('Dumped 4 records from 1 file(s), 1 warnings.');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an all-zero chunk with its index and offset, and counts every warning', async () => {
    const path = damagedFixture('zeroed-chunk.evtx', withZeroedChunk);
    const r = await tsigmaInProcess(['evtx', 'dump', path, '--output-format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(8);
    expect(warningLines(r.stderr)).toEqual([
      `warning[empty_chunk]: ${path}: offset 69632 chunk 1: all-zero block where a chunk should be (followed by more data); skipped`,
      expect.stringMatching(new RegExp(`^warning\\[chunk_count\\]: ${path}: offset 135168 chunk 2: `)),
    ]);
    expect(r.stderr).toContain('Dumped 8 records from 1 file(s), 2 warnings.');
  });

  it('prints no warning and no summary under --quiet', async () => {
    const path = damagedFixture('zeroed-chunk-quiet.evtx', withZeroedChunk);
    const r = await tsigmaInProcess(['evtx', 'dump', path, '--quiet', '--output-format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('tsigma eval -i on damaged files', () => {
  it('prints each reader warning naming the file and counts them in the summary', async () => {
    const path = damagedFixture('eval-zeroed-chunk.evtx', withZeroedChunk);
    const r = await tsigmaInProcess(['eval', '-r', join(FIX, 'evtx-rule.yml'), '-i', path, '--output-format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(warningLines(r.stderr).map((line) => line.slice(0, line.indexOf(': offset')))).toEqual([
      `warning[empty_chunk]: ${path}`,
      `warning[chunk_count]: ${path}`,
    ]);
    expect(r.stderr).toMatch(/Processed 8 EVTX records, 2 detection matches, 0 correlation matches, 0 parse errors, 2 input warnings\./);
  });

  it('reads a file with a zeroed header', async () => {
    const path = damagedFixture('eval-zeroed-header.evtx', (b) => b.fill(0, 0, HEADER));
    const r = await tsigmaInProcess(['eval', '-r', join(FIX, 'evtx-rule.yml'), '-i', path, '--output-format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(warningLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^warning\\[file_magic\\]: ${path}: offset 0: `))]);
    expect(r.stderr).toContain('Processed 4 EVTX records, 1 detection matches, 0 correlation matches, 0 parse errors, 1 input warnings.');
  });
});

describeCorpus('every EVTX sample of the corpus through the CLI', () => {
  const samples = hasCorpus ? readdirSync(corpusPath('evtx')).filter((name) => name.endsWith('.evtx')) : [];

  it.each(samples)('evtx dump %s: the records the reader keeps, one warning line per problem, exit 0', async (name) => {
    const path = corpusPath('evtx', name);
    const reader = EvtxFileReader.fromBuffer(readFileSync(path));
    const kept = [...reader.recordsSync()].filter((record) => record.ok).length;
    const r = await tsigmaInProcess(['evtx', 'dump', path, '--output-format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((line) => line !== '')).toHaveLength(kept);
    const lines = warningLines(r.stderr);
    expect(lines).toHaveLength(reader.problemCount());
    for (const line of lines) expect(line).toMatch(/^warning\[[a-z_]+\]: .+\.evtx: offset \d+( chunk \d+)?( record \d+)?: \S/);
    expect(r.stderr).toContain(`Dumped ${kept} records from 1 file(s), ${reader.problemCount()} warnings.`);
  });
});
