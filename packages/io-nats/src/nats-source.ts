// NatsSource (spec 06 §3): reads a subject through a durable pull consumer and hands out events whose AckToken
// does confirmed acks. It never acks on its own (except blank payloads): the caller acks once results are safe.
// Pulls happen only while the caller is waiting in recv(), so a slow consumer is natural back-pressure.

import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { AckToken, EventSource, RawEvent } from '@tsigma/runtime';
import { validateSubject, type NatsConnectConfig } from './config.js';
import { connectNats } from './connect.js';
import { NatsConfigError, NatsIoError } from './errors.js';
import { stderrLogger, type NatsLogger } from './logger.js';
import { ReplyBatcher } from './reply-batcher.js';
import { ensureStream, openJetStream } from './streams.js';
import { durableNameFor, validateConsumerName } from './subjects.js';

/** Where a (re)created durable starts; `resume` keeps an existing durable's position. */
export type ReplayPolicy =
  | { kind: 'resume' }
  | { kind: 'all' }
  | { kind: 'sequence'; seq: number }
  | { kind: 'time'; at: Date }
  | { kind: 'latest' };

/** Tuning of {@link NatsSource}. */
export interface NatsSourceOptions {
  /** Server redelivers an unacked message after this long; default 30000. */
  ackWaitMs?: number;
  /** Deliveries before the server gives up on a message; unset = server default (unlimited). */
  maxDeliver?: number;
  /** Unacked messages the server hands out at most; default 1000. */
  maxAckPending?: number;
  /** Messages per pull request; default 256. */
  batch?: number;
  logger?: NatsLogger;
  /** Called once per message whose delivery count is above 1 (the daemon's `tsigma_nats_redelivered_total`). */
  onRedelivered?: () => void;
}

/** Default `ack_wait` (spec 06 §3). */
export const DEFAULT_ACK_WAIT_MS = 30_000;
/** Default `max_ack_pending` (spec 06 §3). */
export const DEFAULT_MAX_ACK_PENDING = 1000;
/** Default pull batch size (spec 06 §3). */
export const DEFAULT_BATCH = 256;
/** Wait for the server to confirm an ack (spec 06 §3). */
export const ACK_TIMEOUT_MS = 5000;
/**
 * Lifetime of one pull request. Short enough that a pull left behind by a closed source cannot hold new
 * messages for long; long enough that an idle source sends only a few requests a minute.
 */
const PULL_EXPIRES_MS = 5000;
/** Heartbeats inside a pull request, so a dead connection is noticed well before the request expires. */
const PULL_HEARTBEAT_MS = 2000;
/** Pause before re-issuing a pull that failed (connection loss), so a down server is not hammered. */
const PULL_RETRY_MS = 1000;

const decoder = new TextDecoder('utf-8', { fatal: false });
/** The JetStream ack payload. */
const ACK = new TextEncoder().encode('+ACK');

interface Outstanding {
  msg: JsMsg;
  lastSignal: number;
}

/**
 * Event source on a JetStream subject with a durable pull consumer; `recv()` resolves `null` after `close()`.
 *
 * @example
 * const source = await NatsSource.connect({ url: 'nats://127.0.0.1:4222' }, 'events.>');
 * const ev = await source.recv();
 * if (ev) { process(ev.payload); await ev.ackToken.ack(); }
 */
