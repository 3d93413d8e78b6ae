// Runs test/fixtures/consumer.ts as a separate Node process (the crash and partition suites need real process
// boundaries: SIGKILL must lose everything in memory) and reads JetStream output without consuming it.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EvaluationResult } from '@tsigma/eval';
import { connectNats } from '../../src/index.js';
import type { ConsumerSettings } from '../fixtures/consumer.js';

const PACKAGE_DIR = join(import.meta.dirname, '..', '..');
const FIXTURE = join(PACKAGE_DIR, 'test', 'fixtures', 'consumer.ts');
/** The same consumer built on runPipeline (source → stage → SinkDispatcher → NatsSink, ack join). */
export const PIPELINE_FIXTURE = join(PACKAGE_DIR, 'test', 'fixtures', 'pipeline-consumer.ts');
/** Startup (tsx transform, rule load, connect) on a loaded 2-core machine. */
const READY_TIMEOUT_MS = 20_000;

/** A started consumer process; `stderr` collects its warnings for failure messages. */
export interface ConsumerProcess {
  child: ChildProcess;
  stderr: () => string;
}

/** Spawns the fixture (default the hand-written loop) with `node --import tsx`; resolves once it printed `ready`. */
export async function startConsumer(settings: ConsumerSettings, fixture: string = FIXTURE): Promise<ConsumerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, TSIGMA_CONSUMER: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err = (err + d).slice(-8000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumer ${settings.label} not ready:\n${err}`)), READY_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`consumer ${settings.label} exited with ${code}:\n${err}`));
    });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { child, stderr: () => err };
}

/** SIGKILLs (or SIGTERMs) a consumer and waits until it is gone. */
export function endConsumer(p: ConsumerProcess, signal: NodeJS.Signals): Promise<void> {
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** A management connection for reading streams and consumers in assertions. */
export interface Inspector {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Messages stored in the stream. */
  count(stream: string): Promise<number>;
  /** Every message of the stream (flat results), parsed, in stream order (read by sequence, no consumer created). */
  records(stream: string): Promise<EvaluationResult[]>;
  close(): Promise<void>;
}

export async function inspect(url: string): Promise<Inspector> {
  const nc = await connectNats({ url });
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    jsm,
    count: async (stream) => (await jsm.streams.info(stream)).state.messages,
    records: async (stream) => {
      const info = await jsm.streams.info(stream);
      const out: EvaluationResult[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(stream, { seq });
        if (m !== null) out.push(m.json<EvaluationResult>());
      }
      return out;
    },
    close: () => nc.close(),
  };
}

/** Polls `check` every 100 ms until it is true or `ms` passed; returns its last value. */
export async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
