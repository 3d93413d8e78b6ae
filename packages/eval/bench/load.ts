// Cold rule-load benchmark: the whole SigmaHQ corpus into a fresh engine, each run in its own new
// process so that every run pays JIT warm-up and a small young heap, as `tsigma eval -r` does.
// The rule texts are read before the clock starts (disk reads are measured by the CLI figure, not here);
// the clock covers parsing and compiling (interleaved per file, as the CLI does) and building the
// candidate index (the first evaluate). Parse time is summed per file; compile time is the rest.
// Run: node --import tsx bench/load.ts [runs]   (TSIGMA_CORPUS overrides the corpus root)

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSigmaRuleFiles, parseSigmaYaml, type SigmaCollection } from '@tsigma/parser';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import { Engine, JsonEvent } from '../src/index.js';

exitWithoutCorpus('eval bench (bench/load.ts)');
const CORPUS = corpusPath('sigmahq');
const CHILD_FLAG = '--child';

interface LoadTiming {
  parseMs: number;
  compileMs: number;
  indexMs: number;
  rules: number;
  heapMiB: number;
}

/** One cold load, in this (fresh) process, file by file as `tsigma eval -r` loads (Engine.addCollections). */
async function loadOnce(): Promise<LoadTiming> {
  const dirs = readdirSync(CORPUS)
    .filter((d) => d.startsWith('rules'))
    .map((d) => join(CORPUS, d));
  const files = (await Promise.all(dirs.map(findSigmaRuleFiles))).flatMap((found) => found.files);
  const texts = files.map((f) => [f, readFileSync(f, 'utf8')] as const);
  let parseMs = 0;
  function* parsed(): Generator<SigmaCollection> {
    for (const [file, text] of texts) {
      const t = performance.now();
      const c = parseSigmaYaml(text, { file });
      parseMs += performance.now() - t;
      yield c;
    }
  }
  const t0 = performance.now();
  const engine = new Engine();
  const report = engine.addCollections(parsed());
  const t1 = performance.now();
  engine.evaluate(new JsonEvent({})); // builds the candidate index: part of loading
  const t2 = performance.now();
  return {
    parseMs,
    compileMs: t1 - t0 - parseMs,
    indexMs: t2 - t1,
    rules: report.rulesLoaded,
    heapMiB: process.memoryUsage().heapUsed / 1048576,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

if (process.argv.includes(CHILD_FLAG)) {
  console.log(JSON.stringify(await loadOnce()));
} else {
  const runs = Number(process.argv[2] ?? 7);
  console.log(`node ${process.version}, corpus ${CORPUS}: cold load in ${runs} fresh processes`);
  const timings: LoadTiming[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, CHILD_FLAG], {
      encoding: 'utf8',
      env: process.env,
    });
    if (child.status !== 0) throw new Error(`load run failed: ${child.stderr}`);
    const t = JSON.parse(child.stdout) as LoadTiming;
    timings.push(t);
    const total = t.parseMs + t.compileMs + t.indexMs;
    console.log(
      `  run ${i + 1}: parse ${t.parseMs.toFixed(0)} ms + compile ${t.compileMs.toFixed(0)} ms + index ${t.indexMs.toFixed(0)} ms = ${total.toFixed(0)} ms (${t.rules} rules, heap ${t.heapMiB.toFixed(0)} MiB)`,
    );
  }
  const totals = timings.map((t) => t.parseMs + t.compileMs + t.indexMs);
  const part = (f: (t: LoadTiming) => number) => median(timings.map(f)).toFixed(0);
  console.log(
    `cold rule load of the whole corpus: median ${(median(totals) / 1000).toFixed(3)} s (best ${(Math.min(...totals) / 1000).toFixed(3)} s; ` +
      `median parse ${part((t) => t.parseMs)} ms, compile ${part((t) => t.compileMs)} ms, index ${part((t) => t.indexMs)} ms)`,
  );
}
