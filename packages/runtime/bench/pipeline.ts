// The whole loop against the bare processor: NDJSON bytes → StdinSource → runPipeline (channel, batches, sink
// worker, ack join) → StdoutSink over a discarding stream, versus LogProcessor.processBatchWithFormatDetailed on
// the same lines in-process with the same serialization (target: loop ≥ 80 %). It measures, it never asserts.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { makeRandom } from '../../eval/bench/data.js';
import type { InputFormat } from '../src/input/input-format.js';
import { StdinSource } from '../src/io/stdin-source.js';
import { StdoutSink } from '../src/io/stdout-sink.js';
import { serializeResults } from '../src/io/ndjson.js';
import { LogProcessor } from '../src/log-processor.js';
import { flattenResults } from '../src/results.js';
import { runPipeline } from '../src/run-pipeline.js';
import { RuntimeEngine } from '../src/runtime-engine.js';

/** Result of {@link runPipelineBench}. */
interface PipelineBenchResult {
  events: number;
  rules: number;
  /** Lines per second through runPipeline (best pass). */
  loopPerSecond: number;
  /** Lines per second through processBatchWithFormatDetailed + serialization, no I/O (best pass). */
  inProcessPerSecond: number;
  ratio: number;
  results: number;
  /** Peak resident set size of the process so far, MiB. */
  peakRssMiB: number;
}

/** Same batch size on both sides: the runtime's default. */
const BATCH_LINES = 256;
/** Bytes per chunk the fake stdin hands out: the size a pipe typically delivers. */
const CHUNK_BYTES = 64 * 1024;
/** Alternating timed passes per side; the best counts, because slower passes measure a shared machine's neighbours. */
const TIMED_PASSES = 5;
const FORMAT: InputFormat = { kind: 'json' };

const gc = (globalThis as { gc?: () => void }).gc;

/** Ten simple rules over the fields of {@link smallLines}; together they match a few percent of the lines. */
const RULES: [string, string][] = [
  ['whoami', 'CommandLine|contains: whoami'],
  ['powershell', "Image|endswith: '\\powershell.exe'"],
  ['encoded', 'CommandLine|contains: " -enc "'],
  ['logon-failure', 'EventID: 4625'],
  ['admin-user', 'User: admin'],
  ['mimikatz', "Image|endswith: '\\mimikatz.exe'"],
  ['net-user', "CommandLine|contains: 'net user'"],
  ['office-child', "ParentImage|endswith: '\\winword.exe'"],
  ['dc-host', 'Host|startswith: dc'],
  ['certutil', 'CommandLine|contains: certutil'],
];

function writeRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsigma-bench-pipeline-'));
  RULES.forEach(([name, selection], i) => {
    writeFileSync(
      join(dir, `${name}.yml`),
      `title: ${name}\nid: 00000000-0000-0000-0000-${String(i).padStart(12, '0')}\nlogsource: { category: process_creation, product: windows }\n` +
        `detection:\n  sel:\n    ${selection}\n  condition: sel\nlevel: medium\n`,
    );
  });
  return dir;
}

/** Small flat JSON events, about 150 bytes each; same seed, same lines. */
function smallLines(count: number): string[] {
  const rnd = makeRandom(42);
  const images = [
    'C:\\Windows\\System32\\svchost.exe',
    'C:\\Windows\\explorer.exe',
    'C:\\Program Files\\Git\\cmd\\git.exe',
    'C:\\Windows\\System32\\cmd.exe',
  ];
  const rare = ['cmd /c whoami', 'powershell -enc SQBFAFgA', 'net user bob /add', 'certutil -urlcache -f http://x/a.exe'];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const hit = rnd() < 0.02;
    lines.push(
      JSON.stringify({
        EventID: hit && rnd() < 0.2 ? 4625 : 1,
        Image: hit && rnd() < 0.3 ? 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' : images[i % images.length],
        CommandLine: hit ? rare[i % rare.length] : `proc.exe --id ${i}`,
        ParentImage: 'C:\\Windows\\explorer.exe',
        User: hit && rnd() < 0.1 ? 'admin' : `user${i % 50}`,
        Host: `ws-${i % 200}`,
      }),
    );
  }
  return lines;
}

