// Parallel evaluation (issue 17): the same 100,000 generated Sysmon events through runPipeline on one thread and
// with 1 and 2 detection workers, for `rules/windows` + the sysmon pipeline and for the whole SigmaHQ corpus.
// Each configuration runs in a fresh process, so its peak RSS is its own. Results are serialized to NDJSON text
// (as a sink would) and counted. It measures, never asserts.
// Run: node --import tsx bench/parallel.ts [events]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePipeline, type EvaluationResult } from '@tsigma/eval';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import { generateEventLines } from '../../eval/bench/data.js';
import { ArraySource } from '../test/helpers.js';
import type { Sink } from '../src/io/io-types.js';
import { serializeResults } from '../src/io/ndjson.js';
import { openEventInputs, type EventInput } from '../src/io/event-inputs.js';
import { LogProcessor } from '../src/log-processor.js';
import { ParallelLogProcessor } from '../src/parallel/parallel-processor.js';
import { runPipeline } from '../src/run-pipeline.js';
import { RuntimeEngine } from '../src/runtime-engine.js';

interface RuleSet {
  name: string;
  paths: string[];
  pipelineRefs: string[];
  /** The generated Sysmon lines, or the corpus EVTX samples (each read this many times). */
  input: { kind: 'lines' } | { kind: 'evtx'; passes: number };
}

interface Measured {
  eventsPerSecond: number;
  results: number;
  resultBytes: number;
  peakRssMiB: number;
  coordinatorHeapMiB: number;
  workerHeapMiB: number[];
  startSeconds: number;
}

const mib = (bytes: number): number => bytes / 1_048_576;

function ruleSets(): RuleSet[] {
  const root = corpusPath('sigmahq');
  const all = readdirSync(root)
    .filter((d) => d.startsWith('rules'))
    .map((d) => join(root, d));
  return [
    { name: 'rules/windows + sysmon', paths: [join(root, 'rules/windows')], pipelineRefs: ['sysmon'], input: { kind: 'lines' } },
    { name: 'whole corpus', paths: all, pipelineRefs: [], input: { kind: 'lines' } },
    {
      name: 'EVTX samples x4, windows',
      paths: [join(root, 'rules/windows')],
      pipelineRefs: ['windows'],
      input: { kind: 'evtx', passes: 4 },
    },
  ];
}

/** Child mode: one rule set, one worker count (0 = no pool, everything on this thread). */
async function measure(set: RuleSet, workers: number, eventsFile: string): Promise<Measured> {
  const lines =
    set.input.kind === 'lines'
      ? readFileSync(eventsFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  const pipelines = await Promise.all(set.pipelineRefs.map((ref) => resolvePipeline(ref)));
  const engineOptions = { rulesPath: set.paths, skipInvalidRules: true };
  const t0 = performance.now();
  const engine = new RuntimeEngine({ ...engineOptions, pipelines });
  await engine.loadRules();
  let events = 0;
  const processor = new LogProcessor(engine, { onEventsProcessed: (n) => void (events += n) });
  const parallel =
    workers === 0
      ? undefined
      : await ParallelLogProcessor.start({ processor, spec: { engine: engineOptions, pipelineRefs: set.pipelineRefs }, workers });
  const startSeconds = (performance.now() - t0) / 1000;
  let results = 0;
  let bytes = 0; // reported so the serialization cannot be optimised away
  const sink: Sink = {
    label: 'count',
    send: (rs: readonly EvaluationResult[]) => {
      results += rs.length;
      bytes += serializeResults(rs).length;
      return Promise.resolve();
    },
    sendRaw: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const t1 = performance.now();
  const source =
    set.input.kind === 'lines'
      ? new ArraySource(lines)
      : openEventInputs(evtxSamples(set.input.passes), { evtxChunks: parallel !== undefined });
  await runPipeline({
    source,
    processor,
    ...(parallel === undefined ? {} : { parallel }),
    sinks: [sink],
    format: { kind: 'json' },
  });
  const seconds = (performance.now() - t1) / 1000;
  const workerHeapMiB = parallel?.workerHeapBytes().map(mib) ?? [];
  await parallel?.close();
  return {
    eventsPerSecond: events / seconds,
    results,
    resultBytes: bytes,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    coordinatorHeapMiB: mib(process.memoryUsage().heapUsed),
    workerHeapMiB,
    startSeconds,
  };
}

/** Every `.evtx` sample of the corpus, `passes` times over. */
function evtxSamples(passes: number): EventInput[] {
  const dir = corpusPath('evtx');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.evtx'))
    .sort();
  return Array.from({ length: passes }, () => files.map((f): EventInput => ({ kind: 'file', path: join(dir, f) }))).flat();
}

if (process.argv[2] === '--one') {
  const set = JSON.parse(process.argv[3] as string) as RuleSet;
  process.stdout.write(JSON.stringify(await measure(set, Number(process.argv[4]), process.argv[5] as string)) + '\n');
} else {
  exitWithoutCorpus('runtime parallel bench');
  const events = Number(process.argv[2] ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'tsigma-parallel-bench-'));
  try {
    const eventsFile = join(dir, 'events.ndjson');
    writeFileSync(eventsFile, generateEventLines(events).join('\n') + '\n');
    console.log(`parallel evaluation: ${events.toLocaleString('en-US')} generated Sysmon events, node ${process.version}`);
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    for (const set of ruleSets()) {
      const runs = new Map<number, Measured>();
      for (const workers of [0, 1, 2]) {
        const child = spawnSync(
          process.execPath,
          ['--import', 'tsx', import.meta.filename, '--one', JSON.stringify(set), String(workers), eventsFile],
          {
            encoding: 'utf8',
            maxBuffer: 1 << 24,
          },
        );
        if (child.status !== 0) throw new Error(`bench child failed: ${child.stderr}`);
        const m = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as Measured;
        runs.set(workers, m);
        const label = workers === 0 ? 'one thread      ' : `${workers} worker${workers > 1 ? 's' : ' '}       `;
        const heaps =
          m.workerHeapMiB.length > 0 ? `, worker heap after load ${m.workerHeapMiB.map((h) => h.toFixed(0)).join(' / ')} MiB` : '';
        console.log(
          `  ${set.name.padEnd(26)} ${label} ${fmt(m.eventsPerSecond).padStart(8)} events/s  (${fmt(m.results)} results, start ${m.startSeconds.toFixed(2)} s, peak RSS ${m.peakRssMiB.toFixed(0)} MiB${heaps})`,
        );
      }
      const one = runs.get(0) as Measured;
      const two = runs.get(2) as Measured;
      console.log(
        `  ${set.name.padEnd(26)} 2 workers / one thread: ${(two.eventsPerSecond / one.eventsPerSecond).toFixed(2)}x throughput, ${(two.peakRssMiB / one.peakRssMiB).toFixed(2)}x peak RSS`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
