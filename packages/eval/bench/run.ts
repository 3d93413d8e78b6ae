// Real-corpus benchmark of the detection engine: SigmaHQ load errors, then end-to-end event throughput
// (JSON text -> parse -> JsonEvent -> evaluate -> stringify) against the JSON.parse ceiling. The load times
// printed here are from a process that has already generated the events (a grown heap); the cold figure
// is bench/load.ts.
// Run: node --expose-gc --import tsx bench/run.ts [events]   (TSIGMA_CORPUS overrides the corpus root)

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSigmaRuleFiles, parseSigmaYaml, type SigmaCollection } from '@tsigma/parser';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import { Engine, JsonEvent, builtinPipeline, type LoadReport } from '../src/index.js';
import { generateEventLines } from './data.js';

exitWithoutCorpus('eval bench (bench/run.ts)');
const CORPUS = corpusPath('sigmahq');
const EVENTS = Number(process.argv[2] ?? 100_000);

/** The rule files below `dirs`, listed as the CLI lists them. */
async function ruleFiles(dirs: string[]): Promise<string[]> {
  return (await Promise.all(dirs.map(findSigmaRuleFiles))).flatMap((found) => found.files);
}

function merge(parts: SigmaCollection[]): SigmaCollection {
  return {
    rules: parts.flatMap((c) => c.rules),
    correlations: parts.flatMap((c) => c.correlations),
    filters: parts.flatMap((c) => c.filters),
    errors: parts.flatMap((c) => c.errors),
  };
}

interface Loaded {
  engine: Engine;
  report: LoadReport;
  parseSecs: number;
  compileSecs: number;
  files: number;
}

function load(files: string[], pipeline: string | null): Loaded {
  const texts = files.map((f) => [f, readFileSync(f, 'utf8')] as const);
  const t0 = performance.now();
  const collection = merge(texts.map(([file, text]) => parseSigmaYaml(text, { file })));
  const t1 = performance.now();
  const engine = new Engine();
  if (pipeline !== null) {
    const p = builtinPipeline(pipeline);
    if (p !== undefined) engine.addPipeline(p);
  }
  const report = engine.addCollection(collection);
  engine.evaluate(new JsonEvent({})); // builds the candidate index, part of loading
  const t2 = performance.now();
  return { engine, report, parseSecs: (t1 - t0) / 1000, compileSecs: (t2 - t1) / 1000, files: files.length };
}

function describeLoad(name: string, l: Loaded): void {
  const errors = l.report.errors.filter((e) => e.severity === 'error');
  const byCode = new Map<string, number>();
  for (const e of errors) byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
  console.log(
    `${name}: ${l.files} files, ${l.report.rulesLoaded} rules loaded, ${errors.length} errors ${JSON.stringify(Object.fromEntries(byCode))}; ` +
      `parse ${l.parseSecs.toFixed(3)} s + compile ${l.compileSecs.toFixed(3)} s = ${(l.parseSecs + l.compileSecs).toFixed(3)} s`,
  );
  for (const e of errors.filter((x) => x.code !== 'unresolved_placeholder').slice(0, 5)) console.log(`  ${e.code}: ${e.message}`);
}

function throughput(name: string, engine: Engine, lines: string[]): number {
  globalThis.gc?.();
  let detections = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (const line of lines) {
    const results = engine.evaluate(new JsonEvent(JSON.parse(line)));
    if (results.length > 0) {
      detections += results.length;
      bytes += JSON.stringify(results).length;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const rate = lines.length / secs;
  console.log(
    `${name}: ${lines.length} events in ${secs.toFixed(2)} s = ${Math.round(rate)} events/s, ${detections} detections (${bytes} bytes of results)`,
  );
  return rate;
}

function walk(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 1;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n += walk(x);
  else for (const k in v) n += walk((v as Record<string, unknown>)[k]);
  return n;
}

function ceiling(lines: string[]): number {
  globalThis.gc?.();
  let leaves = 0;
  const t0 = performance.now();
  for (const line of lines) leaves += walk(JSON.parse(line));
  const secs = (performance.now() - t0) / 1000;
  const rate = lines.length / secs;
  console.log(`ceiling (JSON.parse + walk of ${leaves} leaves): ${Math.round(rate)} events/s`);
  return rate;
}

console.log(`node ${process.version}, corpus ${CORPUS}, ${EVENTS} events`);
const lines = generateEventLines(EVENTS);
// The whole corpus loads first, so its load time includes JIT warm-up (but not a cold heap: see bench/load.ts).
const ruleDirs = readdirSync(CORPUS)
  .filter((d) => d.startsWith('rules'))
  .map((d) => join(CORPUS, d));
const allFiles = await ruleFiles(ruleDirs);
const all = load(allFiles, null);
describeLoad(`whole corpus, first load in this process (${ruleDirs.map((d) => d.slice(CORPUS.length + 1)).join(', ')})`, all);
const windows = load(await ruleFiles([join(CORPUS, 'rules/windows')]), 'sysmon');
describeLoad(`rules/windows + ${builtinPipeline('sysmon') === undefined ? 'no pipeline' : 'sysmon pipeline'}`, windows);

const ceil = ceiling(lines);
const winRate = throughput('rules/windows', windows.engine, lines);
const allRate = throughput('whole corpus', all.engine, lines);
const regexOnly = new Engine();
regexOnly.addCollection(
  merge(
    allFiles
      .map((f) => [f, readFileSync(f, 'utf8')] as const)
      .filter(([, t]) => /\|re\b/.test(t))
      .map(([file, text]) => parseSigmaYaml(text, { file })),
  ),
);
throughput(`regex rules only (${regexOnly.rules().length}, RE2JS)`, regexOnly, lines);
console.log(`ratio to ceiling: rules/windows ${(winRate / ceil).toFixed(3)}, whole corpus ${(allRate / ceil).toFixed(3)}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
