// Corpus benchmark for `pnpm bench`: `tsigma lint` over every SigmaHQ rule folder end to end (a fresh process each
// run: start-up, reading, linting, rendering), plus warm in-process rounds of lintPaths. Prints files/s and peak RSS.
// Run with `node --expose-gc --import tsx bench/run.ts` after a build (the CLI runs from apps/cli/dist).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import { lintPaths } from '../src/index.js';

exitWithoutCorpus('lint bench');
const FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder'].map((f) => join(corpusPath('sigmahq'), f));
const CLI = resolve(import.meta.dirname, '../../../apps/cli/dist/main.js');
/** Fresh-process runs of the CLI; the best and the median are reported. */
const CLI_RUNS = 5;
/** Untimed in-process rounds that let the JIT settle, then timed ones. */
const WARMUP_ROUNDS = 2;
const ROUNDS = 5;
/** The end-to-end target of issue 19. */
const TARGET_MS = 1500;

if (!existsSync(CLI)) {
  process.stderr.write(`lint bench: ${CLI} is missing; run pnpm build first\n`);
  process.exit(2);
}

// The child reports its own peak RSS and CPU time on exit, so the figures are the CLI's, not this script's. CPU time
// (user + system) moves less than wall time when other jobs share the host's cores.
const REPORT_USAGE =
  'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("maxrss="+u.maxRSS+" cpu="+(u.userCPUTime+u.systemCPUTime)+"\\n")})';
const wall: number[] = [];
const cpu: number[] = [];
let peakKiB = 0;
let files = 0;
for (let i = 0; i < CLI_RUNS; i++) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', REPORT_USAGE, CLI, 'lint', ...FOLDERS, '--output-format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  wall.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (r.status !== 0) throw new Error(`tsigma lint exited ${r.status}: ${r.stderr}`);
  files = (JSON.parse(r.stdout) as { summary: { files_checked: number } }).summary.files_checked;
  peakKiB = Math.max(peakKiB, Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 0));
  cpu.push(Number(/cpu=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1000);
}
const sorted = [...wall].sort((a, b) => a - b);
const best = sorted[0] as number;
const median = sorted[Math.floor(sorted.length / 2)] as number;
console.log(`node ${process.version}, ${files} files`);
console.log(
  `tsigma lint end to end, ${CLI_RUNS} fresh processes: best ${best.toFixed(0)} ms, median ${median.toFixed(0)} ms ` +
    `(${((files / median) * 1000).toFixed(0)} files/s at the median), peak RSS ${(peakKiB / 1024).toFixed(0)} MiB; ` +
    `target < ${TARGET_MS} ms: ${median < TARGET_MS ? 'met' : 'MISSED'}`,
);
const cpuSorted = [...cpu].sort((a, b) => a - b);
console.log(
  `  CPU time (user + system) per run: best ${(cpuSorted[0] as number).toFixed(0)} ms, median ${(cpuSorted[Math.floor(cpuSorted.length / 2)] as number).toFixed(0)} ms`,
);

const rounds: number[] = [];
let peakRss = process.memoryUsage().rss;
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.hrtime.bigint();
  lintPaths(FOLDERS);
  if (round >= WARMUP_ROUNDS) rounds.push(Number(process.hrtime.bigint() - start) / 1e6);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const warm = [...rounds].sort((a, b) => a - b)[0] as number;
console.log(
  `lintPaths in process, ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up: best ${warm.toFixed(0)} ms ` +
    `(${((files / warm) * 1000).toFixed(0)} files/s), peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
);
