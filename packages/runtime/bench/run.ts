// Entry point of `pnpm bench` for @tsigma/runtime: runs the input benchmarks and prints a table.
// Started with `node --expose-gc --import tsx bench/run.ts` so cases can start from a collected heap.

import { exitWithoutCorpus } from '../../../test/corpus-root.js';
import { runInputBench } from './input.js';
import { printPipelineBench, runPipelineBench } from './pipeline.js';
import { printProcessorBench, runProcessorBench } from './processor.js';

// The processor bench below reads SigmaHQ: fail before spending minutes on the input bench.
exitWithoutCorpus('runtime bench');
const results = runInputBench();
const rows = results.map((r) => [r.name, Math.round(r.perSecond).toLocaleString('en-US'), r.mbPerSecond.toFixed(1), r.rssMiB.toFixed(0)]);
const header = ['case', 'items/s', 'MB/s', 'RSS MiB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const format = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
console.log(format(header));
for (const row of rows) console.log(format(row));
// maxRSS is reported in KiB on Linux and macOS.
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

// The whole runPipeline loop against processBatchWithFormatDetailed in-process (bench/pipeline.ts); lines from
// TSIGMA_BENCH_PIPELINE_EVENTS. Its peak RSS is the process peak so far (the input cases above included).
printPipelineBench(await runPipelineBench(Number(process.env.TSIGMA_BENCH_PIPELINE_EVENTS ?? 1_000_000)));

// LogProcessor end-to-end against the bare engine (bench/processor.ts); events count from TSIGMA_BENCH_EVENTS.
printProcessorBench(await runProcessorBench(Number(process.env.TSIGMA_BENCH_EVENTS ?? 100_000)));
console.log(`peak RSS after the processor bench: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
