// NatsSource (spec 06 §3): the EventSource adapter. It connects, sets the durable up (consumer-setup.ts), turns
// messages of the pull loop (pull-loop.ts) into RawEvents with ack tokens (ack-token.ts), and never acks on its own
// (except blank payloads): the caller acks once results are safe.

import type { NatsConnection, Msg } from '@nats-io/transport-node';
import { silentLogger, type Logger } from '@tsigma/eval';
import type { EventSource, RawEvent } from '@tsigma/runtime';
import { AckBatcher } from './ack-batcher.js';
import { readAckSubject, type AckNumbers } from './ack-subject.js';
import { ACK, NatsAckToken, publishQuietly, sendInProgress, signalOutstanding, type TokenContext } from './ack-token.js';
import { validateSubject, type NatsConnectConfig } from './config.js';
import { connectNats } from './connect.js';
import { reconcileConsumer } from './consumer-setup.js';
import { NatsSink } from './nats-sink.js';
import { PoisonRouter } from './poison-dlq.js';
import { PullLoop } from './pull-loop.js';
import {
  ACK_TIMEOUT_MS,
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_BATCH,
  validateSourceOptions,
  type NatsSourceOptions,
  type ReplayPolicy,
} from './source-options.js';
import { ensureStream, openJetStream } from './streams.js';
import { assertNoFeedbackLoop, durableNameFor, validateConsumerName } from './subjects.js';

/** Payloads are decoded with replacement characters for invalid UTF-8 (spec 06 §3), never rejected. */
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The in-progress timer runs this many times per ack_wait and signals every unacked message the server has not
 * heard about for half of ack_wait, so no message goes more than 3/4 of ack_wait without a delivery or signal,
 * and none is signalled more than once per half ack_wait.
 */
const SIGNAL_CHECKS_PER_ACK_WAIT = 4;

/**
 * Event source on a JetStream subject with a durable pull consumer; `recv()` resolves `null` after `close()`.
 * Pulls happen only while the caller is waiting in recv(), so a slow consumer is natural back-pressure. While the
 * source lives, every message it holds unacked (buffered or handed out) is kept from redelivery by in-progress signals.
 *
 * @example
 * const source = await NatsSource.connect({ url: 'nats://127.0.0.1:4222' }, 'events.>');
 * const ev = await source.recv();
 * if (ev) { process(ev.payload); await ev.ackToken.ack(); }
 */
export class NatsSource implements EventSource {
  /** Messages received with a delivery count above 1. */
  redelivered = 0;
  /** What every ack token of this source shares (one reference per token instead of a copy of each field). */
  private readonly tokens: TokenContext;
  private readonly pull: PullLoop;
  private closed = false;
  /** Set by stopReceiving(): no more events are handed out, but acks and in-progress signals still flow. */
  private stopped = false;
  private readonly signalTimer: NodeJS.Timeout;
  private readonly ackWaitMs: number;
  private readonly logger: Logger;
  /** Filled by readAckSubject for each message; reused so the per-message path allocates no metadata object. */
  private readonly numbers: AckNumbers = { delivered: 0, streamSeq: 0 };
  private readonly poison: PoisonRouter | undefined;
  /** Sends one buffered message's in-progress signal; made once, not per timer run. */
  private readonly signalBuffered = (reply: string): void => sendInProgress(this.nc, reply);

  private constructor(
    private readonly nc: NatsConnection,
    stream: string,
    readonly subject: string,
    readonly durable: string,
    private readonly opts: NatsSourceOptions,
  ) {
    this.ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.logger = opts.logger ?? silentLogger;
    const acks = new AckBatcher(nc, ACK_TIMEOUT_MS, this.logger, { subject, stream, consumer: durable });
    this.tokens = { outstanding: new Set(), acks, nc };
    this.pull = new PullLoop(nc, stream, subject, durable, opts.batch ?? DEFAULT_BATCH, this.logger);
    this.poison = opts.poisonDlq === undefined ? undefined : new PoisonRouter(nc, stream, durable, subject, opts.poisonDlq, this.logger);
    // One timer for everything the source holds, not one per message: a slow caller holds thousands.
    const every = Math.max(1, Math.floor(this.ackWaitMs / SIGNAL_CHECKS_PER_ACK_WAIT));
    this.signalTimer = setInterval(() => this.signalInProgress(), every);
    this.signalTimer.unref();
  }

