// Load benchmark of tsigmad (issue 18): the built daemon with SigmaHQ rules/windows and the windows pipeline, fed by
// a second process for a fixed time, over HTTP (NDJSON batches) and then over NATS JetStream. Reports events/s
// accepted and processed, request latency (HTTP), and the daemon's RSS sampled every second (peak, and first vs.
// last sample to show whether it stays flat).
// Run: pnpm bench (after pnpm build), or node --import tsx bench/load.ts [http|nats|both] [seconds]
// Events are the Sysmon-shaped events of packages/eval/bench/data.ts in EVTX JSON shape (`tsigma evtx dump`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEvents, toEvtxShape } from '../../../packages/eval/bench/data.js';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import { natsServerAvailable, startNatsServer } from '../../../packages/io-nats/test/helpers/nats-server.js';

exitWithoutCorpus('daemon bench');
const BIN = resolve(import.meta.dirname, '../dist/main.js');
const PRODUCER = resolve(import.meta.dirname, 'producer.ts');
const mode = process.argv[2] ?? 'both';
const SECONDS = Number(process.argv[3] ?? 30);
const RULES = corpusPath('sigmahq', 'rules', 'windows');
const DISTINCT_EVENTS = 50_000;
/** `evtx` (default): EVTX JSON + the windows pipeline, as the issue asks; `flat`: flat Sysmon fields + sysmon. */
const SHAPE = process.env['TSIGMA_BENCH_SHAPE'] === 'flat' ? 'flat' : 'evtx';
const PIPELINE = SHAPE === 'flat' ? 'sysmon' : 'windows';

const dir = mkdtempSync(join(tmpdir(), 'tsigmad-bench-'));
const linesFile = join(dir, 'events.ndjson');
writeFileSync(
  linesFile,
  generateEvents(DISTINCT_EVENTS)
    .map((e, i) => JSON.stringify(SHAPE === 'flat' ? e : toEvtxShape(e, i + 1)))
    .join('\n') + '\n',
);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Extra flags from the environment: TSIGMA_BENCH_NODE_FLAGS (e.g. --cpu-prof) and TSIGMA_BENCH_DAEMON_ARGS (e.g. --workers 1). */
function words(text: string | undefined): string[] {
  return (text ?? '').split(' ').filter((w) => w !== '');
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]) / 1024;
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

async function startDaemon(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const proc = spawn(
    process.execPath,
    [
      ...words(process.env['TSIGMA_BENCH_NODE_FLAGS']),
      BIN,
      '-r',
      RULES,
      '-p',
      PIPELINE,
      '--skip-invalid-rules',
      '--api-addr',
      `127.0.0.1:${port}`,
      '--output',
      'file:///dev/null',
      '--log-level',
      'warn',
      ...words(process.env['TSIGMA_BENCH_DAEMON_ARGS']),
      ...args,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const t0 = performance.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`tsigmad exited ${proc.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Readiness comes before the input opens; give it a moment.
  await new Promise((r) => setTimeout(r, 300));
  console.log(`  daemon ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (rules loaded, workers started)`);
  return { proc, port };
}

function runProducer(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolveRun, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', PRODUCER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('exit', (code) =>
      code === 0 ? resolveRun(JSON.parse(out.trim()) as Record<string, number>) : reject(new Error(`producer exited ${code}`)),
    );
  });
}

async function measure(label: string, daemonArgs: string[], producerArgs: (port: number) => string[]): Promise<void> {
  console.log(
    `${label}: ${SECONDS} s, rules/windows + ${PIPELINE} pipeline, ${fmt(DISTINCT_EVENTS)} distinct ${SHAPE === 'flat' ? 'flat Sysmon' : 'EVTX-shaped'} events`,
  );
  const { proc, port } = await startDaemon(daemonArgs);
  const pid = proc.pid as number;
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMiB(pid)), 1000);
  const before = await metric(port, 'tsigma_events_processed_total');
  const t0 = performance.now();
  const produced = await runProducer(producerArgs(port));
  const accepted = produced['accepted'] as number;
  // Drain: wait until everything accepted was evaluated (HTTP), or until the count stops moving (NATS).
  let processed = before;
  let last = -1;
  for (;;) {
    processed = (await metric(port, 'tsigma_events_processed_total')) - before;
    if (processed >= accepted || processed === last) break;
    last = processed;
    await new Promise((r) => setTimeout(r, 500));
  }
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const peak = Math.max(...samples);
  console.log(
    `  accepted  ${fmt(accepted / (produced['elapsed'] as number))} events/s (${fmt(accepted)} events in ${(produced['elapsed'] as number).toFixed(1)} s)`,
  );
  console.log(`  processed ${fmt(processed / elapsed)} events/s (${fmt(processed)} events, ${elapsed.toFixed(1)} s until drained)`);
  if (produced['p50_ms'] !== undefined) {
    console.log(
      `  request latency (500 lines each) p50 ${produced['p50_ms'].toFixed(1)} ms, p99 ${(produced['p99_ms'] as number).toFixed(1)} ms, ${fmt(produced['requests'] as number)} requests, ${produced['failed']} failed`,
    );
  }
  console.log(
    `  daemon RSS peak ${peak.toFixed(0)} MiB; after 5 s ${samples[4]?.toFixed(0) ?? '?'} MiB, at the end ${samples.at(-1)?.toFixed(0) ?? '?'} MiB`,
  );
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
}

try {
  console.log(`node ${process.version}, tsigmad ${BIN}`);
  if (mode === 'http' || mode === 'both') {
    await measure('HTTP input', ['--input', 'http'], (port) => ['http', `http://127.0.0.1:${port}`, String(SECONDS), linesFile]);
  }
  if ((mode === 'nats' || mode === 'both') && natsServerAvailable()) {
    const server = await startNatsServer();
    try {
      await measure('NATS input', ['--input', `${server.url}/bench.events`], () => [
        'nats',
        server.url,
        'bench.events',
        String(SECONDS),
        linesFile,
      ]);
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
