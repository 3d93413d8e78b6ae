// Producer process of `pnpm bench`: publishes the synthetic events to a subject so the detector process has its
// own event loop. Started by bench/run.ts with `node --import tsx bench/producer.ts`; settings come in
// TSIGMA_BENCH_PRODUCER (JSON). Prints `ready`, publishes when a line arrives on stdin, then prints one JSON
// line with its wall time and CPU and exits.

import { once } from 'node:events';
import { silentLogger, type Logger } from '@tsigma/eval';
import { NatsSink, connectNats } from '../src/index.js';
import { eventJson } from './data.js';

/** Settings passed by bench/run.ts. */
export interface ProducerSettings {
  url: string;
  subject: string;
  events: number;
  /** `acked`: JetStream publishes, each acknowledged (at-least-once producer); `core`: plain publishes the stream captures. */
  mode: 'acked' | 'core';
}

/** What the producer reports when done. */
export interface ProducerReport {
  ms: number;
  cpuUs: number;
  maxRssMiB: number;
}

/** Publishes per sendRawMany call (acked) or between flushes (core). */
const CHUNK = 2000;

const settings = JSON.parse(process.env.TSIGMA_BENCH_PRODUCER ?? '') as ProducerSettings;
const logger: Logger = { ...silentLogger, warn: (message, fields) => console.error(message, JSON.stringify(fields ?? {})) };
const payloads = Array.from({ length: settings.events }, (_, n) => eventJson(n));
const encoder = new TextEncoder();

async function publishAcked(): Promise<void> {
  const sink = await NatsSink.connect({ url: settings.url }, settings.subject, { logger });
  await go();
  // Two chunks in flight: the next is written while the server acknowledges the previous one.
  let previous: Promise<void> = Promise.resolve();
  for (let i = 0; i < payloads.length; i += CHUNK) {
    const current = sink.sendRawMany(payloads.slice(i, i + CHUNK));
    await previous;
    previous = current;
  }
  await previous;
  await sink.close();
}

async function publishCore(): Promise<void> {
  // The stream was created by the detector or the sink above; a core publish is stored without an acknowledgement.
  const nc = await connectNats({ url: settings.url }, logger);
  await go();
  for (let i = 0; i < payloads.length; i++) {
    nc.publish(settings.subject, encoder.encode(payloads[i]));
    // A round trip every chunk keeps the client's outbound buffer and the server's inbound queue bounded.
    if (i % CHUNK === CHUNK - 1) await nc.flush();
  }
  await nc.flush();
  await nc.drain();
}

let t0 = 0;
let cpu0: NodeJS.CpuUsage = { user: 0, system: 0 };
/** Signals readiness and waits for the start line; the clock starts there. */
async function go(): Promise<void> {
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  process.stdin.pause();
  cpu0 = process.cpuUsage();
  t0 = performance.now();
}

await (settings.mode === 'core' ? publishCore() : publishAcked());
const cpu = process.cpuUsage(cpu0);
const report: ProducerReport = {
  ms: performance.now() - t0,
  cpuUs: cpu.user + cpu.system,
  maxRssMiB: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