  /**
   * Connects, ensures the stream capturing `subject`, reconciles the durable pull consumer (`consumerGroup` or
   * `tsigma-daemon-<sanitized>`) with `replay` (spec 06 §3 table), and returns a source ready to `recv()`.
   */
  static async connect(
    cfg: NatsConnectConfig,
    subject: string,
    replay: ReplayPolicy = { kind: 'resume' },
    consumerGroup?: string,
    opts: NatsSourceOptions = {},
  ): Promise<NatsSource> {
    validateSubject(subject, 'input');
    if (consumerGroup !== undefined) validateConsumerName(consumerGroup);
    validateSourceOptions(replay, opts);
    if (opts.poisonDlq instanceof NatsSink) assertNoFeedbackLoop(subject, [opts.poisonDlq.subject]);
    const durable = consumerGroup ?? durableNameFor(subject);
    const logger = opts.logger ?? silentLogger;
    const nc = await connectNats(cfg, logger);
    try {
      const { jsm } = await openJetStream(nc, cfg.url);
      const stream = await ensureStream(jsm, subject);
      await reconcileConsumer(jsm, stream, durable, subject, replay, opts, logger);
      return new NatsSource(nc, stream, subject, durable, opts);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** The next event, waiting for one; `null` once closed. Blank payloads are acked and skipped. */
  async recv(): Promise<RawEvent | null> {
    for (;;) {
      if (this.closed || this.stopped) return null;
      this.pull.maybePull();
      for (let msg = this.pull.next(); msg !== undefined; msg = this.pull.next()) {
        const event = this.toRawEvent(msg, this.pull.takenHeardAt);
        if (event !== undefined) return event;
      }
      await this.pull.wait();
    }
  }

  /**
   * Up to `max` events: waits for the first, then takes what the open pulls already delivered without
   * waiting further. Empty only once closed. For callers that evaluate in batches.
   */
  async recvMany(max: number): Promise<RawEvent[]> {
    const first = await this.recv();
    if (first === null) return [];
    const out = [first];
    while (out.length < max) {
      const msg = this.pull.next();
      if (msg === undefined) break;
      const event = this.toRawEvent(msg, this.pull.takenHeardAt);
      if (event !== undefined) out.push(event);
    }
    // The caller is still asking: top the pulls up now so the next batch travels while this one is evaluated.
    this.pull.maybePull();
    return out;
  }

  /**
   * Stops pulling: pending and later `recv()` calls resolve null, while the events already handed out can still be
   * acked (and keep their in-progress signals) until {@link close}. A graceful shutdown calls this first, lets the
   * loop deliver and ack what it holds, then closes. Messages buffered but not handed out are redelivered.
   */
  stopReceiving(): Promise<void> {
    if (!this.stopped && !this.closed) {
      this.stopped = true;
      this.pull.close();
    }
    return Promise.resolve();
  }

  /**
   * Stops pulling and in-progress signals and closes the connection. Outstanding messages are neither acked
   * nor naked: the server redelivers them after `ack_wait`. Messages buffered but not yet handed out are
   * dropped the same way. Poison dead letters already being written are finished first.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.signalTimer);
    if (!this.stopped) this.pull.close();
    this.tokens.acks.close();
    await this.poison?.close();
    try {
      await this.nc.drain();
    } catch {
      // Draining a connection that is already closed or reconnecting fails; closing is all that is left to do.
      await this.nc.close();
    }
  }

  /**
   * Keeps the messages this source holds from being redelivered: those pulled but still buffered (the server's
   * ack_wait started when it sent them, however long the caller takes to ask) and those handed out and neither
   * acked nor naked. Each gets `+WPI` once the server has not heard about it for half of ack_wait.
   */
  private signalInProgress(): void {
    const now = performance.now();
    const before = now - this.ackWaitMs / 2;
    this.pull.signalBuffered(before, now, this.signalBuffered);
    signalOutstanding(this.tokens, before, now);
  }

  /** `heardAt`: when the server last heard about `msg` while it was buffered, carried on by its ack token. */
  private toRawEvent(msg: Msg, heardAt: number): RawEvent | undefined {
    const reply = msg.reply as string;
    const info = this.numbers;
    if (!readAckSubject(reply, info)) {
      // Not a JetStream delivery (someone published to our inbox); there is nothing to ack. Dropped on purpose.
      this.logger.warn('ignoring a message on the pull inbox without a $JS.ACK reply subject', {
        subject: this.subject,
        consumer: this.durable,
      });
      return undefined;
    }
    if (info.delivered > 1) {
      this.redelivered++;
      this.opts.onRedelivered?.();
    }
    const payload = decoder.decode(msg.data);
    if (isBlank(payload)) {
      // Nothing to evaluate; acking keeps it from coming back after ack_wait.
      publishQuietly(this.nc, reply, ACK);
      return undefined;
    }
    const token = new NatsAckToken(this.tokens, reply, info.streamSeq, heardAt);
    this.tokens.outstanding.add(token);
    return { payload, ackToken: token, origin: `nats:${msg.subject}#${info.streamSeq}` };
  }
}

/** True for an empty or whitespace-only payload; avoids trim()'s copy for the usual payload starting with `{`. */
function isBlank(s: string): boolean {
  if (s.length === 0) return true;
  const c = s.charCodeAt(0);
  return (c <= 32 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || c >= 0x1680) && s.trim() === '';
}
