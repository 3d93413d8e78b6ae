// Entry point of `pnpm bench` for @tsigma/io-nats: JetStream in -> 100 rules -> JetStream out on loopback,
// against a real nats-server. Started with `node --expose-gc --import tsx bench/run.ts`.
// This process is the detector; the producer runs in its own process (bench/producer.ts) so it does not share
// the detector's event loop. Events come from TSIGMA_BENCH_EVENTS (default 200000); batch size from
// TSIGMA_BENCH_BATCH (default 1000).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCorrelationConfig, silentLogger, type Logger } from '@tsigma/eval';
import { flattenResults, LogProcessor, NoopMetrics, RuntimeEngine, type RawEvent } from '@tsigma/runtime';
import { NatsSink, NatsSource } from '../src/index.js';
import { findNatsServer, MISSING_BINARY, startNatsServer } from '../test/helpers/nats-server.js';
import { eventJson, RULE_COUNT, ruleYaml } from './data.js';
import type { ProducerReport, ProducerSettings } from './producer.js';

const EVENTS = Number(process.env.TSIGMA_BENCH_EVENTS ?? 200_000);
const BATCH = Number(process.env.TSIGMA_BENCH_BATCH ?? 1000);
/** Batches whose publish acks and input acks may be outstanding at once while the next batch is evaluated. */
const PIPELINE_DEPTH = 4;
const PRODUCER = join(import.meta.dirname, 'producer.ts');

if (findNatsServer() === undefined) {
  console.error(`cannot run the NATS bench: ${MISSING_BINARY}`);
  process.exit(1);
}

const logger: Logger = { ...silentLogger, warn: (message, fields) => console.error(message, JSON.stringify(fields ?? {})) };
const rulesDir = await mkdtemp(join(tmpdir(), 'tsigma-bench-rules-'));
for (let i = 0; i < RULE_COUNT; i++) await writeFile(join(rulesDir, `rule-${String(i).padStart(3, '0')}.yml`), ruleYaml(i));
const server = await startNatsServer();
const cfg = { url: server.url };

async function newProcessor(): Promise<LogProcessor> {
  const engine = new RuntimeEngine({
    rulesPath: rulesDir,
    pipelines: [],
    correlationConfig: defaultCorrelationConfig(),
    includeEvent: false,
  });
  await engine.loadRules();
  return new LogProcessor(engine, new NoopMetrics());
}

/** A producer process that has connected and waits for `start()`; `done` resolves with its own measurements. */
interface Producer {
  start(): void;
  done: Promise<ProducerReport>;
}

/** Spawns bench/producer.ts and resolves once it is connected and ready to publish. */
async function startProducer(subject: string, mode: ProducerSettings['mode']): Promise<Producer> {
  const settings: ProducerSettings = { url: server.url, subject, events: EVENTS, mode };
  const child = spawn(process.execPath, [...process.execArgv, PRODUCER], {
    env: { ...process.env, TSIGMA_BENCH_PRODUCER: JSON.stringify(settings) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const done = new Promise<ProducerReport>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('ready\n')) onReady();
    });
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as ProducerReport);
      else reject(new Error(`producer exited with ${code}`));
    });
  });
  // An early exit rejects `done`; surface it instead of waiting for `ready` forever.
  await Promise.race([ready, done]);
  return { start: () => child.stdin.end('go\n'), done };
}

/**
 * Opens a detector on `input`: `run()` consumes EVENTS events: pull a batch, evaluate it in one
 * processBatchWithFormat call, publish its flat results (spec 05 §1: one message per detection or correlation;
 * pipelined, acknowledgements checked in order), then confirm-ack the batch's inputs.
 */
async function openDetector(input: string, output: string, durable: string): Promise<{ run(): Promise<number> }> {
  const processor = await newProcessor();
  const source = await NatsSource.connect(cfg, input, { kind: 'all' }, durable, {
    batch: BATCH,
    maxAckPending: BATCH * (PIPELINE_DEPTH + 2),
    logger,
  });
  const sink = await NatsSink.connect(cfg, output, { logger });
  const format = { kind: 'json' } as const;
  const run = async (): Promise<number> => {
    const inflight: Promise<void>[] = [];
    let done = 0;
    let outputs = 0;
    while (done < EVENTS) {
      const batch: RawEvent[] = await source.recvMany(BATCH);
      const results = processor.processBatchWithFormat(
        batch.map((e) => e.payload),
        format,
      );
      const jsons: string[] = [];
      for (const r of results) for (const result of flattenResults(r)) jsons.push(JSON.stringify(result));
      outputs += jsons.length;
      done += batch.length;
      // Acks only after this batch's results were acknowledged by the server: the at-least-once order.
      inflight.push(
        sink.sendRawMany(jsons).then(async () => {
          await Promise.all(batch.map((e) => e.ackToken.ack()));
        }),
      );
      if (inflight.length >= PIPELINE_DEPTH) await inflight.shift();
    }
    await Promise.all(inflight);
    await source.close();
    await sink.close();
    return outputs;
  };
  return { run };
}