/** The lines as NDJSON bytes in pipe-sized chunks, built once so the timed passes measure only the reader. */
function ndjsonChunks(lines: readonly string[]): Buffer[] {
  const chunks: Buffer[] = [];
  let chunk = '';
  for (const line of lines) {
    chunk += line + '\n';
    if (chunk.length >= CHUNK_BYTES) {
      chunks.push(Buffer.from(chunk));
      chunk = '';
    }
  }
  if (chunk.length > 0) chunks.push(Buffer.from(chunk));
  return chunks;
}

/** A Readable over prepared chunks, read on demand like a pipe. */
function ndjsonStream(chunks: readonly Buffer[]): Readable {
  let next = 0;
  return new Readable({
    read() {
      this.push(next < chunks.length ? chunks[next++] : null);
    },
  });
}

/** A Writable that drops everything, as fast as a stream can be. */
function discard(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
}

async function loopPass(processor: LogProcessor, chunks: readonly Buffer[]): Promise<number> {
  const counts = await runPipeline({
    source: new StdinSource(ndjsonStream(chunks), 'bench'),
    processor,
    sinks: [new StdoutSink(false, discard())],
    format: FORMAT,
    batchSize: BATCH_LINES,
  });
  return counts.results;
}

function inProcessPass(processor: LogProcessor, lines: readonly string[]): number {
  let results = 0;
  let bytes = 0;
  for (let i = 0; i < lines.length; i += BATCH_LINES) {
    const outcome = processor.processBatchWithFormatDetailed(lines.slice(i, i + BATCH_LINES), FORMAT);
    for (const pr of outcome.results) {
      const flat = flattenResults(pr);
      if (flat.length === 0) continue;
      bytes += serializeResults(flat).length;
      results += flat.length;
    }
  }
  if (bytes === 0 && results > 0) throw new Error('nothing serialized');
  return results;
}

/**
 * Pushes `events` generated lines through both paths, alternating, best of {@link TIMED_PASSES} each.
 *
 * @example const r = await runPipelineBench(1_000_000);
 */
export async function runPipelineBench(events = 1_000_000): Promise<PipelineBenchResult> {
  const dir = writeRules();
  try {
    const engine = new RuntimeEngine({ rulesPath: dir });
    const stats = await engine.loadRules();
    const processor = new LogProcessor(engine);
    const lines = smallLines(events);
    const chunks = ndjsonChunks(lines);
    const warm = lines.slice(0, Math.min(lines.length, 50_000));
    await loopPass(processor, ndjsonChunks(warm));
    inProcessPass(processor, warm);
    let loopBest = Infinity;
    let inBest = Infinity;
    let loopResults = 0;
    let inResults = 0;
    for (let pass = 0; pass < TIMED_PASSES; pass++) {
      gc?.();
      let t0 = performance.now();
      loopResults = await loopPass(processor, chunks);
      loopBest = Math.min(loopBest, (performance.now() - t0) / 1000);
      gc?.();
      t0 = performance.now();
      inResults = inProcessPass(processor, lines);
      inBest = Math.min(inBest, (performance.now() - t0) / 1000);
    }
    if (loopResults !== inResults) console.warn(`pipeline bench: loop delivered ${loopResults} results, in-process ${inResults}`);
    return {
      events,
      rules: stats.detectionRules,
      loopPerSecond: events / loopBest,
      inProcessPerSecond: events / inBest,
      ratio: inBest / loopBest,
      results: loopResults,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints {@link runPipelineBench}'s result. */
export function printPipelineBench(r: PipelineBenchResult): void {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`runPipeline end to end (NDJSON stream → ${r.rules} rules → StdoutSink over a discarding stream), best of ${TIMED_PASSES}`);
  console.log(
    `  ${fmt(r.events)} lines, ${fmt(r.results)} results: loop ${fmt(r.loopPerSecond)} events/s, ` +
      `in-process processBatchWithFormatDetailed ${fmt(r.inProcessPerSecond)} events/s, ratio ${(r.ratio * 100).toFixed(1)}%, ` +
      `peak RSS ${r.peakRssMiB.toFixed(0)} MiB`,
  );
}
