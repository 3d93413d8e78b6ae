// Entry point of `pnpm bench` for @tsigma/io-nats: JetStream in -> 100 rules -> JetStream out on loopback,
// against a real nats-server. Started with `node --expose-gc --import tsx bench/run.ts`.
// Events come from TSIGMA_BENCH_EVENTS (default 200000); batch size from TSIGMA_BENCH_BATCH (default 1000).

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCorrelationConfig } from '@tsigma/eval';
import { LogProcessor, NoopMetrics, RuntimeEngine, type RawEvent } from '@tsigma/runtime';
import { NatsSink, NatsSource } from '../src/index.js';
import { findNatsServer, MISSING_BINARY, startNatsServer } from '../test/helpers/nats-server.js';
import { eventJson, RULE_COUNT, ruleYaml } from './data.js';

const EVENTS = Number(process.env.TSIGMA_BENCH_EVENTS ?? 200_000);
const BATCH = Number(process.env.TSIGMA_BENCH_BATCH ?? 1000);
/** Batches whose publish acks and input acks may be outstanding at once while the next batch is evaluated. */
const PIPELINE_DEPTH = 4;
/** Publishes per sendRawMany call when loading the input stream. */
const LOAD_CHUNK = 2000;

if (findNatsServer() === undefined) {
  console.error(`cannot run the NATS bench: ${MISSING_BINARY}`);
  process.exit(1);
}

const quiet = { info: () => undefined, warn: (m: string) => console.error(m) };
const rulesDir = await mkdtemp(join(tmpdir(), 'tsigma-bench-rules-'));
for (let i = 0; i < RULE_COUNT; i++) await writeFile(join(rulesDir, `rule-${String(i).padStart(3, '0')}.yml`), ruleYaml(i));
const server = await startNatsServer();
const cfg = { url: server.url };
const payloads = Array.from({ length: EVENTS }, (_, n) => eventJson(n));

async function newProcessor(): Promise<LogProcessor> {
  const engine = new RuntimeEngine({ rulesPath: rulesDir, pipelines: [], correlationConfig: defaultCorrelationConfig(), includeEvent: false });
  await engine.loadRules();
  return new LogProcessor(engine, new NoopMetrics());
}

/** Publishes all payloads to `subject`, LOAD_CHUNK publishes in flight at a time. */
async function load(subject: string): Promise<void> {
  const sink = await NatsSink.connect(cfg, subject, { logger: quiet });
  // Two chunks in flight: the next is written while the server acknowledges the previous one.
  let previous: Promise<void> = Promise.resolve();
  for (let i = 0; i < payloads.length; i += LOAD_CHUNK) {
    const current = sink.sendRawMany(payloads.slice(i, i + LOAD_CHUNK));
    await previous;
    previous = current;
  }
  await previous;
  await sink.close();
}

/**
 * Consumes `EVENTS` events: pull a batch, evaluate it in one processBatchWithFormat call, publish the outputs
 * (pipelined, acknowledgements checked in order), then confirm-ack the batch's inputs. Returns ms and outputs.
 */
async function detect(input: string, output: string, durable: string): Promise<{ outputs: number }> {
  const processor = await newProcessor();
  const source = await NatsSource.connect(cfg, input, { kind: 'all' }, durable, { batch: BATCH, maxAckPending: BATCH * (PIPELINE_DEPTH + 2), logger: quiet });
  const sink = await NatsSink.connect(cfg, output, { logger: quiet });
  const format = { kind: 'json' } as const;
  const inflight: Promise<void>[] = [];
  let done = 0;
  let outputs = 0;
  while (done < EVENTS) {
    const batch: RawEvent[] = await source.recvMany(BATCH);
    const results = processor.processBatchWithFormat(batch.map((e) => e.payload), format);
    const jsons: string[] = [];
    for (const r of results) if (r.detections.length > 0 || r.correlations.length > 0) jsons.push(JSON.stringify(r));
    outputs += jsons.length;
    done += batch.length;
    // Acks only after this batch's results were acknowledged by the server: the at-least-once order.
    inflight.push(sink.sendRawMany(jsons).then(async () => {
      await Promise.all(batch.map((e) => e.ackToken.ack()));
    }));
    if (inflight.length >= PIPELINE_DEPTH) await inflight.shift();
  }
  await Promise.all(inflight);
  await source.close();
  await sink.close();
  return { outputs };
}

/** Evaluation alone (no NATS), for the bottleneck split. */
async function evaluateOnly(): Promise<number> {
  const processor = await newProcessor();
  const t0 = performance.now();
  for (let i = 0; i < payloads.length; i += BATCH) processor.processBatchWithFormat(payloads.slice(i, i + BATCH), { kind: 'json' });
  return performance.now() - t0;
}

const rate = (ms: number): string => Math.round(EVENTS / (ms / 1000)).toLocaleString('en-US');

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

/** Runs `phase` and returns its wall time and the CPU microseconds per event of this process and of the server. */
async function measure<T>(phase: () => Promise<T>): Promise<{ ms: number; value: T; nodeUs: number; serverUs: number }> {
  const cpu0 = process.cpuUsage();
  const srv0 = serverCpuSec();
  const t0 = performance.now();
  const value = await phase();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, value, nodeUs: (cpu.user + cpu.system) / EVENTS, serverUs: ((serverCpuSec() - srv0) * 1e6) / EVENTS };
}
const cost = (m: { nodeUs: number; serverUs: number }): string => `node ${m.nodeUs.toFixed(1)} µs/event, nats-server ${m.serverUs.toFixed(1)} µs/event`;
try {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; ${EVENTS.toLocaleString('en-US')} events, ${RULE_COUNT} rules, batch ${BATCH}`);
  const evalMs = await evaluateOnly();
  console.log(`evaluate only (LogProcessor, no NATS):       ${rate(evalMs).padStart(9)} events/s`);

  const l = await measure(() => load('bench.in'));
  console.log(`publish raw events (JetStream, acked):       ${rate(l.ms).padStart(9)} events/s; ${cost(l)}`);
  const d = await measure(() => detect('bench.in', 'bench.out', 'bench-detect'));
  console.log(`pull -> detect -> publish results -> ack:    ${rate(d.ms).padStart(9)} events/s; ${cost(d)} (${d.value.outputs} results)`);

  // End to end: producer and detector run at the same time on a fresh subject; timed from the first publish
  // to the last input ack.
  const e = await measure(() => Promise.all([load('bench2.in'), detect('bench2.in', 'bench2.out', 'bench2-detect')]));
  console.log(`end to end (publish + detect concurrently):  ${rate(e.ms).padStart(9)} events/s; ${cost(e)} (${e.value[1].outputs} results)`);
  // maxRSS is reported in KiB on Linux.
  console.log(`peak RSS (node process): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  await server.stop();
  await rm(rulesDir, { recursive: true, force: true });
}
