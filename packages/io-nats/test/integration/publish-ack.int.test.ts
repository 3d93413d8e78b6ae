// Spec 06 §6.2 test 13 and reconnects: a publish without a server acknowledgement rejects with
// NatsPublishError within publishTimeoutMs; after the server comes back the same sink publishes again.

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NatsPublishError, NatsSink, NatsSource } from '../../src/index.js';
import { recordingLogger } from '../helpers/logger.js';
import { natsServerAvailable, recvWithin, restartNatsServer, startNatsServer, stopChild, type NatsServer } from '../helpers/nats-server.js';

const run = natsServerAvailable();

describe.skipIf(!run)('NATS publish acknowledgement (spec 06 §6.2 test 13)', () => {
  let server: NatsServer;
  let restarted: ChildProcess | undefined;
  const logger = recordingLogger();

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
    // The source has no logger: its pull failures and reconnect must not reach stderr (the default is silent).
    const stderr = vi.spyOn(process.stderr, 'write');
    const source = await NatsSource.connect({ url: server.url }, 'acks.out', { kind: 'resume' }, 'survivor');
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
    const seen = (word: string): boolean => logger.entries.some((e) => e.level === 'info' && e.message.startsWith(word));
    while (!seen('reconnected') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(logger.entries).toContainEqual({ level: 'info', message: 'disconnected from the NATS server', fields: { url: server.url } });
    expect(logger.entries).toContainEqual({ level: 'info', message: 'reconnected to the NATS server', fields: { url: server.url } });
    await sink.sendRaw('{"n":3}');
    // The source's pull broke with the connection; it pulls again by itself and sees the new message.
    const after = await recvWithin(source, 15_000);
    expect(after?.payload).toBe('{"n":3}');
    await after!.ackToken.ack();
    await source.close();
    await sink.close();
    expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([]);
    stderr.mockRestore();
  });
});
