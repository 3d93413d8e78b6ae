// Starts a real nats-server for integration tests (spec 06 §6): binary from NATS_SERVER_BIN or PATH, a free
// loopback port, a temporary JetStream store. Missing binary: the suite skips locally and fails under CI.

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { EventSource, RawEvent } from '@tsigma/runtime';

/** What the suites print when they skip and the error CI fails with. */
export const MISSING_BINARY = 'nats-server not found (set NATS_SERVER_BIN or put it on PATH): install the Debian package nats-server';

/** Wait for a server to accept connections and send INFO (spec 06 §6 step 4). */
const START_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
/** Grace period between SIGTERM and SIGKILL on stop. */
const STOP_GRACE_MS = 5000;

/** Path of the nats-server binary, or undefined when there is none. */
export function findNatsServer(): string | undefined {
  const explicit = process.env.NATS_SERVER_BIN;
  if (explicit !== undefined && explicit !== '') return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'nats-server');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides whether a suite runs: true when the binary exists; false (with a printed reason) locally without it;
 * throws under CI so a missing server can never turn into a green run.
 */
export function natsServerAvailable(): boolean {
  if (findNatsServer() !== undefined) return true;
  if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') throw new Error(MISSING_BINARY);
  console.warn(`skipping NATS integration tests: ${MISSING_BINARY}`);
  return false;
}

/** A running server. */
export interface NatsServer {
  url: string;
  port: number;
  /** Process id (the bench reads the server's CPU time from /proc). */
  pid: number;
  storeDir: string;
  /** Ends the process (SIGTERM, then SIGKILL) but keeps the store, for restart tests. */
  stopProcess(): Promise<void>;
  /** Ends the process and removes the store directory. */
  stop(): Promise<void>;
}

/**
 * Spawns `nats-server -js -a 127.0.0.1 -p <port> -sd <dir> ...extraArgs` and resolves once it sent INFO.
 * `configText`, when given, is written to a file in the store directory and passed with `-c`.
 */
export async function startNatsServer(extraArgs: string[] = [], configText?: string): Promise<NatsServer> {
  const bin = findNatsServer();
  if (bin === undefined) throw new Error(MISSING_BINARY);
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'tsigma-nats-'));
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir];
  if (configText !== undefined) {
    const file = join(storeDir, 'server.conf');
    await writeFile(file, configText);
    args.push('-c', file);
  }
  args.push(...extraArgs);
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    // Keep only the tail: it is attached to a start failure, and a long run must not grow memory.
    stderr = (stderr + d).slice(-8000);
  });
  // If the test process dies without afterAll (crash, timeout kill), do not leave an orphaned server behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stopProcess = (): Promise<void> => stopChild(child);
  const stop = (): Promise<void> =>
    stopChild(child).then(() => {
      process.off('exit', killOnExit);
      return rm(storeDir, { recursive: true, force: true });
    });
  try {
    await waitForInfo(port, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `nats://127.0.0.1:${port}`, port, pid: child.pid ?? 0, storeDir, stopProcess, stop };
}

/** Starts a server again on a stopped server's port and store (reconnect tests); stop it with stopChild. */
export async function restartNatsServer(old: { port: number; storeDir: string }, extraArgs: string[] = []): Promise<ChildProcess> {
  const bin = findNatsServer();
  if (bin === undefined) throw new Error(MISSING_BINARY);
  const child = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(old.port), '-sd', old.storeDir, ...extraArgs], { stdio: 'ignore' });
  await waitForInfo(old.port, child, () => '');
  return child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForInfo(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}:\n${stderr()}`);
    if (await receivesInfo(port)) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`nats-server did not start on port ${port} within ${START_TIMEOUT_MS} ms:\n${stderr()}`);
}

function receivesInfo(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (d) => {
      data += d.toString();
      if (data.startsWith('INFO ')) done(true);
    });
  });
}

/** SIGTERM, then SIGKILL after STOP_GRACE_MS; resolves once the process exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const pendingRecv = new WeakMap<EventSource, Promise<RawEvent | null>>();

/**
 * `source.recv()` or `null` if nothing arrives within `ms`. A recv that timed out stays pending and is reused by
 * the next call, so a late message is never lost to an abandoned promise.
 */
export async function recvWithin(source: EventSource, ms: number): Promise<RawEvent | null> {
  let pending = pendingRecv.get(source);
  if (pending === undefined) {
    pending = source.recv();
    pendingRecv.set(source, pending);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const outcome = await Promise.race([pending, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') return null;
  pendingRecv.delete(source);
  return outcome;
}
