// Throughput benchmark: parses every sample of the shared EVTX corpus several rounds and prints records/s, MiB/s
// and peak RSS. Run with `pnpm bench` (node --expose-gc --import tsx bench/run.ts [rounds] [--file]); not a test.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import { EvtxFileReader } from '../src/index.js';

exitWithoutCorpus('evtx bench');
const CORPUS = corpusPath('evtx');
/** Rounds over the corpus; the first one is a warm-up and is not timed. */
const DEFAULT_ROUNDS = 5;

interface Totals {
  records: number;
  failures: number;
  bytes: number;
}

async function parseRound(files: string[], viaFile: boolean, buffers: Buffer[]): Promise<Totals> {
  const totals: Totals = { records: 0, failures: 0, bytes: 0 };
  for (let i = 0; i < files.length; i++) {
    if (viaFile) {
      const reader = await EvtxFileReader.open(files[i]!);
      for await (const record of reader.records()) {
        if (record.ok) totals.records++;
        else totals.failures++;
      }
      totals.bytes += reader.progress().totalBytes;
    } else {
      const bytes = buffers[i]!;
      for (const record of EvtxFileReader.fromBuffer(bytes).recordsSync()) {
        if (record.ok) totals.records++;
        else totals.failures++;
      }
      totals.bytes += bytes.length;
    }
  }
  return totals;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const viaFile = args.includes('--file');
  const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? DEFAULT_ROUNDS);
  const files = readdirSync(CORPUS)
    .filter((name) => name.endsWith('.evtx'))
    .map((name) => resolve(CORPUS, name));
  const buffers = viaFile ? [] : files.map((file) => readFileSync(file));
  const corpusBytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  const mode = viaFile ? 'async from file' : 'sync from buffer';
  console.log(`${files.length} files, ${(corpusBytes / 1048576).toFixed(1)} MiB, ${rounds} rounds, ${mode}`);

  await parseRound(files, viaFile, buffers); // warm-up
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  let peakRss = process.memoryUsage().rss;
  const sum: Totals = { records: 0, failures: 0, bytes: 0 };
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    const totals = await parseRound(files, viaFile, buffers);
    sum.records += totals.records;
    sum.failures += totals.failures;
    sum.bytes += totals.bytes;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  // CPU time (user + system, all threads, GC included) is steadier than wall time on a shared machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`records per round: ${sum.records / rounds} ok, ${sum.failures / rounds} failed`);
  console.log(`time: ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU`);
  const rate = (per: number): string =>
    `${Math.round(sum.records / per).toLocaleString('en-US')} records/s, ${(sum.bytes / 1048576 / per).toFixed(1)} MiB/s`;
  console.log(`throughput (wall): ${rate(seconds)}`);
  console.log(`throughput (CPU):  ${rate(cpuSeconds)}`);
  console.log(`peak RSS: ${(peakRss / 1048576).toFixed(1)} MiB (corpus held in memory: ${viaFile ? 'no' : 'yes'})`);
}

await main();
