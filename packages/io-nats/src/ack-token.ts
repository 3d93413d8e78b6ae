// Ack tokens of the messages NatsSource hands out: confirmed ack (through the AckBatcher), nak, position, and the
// in-progress signals that keep slow messages from being redelivered. Tokens never pull or decode messages.

import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { AckToken } from '@tsigma/runtime';
import type { AckBatcher } from './ack-batcher.js';
import { nanosToSeconds, parseAckSubject } from './ack-subject.js';

const encoder = new TextEncoder();
/** JetStream ack payloads (`+ACK` for blank payloads, in progress `+WPI`, `-NAK`); confirmed acks: ack-batcher.ts. */
export const ACK = encoder.encode('+ACK');
const WPI = encoder.encode('+WPI');
const NAK = encoder.encode('-NAK');

/** Fire-and-forget publish (in-progress, nak, blank ack); a closed connection is not an error here. */
export function publishQuietly(nc: NatsConnection, subject: string, data: Uint8Array): void {
  try {
    nc.publish(subject, data);
  } catch {
    // Only a closed connection throws; the server redelivers after ack_wait, which is the documented outcome.
  }
}

/** State of one source that its ack tokens need. */
export interface TokenContext {
  /** Tokens handed out and neither acked nor naked; they get in-progress signals. */
  outstanding: Set<NatsAckToken>;
  /** Confirmed acks go through here (one confirmation per tick, ack-batcher.ts). */
  acks: AckBatcher;
  nc: NatsConnection;
}

/** Tells the server the message of `reply` is still being worked on, which restarts its ack_wait. */
export function sendInProgress(nc: NatsConnection, reply: string): void {
  publishQuietly(nc, reply, WPI);
}

/**
 * Sends `+WPI` for every outstanding token the server has not heard about since `before` (delivery or earlier
 * signal) and counts it as heard at `now`. Acked and naked tokens left the set, so their signals stop.
 */
export function signalOutstanding(ctx: TokenContext, before: number, now: number): void {
  for (const token of ctx.outstanding) {
    if (token.heardAt > before) continue;
    sendInProgress(ctx.nc, token.reply);
    token.heardAt = now;
  }
}

/**
 * Ack token of one message: a class rather than closures, since one is made per message on the hot path.
 * Acking or naking twice is a no-op; so is acking after the token was naked.
 */
export class NatsAckToken implements AckToken {
  constructor(
    private readonly ctx: TokenContext,
    readonly reply: string,
    private readonly streamSeq: number,
    /**
     * performance.now() when the server last heard about the message: its delivery or the last in-progress signal,
     * including those sent while it waited in the pull buffer (a hand-out is nothing the server hears about).
     */
    public heardAt: number,
  ) {}

  /** Resolves once the server confirmed the ack; never rejects (an unconfirmed ack is logged, ack-batcher.ts). */
  ack(): Promise<void> {
    if (!this.ctx.outstanding.delete(this)) return Promise.resolve();
    return this.ctx.acks.ack(this.reply);
  }

  nak(delayMs?: number): Promise<void> {
    if (this.ctx.outstanding.delete(this)) {
      const data = delayMs !== undefined && delayMs > 0 ? encoder.encode(`-NAK ${JSON.stringify({ delay: nanos(delayMs) })}`) : NAK;
      publishQuietly(this.ctx.nc, this.reply, data);
    }
    return Promise.resolve();
  }

  position(): { streamSeq: number; timestampSec: number } {
    // Read lazily: only the daemon's position tracking asks, far less often than once per message.
    const info = parseAckSubject(this.reply);
    return { streamSeq: this.streamSeq, timestampSec: info === undefined ? 0 : nanosToSeconds(info.timestampNs) };
  }
}
