// One nats-server per test file (spec 06 §6) plus the clients a file opens, closed in reverse order afterwards.

import { afterAll, beforeAll } from 'vitest';
import { NatsSink, type NatsConnectConfig } from '../../src/index.js';
import { startNatsServer, type NatsServer } from './nats-server.js';

/** The running server of a test file and the clean-up list its tests add to. */
interface NatsHarness {
  /** Valid inside tests (after `beforeAll`). */
  readonly server: NatsServer;
  readonly cfg: NatsConnectConfig;
  /** Runs `fn` after the file's tests, before the server stops. */
  onCleanup(fn: () => Promise<void>): void;
  /** A sink closed after the file's tests. */
  sink(subject: string): Promise<NatsSink>;
}

/** Registers `beforeAll`/`afterAll` that start and stop a server; call it inside the file's `describe`. */
export function useNatsServer(): NatsHarness {
  let running: NatsServer | undefined;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    running = await startNatsServer();
  });
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
    await running?.stop();
  });
  const harness: NatsHarness = {
    get server(): NatsServer {
      if (running === undefined) throw new Error('the nats-server of this file is not running (used outside a test?)');
      return running;
    },
    get cfg(): NatsConnectConfig {
      return { url: harness.server.url };
    },
    onCleanup: (fn) => cleanup.push(fn),
    sink: async (subject) => {
      const s = await NatsSink.connect(harness.cfg, subject);
      cleanup.push(() => s.close());
      return s;
    },
  };
  return harness;
}
