// Entry point of `pnpm bench` for @tsigma/alert-pipeline: results per second through dedup + group with 100,000
// active fingerprints, the heap those fingerprints take, and the cost of one tick over them. Synthetic data only.
// Started with `node --expose-gc --import tsx bench/run.ts` so heap figures start from a collected heap.

import { AlertPipelineState, parseAlertPipelineConfig } from '../src/index.js';
import { benchResult, IPS } from './data.js';

const FINGERPRINTS = Number(process.env['TSIGMA_BENCH_FINGERPRINTS'] ?? 100_000);
const REPEATS = Number(process.env['TSIGMA_BENCH_RESULTS'] ?? 2_000_000);
/** Results handed to `process` per call, as the daemon does per input line (most lines yield one or a few). */
const BATCH = Number(process.env['TSIGMA_BENCH_BATCH'] ?? 1);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const pipeline = parseAlertPipelineConfig(
  [
    'dedup:',
    '  fingerprint: [rule, match.SourceIp, match.User]',
    '  repeat_interval: 5m',
    '  resolve_timeout: 1h',
    `  max_active_alerts: ${FINGERPRINTS * 2}`,
    'group:',
    '  by: [match.SourceIp]',
    '  group_wait: 30s',
    '  resolve_timeout: 1h',
  ].join('\n'),
  'bench',
);
const state = new AlertPipelineState();
pipeline.install(state);

/** CPU seconds (user + system) since `from`: steadier than wall time on a shared host. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

// 1. Heap: every result opens a dedup alert and joins (or opens) an incident. Results are built inside the loop and
//    not kept elsewhere, so the heap growth is what the state retains (each alert keeps its first result as sample).
const heapBefore = heapUsed();
let now = 1_000_000;
for (let i = 0; i < FINGERPRINTS; i += BATCH) {
  const batch = [];
  for (let k = i; k < Math.min(i + BATCH, FINGERPRINTS); k++) batch.push(benchResult(k));
  pipeline.process(batch, state, now);
  if (i % 1000 === 0) now++;
}
const heapAfter = heapUsed();
if (state.dedup.size !== FINGERPRINTS) throw new Error(`expected ${FINGERPRINTS} active alerts, got ${state.dedup.size}`);

// 1b. Speed of first firings, on results built beforehand (the engine's cost, not this layer's), into a fresh state.
const firsts = Array.from({ length: FINGERPRINTS }, (_, i) => benchResult(i));
const fresh = new AlertPipelineState();
pipeline.install(fresh);
let t = performance.now();
let cpu = process.cpuUsage();
for (let i = 0; i < FINGERPRINTS; i += BATCH) pipeline.process(firsts.slice(i, i + BATCH), fresh, now);
const openSeconds = (performance.now() - t) / 1000;
const openCpu = cpuSeconds(cpu);

// 2. Steady state: repeats of the active fingerprints, folded by dedup (the common case of a noisy detection).
const pool = Array.from({ length: FINGERPRINTS }, (_, i) => benchResult((i * 7919) % FINGERPRINTS));
t = performance.now();
cpu = process.cpuUsage();
for (let n = 0; n < REPEATS; n += BATCH) {
  const at = n % FINGERPRINTS;
  pipeline.process(pool.slice(at, at + BATCH), state, now);
  if (n % 10_000 === 0) now++;
}
const foldSeconds = (performance.now() - t) / 1000;
const foldCpu = cpuSeconds(cpu);

// 3. One tick over everything: every incident's group_wait is due, every alert has something to repeat later.
t = performance.now();
const out = pipeline.tick(state, now + 30);
const tickMs = performance.now() - t;

const rate = (n: number, s: number): string => Math.round(n / s).toLocaleString('en-US');
console.log(`node ${process.version}, ${process.platform}/${process.arch}, one thread`);
console.log(`active fingerprints: ${FINGERPRINTS.toLocaleString('en-US')} in ${IPS.toLocaleString('en-US')} incidents`);
console.log(`results per process() call: ${BATCH}`);
console.log(
  `first firings (dedup open + group assign): ${rate(FINGERPRINTS, openSeconds)} results/s wall, ${rate(FINGERPRINTS, openCpu)} per CPU second`,
);
console.log(
  `repeats (dedup fold) against ${FINGERPRINTS.toLocaleString('en-US')} active: ${rate(REPEATS, foldSeconds)} results/s wall, ${rate(REPEATS, foldCpu)} per CPU second`,
);
console.log(`heap per fingerprint (dedup alert + its share of the incident): ${Math.round((heapAfter - heapBefore) / FINGERPRINTS)} bytes`);
console.log(`one tick over the store: ${tickMs.toFixed(1)} ms, ${out.incidents.length} incidents emitted`);
// maxRSS is reported in KiB on Linux and macOS.
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
