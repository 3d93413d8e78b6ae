// Spec 06 §6.2 test 13 and reconnects: a publish without a server acknowledgement rejects with
// NatsPublishError within publishTimeoutMs; after the server comes back the same sink publishes again.

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsPublishError, NatsSink, NatsSource } from '../../src/index.js';
import { natsServerAvailable, recvWithin, restartNatsServer, startNatsServer, stopChild, type NatsServer } from '../helpers/nats-server.js';

const run = natsServerAvailable();

describe.skipIf(!run)('NATS publish acknowledgement (spec 06 §6.2 test 13)', () => {
  let server: NatsServer;
  let restarted: ChildProcess | undefined;
  const infos: string[] = [];
  const logger = { info: (m: string) => infos.push(m), warn: () => undefined };

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    if (restarted) await stopChild(restarted);
    await server?.stop();
  });

  it('rejects with NatsPublishError carrying the subject when the server is gone; sink and source recover on reconnect', async () => {
    const publishTimeoutMs = 1000;
    const sink = await NatsSink.connect({ url: server.url }, 'acks.out', { publishTimeoutMs, logger });
    await sink.sendRaw('{"n":1}');
    const quiet = { info: () => undefined, warn: () => undefined };
    const source = await NatsSource.connect({ url: server.url }, 'acks.out', { kind: 'resume' }, 'survivor', { logger: quiet });
    const before = await recvWithin(source, 3000);
    expect(before?.payload).toBe('{"n":1}');
    await before!.ackToken.ack();

    // Stop only the process; the store (with the stream) stays for the restart below.
    await server.stopProcess();
    const started = Date.now();
    let err: unknown;
    try {
      await sink.sendRaw('{"n":2}');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NatsPublishError);
    expect((err as NatsPublishError).subject).toBe('acks.out');
    expect(Date.now() - started).toBeLessThan(publishTimeoutMs + 500);

    // Same port and store: the client reconnects on its own (2 s between attempts) and the stream is back.
    restarted = await restartNatsServer(server);
    const deadline = Date.now() + 10_000;
    while (!infos.some((m) => m.startsWith('reconnected')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(infos.some((m) => m.startsWith('disconnected'))).toBe(true);
    expect(infos.some((m) => m.startsWith('reconnected'))).toBe(true);
    await sink.sendRaw('{"n":3}');
    // The source's pull broke with the connection; it pulls again by itself and sees the new message.
    const after = await recvWithin(source, 15_000);
    expect(after?.payload).toBe('{"n":3}');
    await after!.ackToken.ack();
    await source.close();
    await sink.close();
  });
});