const rate = (ms: number): string => Math.round(EVENTS / (ms / 1000)).toLocaleString('en-US');
const us = (v: number): string => `${v.toFixed(1)} µs`;

/** CPU seconds (user + system) used so far by the nats-server process, from /proc (Linux only; 0 elsewhere). */
function serverCpuSec(): number {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name; clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Wall time from `t0`, and the CPU µs per event of this process and of the server since the given marks. */
function since(t0: number, cpu0: NodeJS.CpuUsage, srv0: number): { ms: number; nodeUs: number; serverUs: number } {
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, nodeUs: (cpu.user + cpu.system) / EVENTS, serverUs: ((serverCpuSec() - srv0) * 1e6) / EVENTS };
}

/** Producer alone: publishes EVENTS events to `subject`, nobody consuming. */
async function publishOnly(subject: string): Promise<string> {
  const producer = await startProducer(subject, 'acked');
  const srv0 = serverCpuSec();
  producer.start();
  const p = await producer.done;
  const serverUs = ((serverCpuSec() - srv0) * 1e6) / EVENTS;
  return `${rate(p.ms).padStart(9)} events/s; producer ${us(p.cpuUs / EVENTS)}/event, nats-server ${us(serverUs)}/event`;
}

/** Detector alone on a stream loaded before. */
async function detectOnly(input: string): Promise<string> {
  const detector = await openDetector(input, `${input}.out`, `${input.replace('.', '-')}-detect`);
  const cpu0 = process.cpuUsage();
  const srv0 = serverCpuSec();
  const t0 = performance.now();
  const outputs = await detector.run();
  const m = since(t0, cpu0, srv0);
  return `${rate(m.ms).padStart(9)} events/s; detector ${us(m.nodeUs)}/event, nats-server ${us(m.serverUs)}/event (${outputs} results)`;
}

/** Producer process and this detector at the same time on a fresh subject; first publish to last input ack. */
async function endToEnd(input: string, mode: ProducerSettings['mode']): Promise<string> {
  // The detector's connect creates the stream, so even core publishes from the first one on are stored.
  const detector = await openDetector(input, `${input}.out`, `${input.replace('.', '-')}-detect`);
  const producer = await startProducer(input, mode);
  const cpu0 = process.cpuUsage();
  const srv0 = serverCpuSec();
  const t0 = performance.now();
  producer.start();
  const outputs = await detector.run();
  const m = since(t0, cpu0, srv0);
  const p = await producer.done;
  return `${rate(m.ms).padStart(9)} events/s; detector ${us(m.nodeUs)}, producer ${us(p.cpuUs / EVENTS)}, nats-server ${us(m.serverUs)} per event (${outputs} results)`;
}

/** Evaluation alone (no NATS), for the bottleneck split. */
async function evaluateOnly(): Promise<number> {
  const processor = await newProcessor();
  const payloads = Array.from({ length: EVENTS }, (_, n) => eventJson(n));
  const t0 = performance.now();
  for (let i = 0; i < payloads.length; i += BATCH) processor.processBatchWithFormat(payloads.slice(i, i + BATCH), { kind: 'json' });
  return performance.now() - t0;
}

try {
  // V8 heap flags (e.g. NODE_OPTIONS=--max-semi-space-size=64) change the figures, so they are printed.
  const v8Flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(' ')].filter((a) => a.startsWith('--max')).join(' ');
  console.log(
    `node ${process.version}${v8Flags === '' ? '' : ` ${v8Flags}`}, ${process.platform}/${process.arch}; ${EVENTS.toLocaleString('en-US')} events, ${RULE_COUNT} rules, batch ${BATCH}`,
  );
  console.log(`publish raw events (producer process, JetStream-acked): ${await publishOnly('bench.in')}`);
  console.log(`pull -> detect -> publish results -> ack (detector):   ${await detectOnly('bench.in')}`);
  console.log(`END TO END, producer JetStream-acked (at-least-once):    ${await endToEnd('bench2.in', 'acked')}`);
  console.log(`end to end, producer core publish (stream stores them):  ${await endToEnd('bench3.in', 'core')}`);
  // Before evaluate-only, which holds all payloads in memory at once; maxRSS is reported in KiB on Linux.
  console.log(`peak RSS (detector process): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`evaluate only (LogProcessor, no NATS):                  ${rate(await evaluateOnly()).padStart(9)} events/s`);
} finally {
  await server.stop();
  await rm(rulesDir, { recursive: true, force: true });
}
