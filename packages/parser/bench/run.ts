// Corpus benchmark for `pnpm bench`: parse every SigmaHQ rule file from memory, several rounds,
// plus the average time of one large rule. Run with `node --expose-gc --import tsx bench/run.ts`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import { parseSigmaYaml } from '../src/index.js';

exitWithoutCorpus('parser bench');
const CORPUS = corpusPath('sigmahq');
const FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder'];
/** Untimed full-corpus rounds that let the JIT settle before measuring. */
const WARMUP_ROUNDS = 2;
/** Timed full-corpus rounds. */
const ROUNDS = 10;
/** Iterations of the single-rule measurement. */
const SINGLE_ITERATIONS = 2_000;

function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...ruleFiles(path));
    else if (entry.name.endsWith('.yml')) out.push(path);
  }
  return out;
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const files = FOLDERS.flatMap((f) => ruleFiles(join(CORPUS, f))).sort();
const texts = files.map((f) => readFileSync(f, 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
let peakRss = process.memoryUsage().rss;

const times: number[] = [];
let rules = 0;
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  collect();
  const start = process.hrtime.bigint();
  let count = 0;
  for (let i = 0; i < texts.length; i++) {
    const c = parseSigmaYaml(texts[i] as string, { file: files[i] as string });
    count += c.rules.length + c.correlations.length + c.filters.length;
  }
  if (round >= WARMUP_ROUNDS) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  rules = count;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const sorted = [...times].sort((a, b) => a - b);
const best = sorted[0] as number;
const median = sorted[Math.floor(sorted.length / 2)] as number;

// The single-rule case: the rule with the most named detections (the longest text on ties).
let bigIndex = 0;
let bigScore = -1;
for (let i = 0; i < texts.length; i++) {
  const text = texts[i] as string;
  const score = (parseSigmaYaml(text).rules[0]?.detection.named.size ?? 0) * 1e7 + text.length;
  if (score > bigScore) {
    bigScore = score;
    bigIndex = i;
  }
}
const bigText = texts[bigIndex] as string;
const bigRule = parseSigmaYaml(bigText).rules[0];
collect();
const singleStart = process.hrtime.bigint();
for (let i = 0; i < SINGLE_ITERATIONS; i++) parseSigmaYaml(bigText);
const singleMs = Number(process.hrtime.bigint() - singleStart) / 1e6 / SINGLE_ITERATIONS;
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const mib = bytes / 1024 / 1024;
console.log(`node ${process.version}, ${files.length} files, ${rules} rules, ${mib.toFixed(1)} MiB`);
console.log(`corpus, ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds: best ${best.toFixed(0)} ms, median ${median.toFixed(0)} ms`);
console.log(
  `  ${((files.length / best) * 1000).toFixed(0)} files/s, ${((rules / best) * 1000).toFixed(0)} rules/s, ${((mib / best) * 1000).toFixed(1)} MiB/s (best round)`,
);
console.log(`peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
console.log(
  `one complex rule (${files[bigIndex]?.slice(CORPUS.length + 1)}, ${(bigText.length / 1024).toFixed(1)} KiB, ` +
    `${bigRule?.detection.named.size ?? 0} detections): ${(singleMs * 1000).toFixed(0)} µs per parse over ${SINGLE_ITERATIONS} iterations`,
);
