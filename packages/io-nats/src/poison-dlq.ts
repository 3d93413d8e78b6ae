// Poison messages (spec 06 §3, max_deliver): listens for the server's MAX_DELIVERIES advisory of one durable,
// fetches the abandoned message by stream sequence and writes one dead letter for it. It never acks, naks or
// retries: the server has already given up on the message, and a failed dead letter is logged, not thrown.

import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '@tsigma/eval';
import type { DeadLetterLine, Sink } from '@tsigma/runtime';

/** Wait for the `$JS.API.STREAM.MSG.GET` reply; the same budget as a confirmed ack. */
const MSG_GET_TIMEOUT_MS = 5000;

const encoder = new TextEncoder();
/** Payloads are decoded like delivered ones (spec 06 §3): replacement characters, never a rejection. */
const decoder = new TextDecoder('utf-8', { fatal: false });

/** The fields of a `io.nats.jetstream.advisory.v1.max_deliver` advisory this module uses. */
interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  streamSeq: number;
  deliveries: number;
}

/** Subject of the server's advisory for a message of `durable` on `stream` that reached `max_deliver`. */
export function maxDeliveriesSubject(stream: string, durable: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`;
}

/** Reads an advisory body; undefined when it is not JSON or lacks a field (logged by the caller). */
export function parseMaxDeliveriesAdvisory(text: string): MaxDeliveriesAdvisory | undefined {
  let body: { stream?: unknown; consumer?: unknown; stream_seq?: unknown; deliveries?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object') return undefined;
  const { stream, consumer, stream_seq: streamSeq, deliveries } = body;
  if (typeof stream !== 'string' || typeof consumer !== 'string' || typeof streamSeq !== 'number' || typeof deliveries !== 'number')
    return undefined;
  return { stream, consumer, streamSeq, deliveries };
}

/** The stored message, or why it could not be read (e.g. already removed by the stream's limits). */
type FetchedMessage = { subject: string; payload: string } | { gone: string };

/** Reads a `$JS.API.STREAM.MSG.GET` reply body. */
export function parseMsgGetReply(text: string): FetchedMessage {
  let body: { message?: { subject?: unknown; data?: unknown }; error?: { code?: unknown; description?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { gone: 'reply is not a JetStream message-get response' };
  }
  if (body.error !== undefined) return { gone: `${String(body.error.code)} ${String(body.error.description)}` };
  const subject = body.message?.subject;
  const data = body.message?.data;
  if (typeof subject !== 'string') return { gone: 'reply is not a JetStream message-get response' };
  // An empty payload is stored without `data`.
  const payload = typeof data === 'string' ? decoder.decode(Buffer.from(data, 'base64')) : '';
  return { subject, payload };
}

/**
 * The dead-letter line for a poison message, in the runtime's `DeadLetterLine` shape (its `formatDeadLetter` takes a
 * closed category union without `max_deliver`, and io-nats may only use runtime's types). When the payload is gone,
 * `original_event` is empty, the error says why, and `origin` uses `fallbackSubject` (the source's filter).
 */
export function poisonDeadLetter(advisory: MaxDeliveriesAdvisory, fetched: FetchedMessage, fallbackSubject: string, nowMs: number): string {
  const detail = `not acknowledged after ${advisory.deliveries} deliveries`;
  const found = 'payload' in fetched;
  const line: DeadLetterLine = {
    original_event: found ? fetched.payload : '',
    error: found ? `max_deliver: ${detail}` : `max_deliver: ${detail}; payload gone from stream ${advisory.stream}: ${fetched.gone}`,
    timestamp: new Date(nowMs).toISOString(),
    origin: `nats:${found ? fetched.subject : fallbackSubject}#${advisory.streamSeq}`,
  };
  return JSON.stringify(line);
}

/**
 * Routes one durable's poison messages to a DLQ sink while a source is open. The subscription is a queue
 * subscription named after the durable, so a consumer group writes each poison message once, not once per member.
 */
export class PoisonRouter {
  private readonly sub: Subscription;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly durable: string,
    private readonly subject: string,
    private readonly dlq: Sink,
    private readonly logger: Logger,
  ) {
    this.sub = nc.subscribe(maxDeliveriesSubject(stream, durable), {
      queue: `tsigma-poison-${durable}`,
      callback: (err, msg) => this.onAdvisory(err, msg),
    });
  }

  /** Stops listening and waits for the dead letters already being written. */
  async close(): Promise<void> {
    this.sub.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
  }

  private onAdvisory(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.logger.warn('poison advisory subscription failed', { ...this.where(), error: err.message });
      return;
    }
    const advisory = parseMaxDeliveriesAdvisory(decoder.decode(msg.data));
    if (advisory === undefined || advisory.stream !== this.stream || advisory.consumer !== this.durable) {
      this.logger.warn('ignoring a malformed max_deliver advisory', { ...this.where(), advisory: msg.subject });
      return;
    }
    const write = this.deadLetter(advisory).catch((e: unknown) => {
      // Not rethrown: the server has abandoned the message, and a source must not crash over its dead letter.
      this.logger.warn('poison message not dead-lettered', {
        ...this.where(),
        seq: advisory.streamSeq,
        dlq: this.dlq.label,
        error: (e as Error).message,
      });
    });
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  }

  /** Log fields naming the source's subject, stream and durable. */
  private where(): { subject: string; stream: string; consumer: string } {
    return { subject: this.subject, stream: this.stream, consumer: this.durable };
  }

  private async deadLetter(advisory: MaxDeliveriesAdvisory): Promise<void> {
    let fetched: FetchedMessage;
    try {
      const reply = await this.nc.request(
        `$JS.API.STREAM.MSG.GET.${this.stream}`,
        encoder.encode(JSON.stringify({ seq: advisory.streamSeq })),
        { timeout: MSG_GET_TIMEOUT_MS },
      );
      fetched = parseMsgGetReply(decoder.decode(reply.data));
    } catch (err) {
      fetched = { gone: `message get failed: ${(err as Error).message}` };
    }
    if ('gone' in fetched)
      this.logger.warn('poison message payload not readable', { ...this.where(), seq: advisory.streamSeq, reason: fetched.gone });
    await this.dlq.sendRaw(poisonDeadLetter(advisory, fetched, this.subject, Date.now()));
  }
}