export class NatsSource implements EventSource {
  /** Messages received with a delivery count above 1. */
  redelivered = 0;
  private readonly queue: JsMsg[] = [];
  private waiters: (() => void)[] = [];
  private readonly outstanding = new Set<Outstanding>();
  private pull: Promise<void> | undefined;
  private messages: ConsumerMessages | undefined;
  private failedPulls = 0;
  private closed = false;
  private readonly signalTimer: NodeJS.Timeout;
  private readonly ackWaitMs: number;
  private readonly batch: number;
  private readonly logger: NatsLogger;
  private readonly acks: ReplyBatcher;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly consumer: Consumer,
    readonly subject: string,
    readonly durable: string,
    private readonly opts: NatsSourceOptions,
  ) {
    this.ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.batch = opts.batch ?? DEFAULT_BATCH;
    this.logger = opts.logger ?? stderrLogger;
    this.acks = new ReplyBatcher(nc, ACK_TIMEOUT_MS);
    // Checking four times per ack_wait and signalling tokens older than half of it keeps every gap between
    // signals under 3/4 of ack_wait, so a slow sink never triggers a premature redelivery.
    this.signalTimer = setInterval(() => this.signalInProgress(), Math.max(1, Math.floor(this.ackWaitMs / 4)));
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
    const durable = consumerGroup ?? durableNameFor(subject);
    const logger = opts.logger ?? stderrLogger;
    const nc = await connectNats(cfg, logger);
    try {
      const { js, jsm } = await openJetStream(nc, cfg.url);
      const stream = await ensureStream(jsm, subject);
      await reconcileConsumer(jsm, stream, durable, subject, replay, opts, logger);
      const consumer = await js.consumers.get(stream, durable);
      return new NatsSource(nc, consumer, subject, durable, opts);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** The next event, waiting for one; `null` once closed. Blank payloads are acked and skipped. */
  async recv(): Promise<RawEvent | null> {
    for (;;) {
      if (this.closed) return null;
      // Pull again once the buffer runs low rather than empty, so the next batch is already on its way while
      // the caller works through this one; with nobody calling recv(), no pull is issued (back-pressure).
      if (this.pull === undefined && this.queue.length <= this.batch / 2) this.startPull();
      const msg = this.queue.shift();
      if (msg !== undefined) {
        const event = this.toRawEvent(msg);
        if (event !== undefined) return event;
        continue;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Up to `max` events: waits for the first, then takes what the current pull already delivered without
   * waiting further. Empty only once closed. For callers that evaluate in batches.
   */
  async recvMany(max: number): Promise<RawEvent[]> {
    const first = await this.recv();
    if (first === null) return [];
    const out = [first];
    while (out.length < max && this.queue.length > 0) {
      const event = this.toRawEvent(this.queue.shift() as JsMsg);
      if (event !== undefined) out.push(event);
    }
    return out;
  }

  /**
   * Stops pulling and in-progress signals and closes the connection. Outstanding messages are neither acked
   * nor naked: the server redelivers them after `ack_wait`. Messages buffered but not yet handed out are
   * dropped the same way.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.signalTimer);
    this.messages?.stop();
    this.wake();
    await this.pull;
    this.acks.close();
    try {
      await this.nc.drain();
    } catch {
      // Draining a connection that is already closed or reconnecting fails; closing is all that is left to do.
      await this.nc.close();
    }
  }

  private startPull(): void {
    const run = async (): Promise<void> => {
      if (this.failedPulls > 0) await sleep(PULL_RETRY_MS);
      if (this.closed) return;
      const messages = await this.consumer.fetch({ max_messages: this.batch, expires: PULL_EXPIRES_MS, idle_heartbeat: PULL_HEARTBEAT_MS });
      this.messages = messages;
      if (this.closed) messages.stop();
      for await (const m of messages) {
        this.queue.push(m);
        this.wake();
      }
    };
    this.pull = run().then(
      () => {
        this.failedPulls = 0;
      },
      (err: unknown) => {
        this.failedPulls++;
        // Connection loss ends a pull with an error; the next recv() pulls again after PULL_RETRY_MS.
        if (!this.closed) this.logger.warn(`pull on ${this.subject} (durable ${this.durable}) failed, retrying: ${(err as Error).message}`);
      },
    ).finally(() => {
      this.pull = undefined;
      this.messages = undefined;
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private toRawEvent(msg: JsMsg): RawEvent | undefined {
    if (msg.info.deliveryCount > 1) {
      this.redelivered++;
      this.opts.onRedelivered?.();
    }
    const payload = decoder.decode(msg.data);
    if (payload.trim() === '') {
      // Nothing to evaluate; acking keeps it from coming back after ack_wait.
      msg.ack();
      return undefined;
    }
    const entry: Outstanding = { msg, lastSignal: performance.now() };
    this.outstanding.add(entry);
    return { payload, ackToken: new NatsAckToken(entry, this.outstanding, this.acks, this.logger), origin: `nats:${msg.subject}#${msg.seq}` };
  }

  private signalInProgress(): void {
    const now = performance.now();
    const half = this.ackWaitMs / 2;
    for (const entry of this.outstanding) {
      if (now - entry.lastSignal < half) continue;
      entry.msg.working();
      entry.lastSignal = now;
    }
  }
}

/**
 * Ack token of one message: a class rather than closures, since one is made per message on the hot path.
 * Acking or naking twice is a no-op; so is acking after the token was naked.
 */
class NatsAckToken implements AckToken {
  constructor(
    private readonly entry: Outstanding,
    private readonly outstanding: Set<Outstanding>,
    private readonly acks: ReplyBatcher,
    private readonly logger: NatsLogger,
  ) {}

  async ack(): Promise<void> {
    if (!this.outstanding.delete(this.entry)) return;
    const { msg } = this.entry;
    try {
      // Acks requested in the same tick go out together with one shared timeout (reply-batcher.ts).
      await this.acks.request(ackSubject(msg), ACK);
    } catch (err) {
      // Not fatal: the server redelivers after ack_wait and the contract allows the duplicate.
      this.logger.warn(`ack of ${msg.subject}#${msg.seq} not confirmed, it will be redelivered: ${(err as Error).message}`);
    }
  }

  nak(delayMs?: number): Promise<void> {
    if (this.outstanding.delete(this.entry)) this.entry.msg.nak(delayMs);
    return Promise.resolve();
  }

  position(): { streamSeq: number; timestampSec: number } {
    const { msg } = this.entry;
    return { streamSeq: msg.seq, timestampSec: Number(msg.timestampNanos / 1_000_000_000n) };
  }
}

/** The subject a message is acked on: its reply subject (`$JS.ACK.<stream>.<consumer>...`). */
function ackSubject(msg: JsMsg): string {
  // JsMsg's public type hides the reply subject; the implementation exposes it as `reply`.
  const reply = (msg as unknown as { reply?: unknown }).reply;
  if (typeof reply !== 'string' || !reply.startsWith('$JS.ACK.')) throw new Error(`message ${msg.subject}#${msg.seq} has no ack subject`);
  return reply;
}

function validateSourceOptions(replay: ReplayPolicy, opts: NatsSourceOptions): void {
  const positive = (v: number | undefined, name: string): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new NatsConfigError('BAD_OPTION', `${name} must be a positive integer, got ${v}`, [name]);
    }
  };
  positive(opts.ackWaitMs, 'ackWaitMs');
  positive(opts.maxDeliver, 'maxDeliver');
  positive(opts.maxAckPending, 'maxAckPending');
  positive(opts.batch, 'batch');
  if (replay.kind === 'sequence') positive(replay.seq, 'replay sequence');
  if (replay.kind === 'time' && Number.isNaN(replay.at.getTime())) {
    throw new NatsConfigError('BAD_OPTION', 'replay time is not a valid date', ['replay time']);
  }
}

/** The deliver-policy part of a consumer config for a replay policy. */
function deliverConfig(replay: ReplayPolicy): Pick<ConsumerConfig, 'deliver_policy' | 'opt_start_seq' | 'opt_start_time'> {
  switch (replay.kind) {
    case 'resume':
    case 'all':
      return { deliver_policy: DeliverPolicy.All };
    case 'latest':
      return { deliver_policy: DeliverPolicy.Last };
    case 'sequence':
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: replay.seq };
    case 'time':
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: replay.at.toISOString() };
  }
}

function sameStart(existing: Partial<ConsumerConfig>, replay: ReplayPolicy): boolean {
  const want = deliverConfig(replay);
  if (existing.deliver_policy !== want.deliver_policy) return false;
  if (replay.kind === 'sequence') return existing.opt_start_seq === replay.seq;
  if (replay.kind === 'time') return existing.opt_start_time !== undefined && Date.parse(existing.opt_start_time) === replay.at.getTime();
  return true;
}

/** Server error code for "consumer not found". */
const CONSUMER_NOT_FOUND = 10014;

/** Creates, reuses, updates or recreates the durable as spec 06 §3's table says. */
async function reconcileConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filter: string,
  replay: ReplayPolicy,
  opts: NatsSourceOptions,
  logger: NatsLogger,
): Promise<void> {
  const limits = {
    ack_wait: nanos(opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    max_ack_pending: opts.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
    ...(opts.maxDeliver !== undefined ? { max_deliver: opts.maxDeliver } : {}),
  };
  const wanted: Partial<ConsumerConfig> = { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: filter, ...limits, ...deliverConfig(replay) };
  const api = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw new NatsIoError('JETSTREAM_API', filter, `${what} consumer ${durable} on stream ${stream} failed: ${(err as Error).message}`, { cause: err });
    }
  };

  let existing: Partial<ConsumerConfig> | undefined;
  try {
    existing = (await jsm.consumers.info(stream, durable)).config;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND)) {
      throw new NatsIoError('JETSTREAM_API', filter, `looking up consumer ${durable} on stream ${stream} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  if (existing === undefined) {
    await api('creating', () => jsm.consumers.add(stream, wanted));
    return;
  }
  const sameFilter = existing.filter_subject === filter;
  if (replay.kind === 'resume' || (sameStart(existing, replay) && sameFilter)) {
    if (!sameFilter) {
      // nats-server 2.9 cannot change a consumer's filter; silently reading another subject would be worse.
      throw new NatsIoError(
        'CONSUMER_CONFLICT',
        filter,
        `durable ${durable} on stream ${stream} filters "${existing.filter_subject ?? ''}", not "${filter}"; use another consumer group or a replay policy to recreate it`,
      );
    }
    const differs = existing.ack_wait !== limits.ack_wait || existing.max_ack_pending !== limits.max_ack_pending
      || (limits.max_deliver !== undefined && existing.max_deliver !== limits.max_deliver);
    if (differs) await api('updating', () => jsm.consumers.update(stream, durable, limits));
    return;
  }
  logger.warn(`replay ${replay.kind} on ${filter}: deleting and recreating durable ${durable} (its position is reset)`);
  await api('deleting', () => jsm.consumers.delete(stream, durable));
  await api('creating', () => jsm.consumers.add(stream, wanted));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
