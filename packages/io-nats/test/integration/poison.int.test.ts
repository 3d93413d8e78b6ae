// Poison messages (spec 06 §3, max_deliver): a message abandoned after maxDeliver unacked deliveries is written to
// the poisonDlq sink with its payload and reason, through the server's MAX_DELIVERIES advisory; acked ones never are.

import { describe, expect, it } from 'vitest';
import { NatsConfigError, NatsSource, type NatsSourceOptions } from '../../src/index.js';
import { useNatsServer } from '../helpers/harness.js';
import { natsServerAvailable, recvWithin } from '../helpers/nats-server.js';

const run = natsServerAvailable();

describe.skipIf(!run)('NATS poison messages to a DLQ subject', () => {
  const nats = useNatsServer();
  const { sink } = nats;
  async function source(subject: string, group: string, opts: NatsSourceOptions): Promise<NatsSource> {
    const s = await NatsSource.connect(nats.cfg, subject, { kind: 'resume' }, group, opts);
    nats.onCleanup(() => s.close());
    return s;
  }

  it('a message not acked after maxDeliver deliveries lands once on the DLQ with its payload and reason', async () => {
    const subject = 'poison.events';
    const dlqSubject = `dlq.poison.p${process.pid}t${Date.now()}`;
    const input = await sink(subject);
    const opts = { ackWaitMs: 1000, maxDeliver: 2, poisonDlq: await sink(dlqSubject) };
    await input.sendRaw('{"poison":true}');
    await input.sendRaw('{"fine":true}');

    // A live source keeps outstanding tokens alive with in-progress signals, so each unacked delivery ends with
    // close() (as a crash would) and the next source gets the redelivery after ack_wait.
    const first = await source(subject, 'poisoned', opts);
    expect((await recvWithin(first, 3000))?.payload).toBe('{"poison":true}');
    const fine = await recvWithin(first, 3000);
    expect(fine?.payload).toBe('{"fine":true}');
    await fine!.ackToken.ack();
    await first.close();
    const second = await source(subject, 'poisoned', opts);
    expect((await recvWithin(second, 4000))?.payload).toBe('{"poison":true}');
    await second.close();

    // This source's pull makes the server try a third delivery, give up and publish the advisory it listens to.
    const third = await source(subject, 'poisoned', opts);
    expect(await recvWithin(third, 2500)).toBeNull();

    const reader = await source(dlqSubject, 'dlq-reader', { ackWaitMs: 5000 });
    const entry = await recvWithin(reader, 3000);
    expect(entry).not.toBeNull();
    await entry!.ackToken.ack();
    const line = JSON.parse(entry!.payload) as { original_event: string; error: string; origin: string; timestamp: string };
    expect(line.original_event).toBe('{"poison":true}');
    expect(line.error).toBe('max_deliver: not acknowledged after 2 deliveries');
    expect(line.origin).toBe('nats:poison.events#1');
    expect(Date.parse(line.timestamp)).toBeGreaterThan(Date.now() - 30_000);
    // Exactly one entry, and nothing for the acked message.
    expect(await recvWithin(reader, 1000)).toBeNull();
  });

  it('poisonDlq without maxDeliver, or on a subject the source reads, is a config error before any I/O', async () => {
    const dlq = await sink('dlq.poison.guard');
    await expect(NatsSource.connect(nats.cfg, 'guard.events', undefined, undefined, { poisonDlq: dlq })).rejects.toMatchObject({
      code: 'bad_option',
    });
    await expect(
      NatsSource.connect(nats.cfg, 'dlq.poison.>', undefined, undefined, { maxDeliver: 2, poisonDlq: dlq }),
    ).rejects.toBeInstanceOf(NatsConfigError);
  });
});
