// chunkJobs() + decodeChunk() (how parallel evaluation decodes EVTX in worker threads) must give exactly what
// records() gives: the same records in the same order, and the same problems, on clean and damaged files alike.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus, hasCorpus } from '../../../test/corpus.js';
import { decodeChunk, EvtxFileReader, type EvtxProblem, type EvtxRecord } from '../src/index.js';

async function viaRecords(path: string): Promise<{ records: EvtxRecord[]; problems: EvtxProblem[] }> {
  const problems: EvtxProblem[] = [];
  const reader = await EvtxFileReader.open(path, { onProblem: (p) => problems.push(p) });
  const records: EvtxRecord[] = [];
  for await (const r of reader.records()) records.push(r);
  return { records, problems };
}

async function viaJobs(path: string): Promise<{ records: EvtxRecord[]; problems: EvtxProblem[] }> {
  const problems: EvtxProblem[] = [];
  const reader = await EvtxFileReader.open(path, { onProblem: (p) => problems.push(p) });
  const records: EvtxRecord[] = [];
  for await (const job of reader.chunkJobs()) {
    // A structured clone, as postMessage makes: the job must survive crossing a thread.
    const decoded = decodeChunk(structuredClone(job));
    records.push(...decoded.records);
    problems.push(...decoded.problems);
  }
  return { records, problems };
}

const text = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const sortedProblems = (ps: EvtxProblem[]): string[] => ps.map(text).sort();

async function expectSame(path: string): Promise<number> {
  const [a, b] = await Promise.all([viaRecords(path), viaJobs(path)]);
  expect(text(b.records)).toBe(text(a.records));
  expect(sortedProblems(b.problems)).toEqual(sortedProblems(a.problems));
  return a.records.length;
}

describe('chunkJobs + decodeChunk', () => {
  it('equals records() on the vendored fixture', async () => {
    expect(await expectSame(join(import.meta.dirname, 'fixtures/new-user-security.evtx'))).toBeGreaterThan(0);
  });
});

describeCorpus('chunkJobs + decodeChunk on every EVTX sample', () => {
  const samples = hasCorpus ? readdirSync(corpusPath('evtx')).filter((f) => f.endsWith('.evtx')) : [];
  it.each(samples)('%s', async (sample) => {
    await expectSame(corpusPath('evtx', sample));
  });
});
