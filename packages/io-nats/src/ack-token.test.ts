import type { NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import type { AckBatcher } from './ack-batcher.js';
import { NatsAckToken, signalOutstanding, type TokenContext } from './ack-token.js';

/** A token context whose connection records what is published and whose acks settle at once. */
function context(): { ctx: TokenContext; published: string[] } {
  const published: string[] = [];
  const nc = {
    publish: (subject: string, data: Uint8Array) => published.push(`${subject} ${new TextDecoder().decode(data)}`),
  } as unknown as NatsConnection;
  const acks = { ack: () => Promise.resolve() } as unknown as AckBatcher;
  return { ctx: { outstanding: new Set(), acks, nc }, published };
}

function handOut(ctx: TokenContext, reply: string, heardAt: number): NatsAckToken {
  const token = new NatsAckToken(ctx, reply, 1, heardAt);
  ctx.outstanding.add(token);
  return token;
}

describe('in-progress signals of handed-out messages', () => {
  it('signal what the server has not heard about since `before`, going on from the time the token was given', () => {
    const { ctx, published } = context();
    // Signalled at 100 while it waited in the pull buffer, then handed out: the hand-out itself counts for nothing.
    const waited = handOut(ctx, '$JS.ACK.a', 100);
    handOut(ctx, '$JS.ACK.b', 900);
    signalOutstanding(ctx, 500, 1000);
    expect(published).toEqual(['$JS.ACK.a +WPI']);
    expect(waited.heardAt).toBe(1000);
    signalOutstanding(ctx, 500, 1010);
    expect(published).toHaveLength(1);
  });

  it('stop once the token is acked or naked', async () => {
    const { ctx, published } = context();
    const acked = handOut(ctx, '$JS.ACK.a', 0);
    const naked = handOut(ctx, '$JS.ACK.b', 0);
    await acked.ack();
    await naked.nak();
    published.length = 0; // the nak itself
    signalOutstanding(ctx, 500, 1000);
    expect(published).toEqual([]);
  });
});
