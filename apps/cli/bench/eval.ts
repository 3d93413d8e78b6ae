// End-to-end `tsigma eval` throughput: the 1,000,000-event correlation workload of packages/eval/bench written as
// files, run through the built CLI (a file in, NDJSON results to a file; one thread, then two detection workers),
// against the same events evaluated in process (parsed events through RuntimeEngine.processBatch, results kept in
// memory, nothing written).
// Run: pnpm bench (after pnpm build), or node --import tsx bench/eval.ts [events] [groups]
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JsonEvent } from '@tsigma/eval';
import { flattenResults, RuntimeEngine } from '@tsigma/runtime';
import { writeCorrelationWorkload } from './workload.js';

const BIN = resolve(import.meta.dirname, '../dist/main.js');
const [eventsArg, groupsArg] = process.argv.slice(2).map(Number);
const EVENTS = eventsArg || 1_000_000;
const GROUPS = groupsArg || 10_000;
/** Events per processBatch call in process, as the CLI's default batch. */
const BATCH = 256;

const dir = mkdtempSync(join(tmpdir(), 'tsigma-cli-bench-'));
try {
  const w = writeCorrelationWorkload(dir, EVENTS, GROUPS);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`tsigma eval bench: ${fmt(EVENTS)} events over ${fmt(GROUPS)} users, 6 detections + 4 correlations (--suppress 5m)`);

  // In process: the same lines, parsed and evaluated in batches; the results stay in memory.
  const lines = readFileSync(w.events, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const engine = new RuntimeEngine({ rulesPath: w.rules, correlationConfig: { suppressSecs: 300 } });
  await engine.loadRules();
  let results = 0;
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i += BATCH) {
    const events = lines.slice(i, i + BATCH).map((l) => new JsonEvent(JSON.parse(l)));
    for (const r of engine.processBatch(events)) results += r.detections.length + r.correlations.length;
  }
  const inProcess = lines.length / ((performance.now() - t0) / 1000);
  console.log(`  in process      ${fmt(inProcess)} events/s (${fmt(results)} results, kept as objects)`);

  // The same, plus the NDJSON text the CLI must produce anyway (built and dropped): what is left between this and
  // the CLI is the plumbing (reading, batching, delivery, writes) and the process start.
  const again = new RuntimeEngine({ rulesPath: w.rules, correlationConfig: { suppressSecs: 300 } });
  await again.loadRules();
  let bytes = 0;
  const t2 = performance.now();
  for (let i = 0; i < lines.length; i += BATCH) {
    const events = lines.slice(i, i + BATCH).map((l) => new JsonEvent(JSON.parse(l)));
    let text = '';
    for (const r of again.processBatch(events)) for (const x of flattenResults(r)) text += JSON.stringify(x) + '\n';
    bytes += text.length;
  }
  const withText = lines.length / ((performance.now() - t2) / 1000);
  console.log(`  + NDJSON text   ${fmt(withText)} events/s (${fmt(bytes / 1_048_576)} MiB of results, not written)`);

  // Through the CLI: a fresh process reading the file and writing NDJSON to a file, on one thread and with two
  // detection workers (correlation and output stay on the main thread).
  let written = -1;
  for (const threads of ['1', '2']) {
    const out = join(dir, `results-${threads}.ndjson`);
    const outFd = openSync(out, 'w');
    const t1 = performance.now();
    const args = [BIN, 'eval', '-r', w.rules, '-i', w.events, '--suppress', '5m', '--output-format', 'ndjson', '--threads', threads];
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', outFd, 'pipe'] });
    const seconds = (performance.now() - t1) / 1000;
    closeSync(outFd);
    if (r.status !== 0) throw new Error(`tsigma eval exited ${r.status}: ${r.stderr.toString()}`);
    let lines = 0;
    for (const byte of readFileSync(out)) if (byte === 0x0a) lines++;
    if (written >= 0 && lines !== written) throw new Error(`--threads ${threads} wrote ${lines} results, --threads 1 wrote ${written}`);
    written = lines;
    console.log(
      `  tsigma eval --threads ${threads}  ${fmt(EVENTS / seconds)} events/s (${seconds.toFixed(2)} s wall incl. start-up, ${fmt(lines)} results, ${fmt(statSync(out).size / 1_048_576)} MiB)`,
    );
    console.log(
      `    ratio         ${((EVENTS / seconds / inProcess) * 100).toFixed(1)} % of in process, ${((EVENTS / seconds / withText) * 100).toFixed(1)} % of in process + NDJSON text`,
    );
    console.log(`    summary       ${r.stderr.toString().trim().split('\n').at(-1)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
