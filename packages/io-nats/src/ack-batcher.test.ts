import type { NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../test/helpers/logger.js';
import { AckBatcher } from './ack-batcher.js';

/** A connection double that records publishes and never answers, so every ack stays unconfirmed. */
function silentConnection(): { nc: NatsConnection; published: { subject: string; reply: string | undefined }[] } {
  const published: { subject: string; reply: string | undefined }[] = [];
  const nc = {
    subscribe: () => ({ unsubscribe: () => undefined }),
    publish: (subject: string, _data: Uint8Array, opts?: { reply?: string }) => published.push({ subject, reply: opts?.reply }),
  } as unknown as NatsConnection;
  return { nc, published };
}

describe('AckBatcher', () => {
  const where = { subject: 'events.>', stream: 'tsigma-events', consumer: 'tsigma-daemon-events' };

  it('writes the acks of one tick together, with a reply subject on the last one only', async () => {
    const { nc, published } = silentConnection();
    const batcher = new AckBatcher(nc, 5000, recordingLogger(), where);
    const settled = Promise.all([batcher.ack('$JS.ACK.a'), batcher.ack('$JS.ACK.b')]);
    await Promise.resolve();
    expect(published.map((p) => p.subject)).toEqual(['$JS.ACK.a', '$JS.ACK.b']);
    expect(published.map((p) => p.reply !== undefined)).toEqual([false, true]);
    batcher.close();
    await settled;
  });

  it('reports unconfirmed acks to the passed logger as a warning with subject, stream and consumer fields', async () => {
    const { nc } = silentConnection();
    const logger = recordingLogger();
    const batcher = new AckBatcher(nc, 5000, logger, where);
    const acked = Promise.all([batcher.ack('$JS.ACK.a'), batcher.ack('$JS.ACK.b')]);
    await Promise.resolve();
    batcher.close();
    await acked; // never rejects: the server redelivers instead
    expect(logger.entries).toEqual([
      {
        level: 'warn',
        message: 'acks not confirmed, redelivery follows',
        fields: { ...where, acks: 2, reason: 'the source closed before the server confirmed them' },
      },
    ]);
  });
});
