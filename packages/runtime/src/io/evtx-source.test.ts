import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger, type LogFields } from '@tsigma/eval';
import { fixture } from '../../test/helpers.js';
import { EvtxSource } from './evtx-source.js';

const dir = mkdtempSync(join(tmpdir(), 'tsigma-evtx-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 4096;
const CHUNK = 65_536;
/** The vendored fixture: a 4 KiB header and one chunk holding 4 records. */
const original = readFileSync(fixture('evtx', 'new-user-security.evtx'));

/** Writes `bytes` to the temp dir and reads them through EvtxSource, keeping what was logged. */
async function readAll(name: string, bytes: Buffer): Promise<{ path: string; origins: string[]; warnings: [string, LogFields?][] }> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const warnings: [string, LogFields?][] = [];
  const logger: Logger = { ...silentLogger, warn: (message, fields) => warnings.push([message, fields]) };
  const source = await EvtxSource.open(path, { logger });
  const origins: string[] = [];
  for (let batch = await source.recvMany(100); batch !== null; batch = await source.recvMany(100)) {
    origins.push(...batch.map((event) => event.origin ?? ''));
  }
  await source.close();
  return { path, origins, warnings };
}

describe('EvtxSource', () => {
  it('logs a damaged file header that was recovered, naming the file and the code', async () => {
    const { path, origins, warnings } = await readAll('zeroed-header.evtx', Buffer.from(original).fill(0, 0, HEADER));
    expect(origins).toEqual([1, 2, 3, 4].map((id) => `${path}#${id}`));
    expect(warnings.map(([, fields]) => fields)).toEqual([{ file: path, code: 'file_magic' }]);
  });

  it('logs an all-zero chunk before a later chunk, which yields no failure item', async () => {
    // header, the chunk, a zeroed chunk, the chunk again (its records keep their ids). The header (not dirty) counts
    // one chunk, so the copy beyond it is also reported.
    const chunk = original.subarray(HEADER, HEADER + CHUNK);
    const bytes = Buffer.concat([original.subarray(0, HEADER), chunk, Buffer.alloc(CHUNK), chunk]);
    const { origins, warnings } = await readAll('zeroed-chunk.evtx', bytes);
    expect(origins).toHaveLength(8);
    expect(warnings.map(([, fields]) => fields?.['code'])).toEqual(['empty_chunk', 'chunk_count']);
    expect(warnings[0]![0]).toMatch(/^offset 69632 chunk 1: /);
  });

  it('logs a record that fails to decode once, and reads the others', async () => {
    // The first record starts right after the 512-byte chunk header; its BinXML 24 bytes in.
    const bytes = Buffer.from(original);
    bytes[HEADER + 512 + 24] = 0xff;
    const { path, origins, warnings } = await readAll('bad-record.evtx', bytes);
    expect(origins).toEqual([2, 3, 4].map((id) => `${path}#${id}`));
    expect(warnings.map(([, fields]) => fields?.['code'])).toEqual(['chunk_data_checksum', 'binxml']);
  });
});
