// NatsSource (spec 06 §3): reads a subject through a durable pull consumer and hands out events whose AckToken
// does confirmed acks. It never acks on its own (except blank payloads): the caller acks once results are safe.
// Pulls happen only while the caller is waiting in recv(), so a slow consumer is natural back-pressure.

import { AckPolicy, DeliverPolicy, JetStreamApiError, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import { createInbox, nanos, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { AckToken, EventSource, RawEvent, Sink } from '@tsigma/runtime';
import { AckBatcher } from './ack-batcher.js';
import { nanosToSeconds, parseAckSubject, readAckSubject, type AckNumbers } from './ack-subject.js';
import { validateSubject, type NatsConnectConfig } from './config.js';
import { connectNats } from './connect.js';
import { NatsConfigError, NatsIoError } from './errors.js';
import { stderrLogger, type NatsLogger } from './logger.js';
import { NatsSink } from './nats-sink.js';
import { PoisonRouter } from './poison-dlq.js';
import { ensureStream, openJetStream } from './streams.js';
import { assertNoFeedbackLoop, durableNameFor, validateConsumerName } from './subjects.js';

/** Where a (re)created durable starts; `resume` keeps an existing durable's position. */
export type ReplayPolicy =
  { kind: 'resume' } | { kind: 'all' } | { kind: 'sequence'; seq: number } | { kind: 'time'; at: Date } | { kind: 'latest' };

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
  /**
   * Where messages go that reached `maxDeliver` without an ack (requires `maxDeliver`): one dead letter each,
   * `{"original_event", "error": "max_deliver: ...", "timestamp", "origin"}`, written with `sendRaw`. The caller
   * owns and closes the sink.
   */
  poisonDlq?: Sink;
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
/** Heartbeats missed in a row before the open pulls are given up as lost (the client library uses 2 too). */
const MISSED_HEARTBEATS = 2;
/** Pause before pulling again after a failure (refusal by the server, lost heartbeats), so a down server is not hammered. */
const PULL_RETRY_MS = 1000;

/** Payloads are decoded with replacement characters for invalid UTF-8 (spec 06 §3), never rejected. */
const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();
/** JetStream ack payloads (`+ACK` for blank payloads, in progress `+WPI`, `-NAK`); confirmed acks: ack-batcher.ts. */
const ACK = encoder.encode('+ACK');
const WPI = encoder.encode('+WPI');
const NAK = encoder.encode('-NAK');
/** Status header with the messages a finished pull request did not deliver (nats-server ≥ 2.9). */
const PENDING_MESSAGES_HEADER = 'Nats-Pending-Messages';

/**
 * Event source on a JetStream subject with a durable pull consumer; `recv()` resolves `null` after `close()`.
 *
 * Pulls are issued by hand on a core subscription (`$JS.API.CONSUMER.MSG.NEXT` with a private inbox as reply)
 * rather than through the client's consumer iterator: that skips a `JsMsg` wrapper, a queued iterator and a
 * metadata parse per message, which was most of the source's CPU cost (BENCHMARKS.md).
 *
 * @example
 * const source = await NatsSource.connect({ url: 'nats://127.0.0.1:4222' }, 'events.>');
 * const ev = await source.recv();
 * if (ev) { process(ev.payload); await ev.ackToken.ack(); }
 */
export class NatsSource implements EventSource {
  /** Messages received with a delivery count above 1. */
  redelivered = 0;
  /** Delivered messages not yet handed out; `head` is the next one (cheaper than Array.shift on big batches). */
  private queue: Msg[] = [];
  private head = 0;
  private waiters: (() => void)[] = [];
  /** What every ack token of this source shares (one reference per token instead of a copy of each field). */
  private readonly tokens: TokenContext;
  /** Open pull requests: inbox subject -> when the request expires on the server (performance.now() time). */
  private readonly pulls = new Map<string, number>();
  /** Messages requested by the open pulls and not delivered yet. */
  private requested = 0;
  private nextPull = 0;
  /** When the inbox last received anything (message, heartbeat or status). */
  private lastHeard = 0;
  /** No pull before this time (set after a failure); a timer wakes recv() then. */
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedPulls = 0;
  private closed = false;
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly pullSubject: string;
  private readonly pullRequest: Uint8Array;
  private readonly signalTimer: NodeJS.Timeout;
  private readonly watchTimer: NodeJS.Timeout;
  private readonly ackWaitMs: number;
  private readonly batch: number;
  private readonly logger: NatsLogger;
  /** Filled by readAckSubject for each message; reused so the per-message path allocates no metadata object. */
  private readonly numbers: AckNumbers = { delivered: 0, streamSeq: 0 };
  private readonly poison: PoisonRouter | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    stream: string,
    readonly subject: string,
    readonly durable: string,
    private readonly opts: NatsSourceOptions,
  ) {
    this.ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.batch = opts.batch ?? DEFAULT_BATCH;
    this.logger = opts.logger ?? stderrLogger;
    const acks = new AckBatcher(nc, ACK_TIMEOUT_MS, this.logger, `${subject} (durable ${durable})`);
    this.tokens = { outstanding: new Set(), acks, nc };
    this.pullSubject = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`;
    this.pullRequest = encoder.encode(
      JSON.stringify({ batch: this.batch, expires: nanos(PULL_EXPIRES_MS), idle_heartbeat: nanos(PULL_HEARTBEAT_MS) }),
    );
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (err, msg) => this.onInbox(err, msg) });
    this.poison = opts.poisonDlq === undefined ? undefined : new PoisonRouter(nc, stream, durable, subject, opts.poisonDlq, this.logger);
    // Checking four times per ack_wait and signalling tokens older than half of it keeps every gap between
    // signals under 3/4 of ack_wait, so a slow sink never triggers a premature redelivery.
    this.signalTimer = setInterval(() => this.signalInProgress(), Math.max(1, Math.floor(this.ackWaitMs / 4)));
    this.signalTimer.unref();
    this.watchTimer = setInterval(() => this.watchPulls(), PULL_HEARTBEAT_MS);
    this.watchTimer.unref();
    void this.watchReconnects();
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
    const logger = opts.logger ?? stderrLogger;
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
      if (this.closed) return null;
      this.maybePull();
      while (this.head < this.queue.length) {
        const event = this.toRawEvent(this.take());
        if (event !== undefined) return event;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
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
    while (out.length < max && this.head < this.queue.length) {
      const event = this.toRawEvent(this.take());
      if (event !== undefined) out.push(event);
    }
    // The caller is still asking: top the pulls up now so the next batch travels while this one is evaluated.
    this.maybePull();
    return out;
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
    clearInterval(this.watchTimer);
    clearTimeout(this.retryTimer);
    this.sub.unsubscribe();
    this.queue = [];
    this.head = 0;
    this.wake();
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
   * Issues a pull when what is buffered plus what open pulls still owe is at most one batch, so about one
   * batch is always on its way while the caller works through the previous one. Only called while the caller
   * asks for events: with nobody in recv(), nothing is pulled (back-pressure).
   */
  private maybePull(): void {
    if (this.closed || this.queue.length - this.head + this.requested > this.batch) return;
    const now = performance.now();
    if (now < this.retryAt) {
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.wake();
      }, this.retryAt - now);
      this.retryTimer.unref();
      return;
    }
    const reply = `${this.inbox}.${this.nextPull++}`;
    try {
      this.nc.publish(this.pullSubject, this.pullRequest, { reply });
    } catch (err) {
      // Publishing throws only on a closed connection (while reconnecting it is buffered).
      this.pullFailed(`pull request failed: ${(err as Error).message}`);
      return;
    }
    if (this.pulls.size === 0) this.lastHeard = now;
    this.pulls.set(reply, now + PULL_EXPIRES_MS);
    this.requested += this.batch;
  }

  /** Everything arriving on the pull inbox: delivered messages (with a `$JS.ACK` reply) and status messages. */
  private onInbox(err: Error | null, msg: Msg): void {
    if (err !== null) {
      // A subscription error (e.g. permission denied on the inbox) ends the subscription; nothing more can come.
      if (!this.closed) this.logger.warn(`pull inbox of ${this.subject} (durable ${this.durable}) failed: ${err.message}`);
      return;
    }
    this.lastHeard = performance.now();
    if (msg.reply) {
      if (this.requested > 0) this.requested--;
      this.queue.push(msg);
      this.failedPulls = 0;
      if (this.waiters.length > 0) this.wake();
      return;
    }
    this.onStatus(msg);
  }

  /** Status messages of a pull request: 100 heartbeat, 404/408 finished, 409 refused or ended by the server. */
  private onStatus(msg: Msg): void {
    const code = msg.headers?.code ?? 0;
    if (code === 100 || code === 404 || code === 408) this.failedPulls = 0;
    if (code === 100) return; // idle heartbeat: lastHeard is updated, which is all it is for
    // Statuses for inboxes not open any more belong to pulls already given up.
    if (!this.pulls.delete(msg.subject)) return;
    if (code === 404 || code === 408) {
      // The request expired (or found nothing): take back what it did not deliver. Without the header (older
      // servers) assume nothing; the open pulls are re-counted when they all expired (watchPulls).
      const left = Number(msg.headers?.get(PENDING_MESSAGES_HEADER) || 0);
      this.requested = Math.max(0, this.requested - left);
      if (this.pulls.size === 0) this.requested = 0;
    } else {
      // 409 (max ack pending or batch exceeded, consumer deleted, leadership change) and anything unexpected:
      // the server will not serve this consumer's pulls for now, so start over after a pause.
      this.pullFailed(`pull refused by the server: ${code} ${msg.headers?.description ?? ''}`.trimEnd());
    }
    this.wake();
  }

  /** Gives up all open pulls, logs why, and delays the next pull by PULL_RETRY_MS. */
  private pullFailed(reason: string): void {
    this.pulls.clear();
    this.requested = 0;
    this.failedPulls++;
    this.retryAt = performance.now() + PULL_RETRY_MS;
    if (!this.closed && this.failedPulls <= 1)
      this.logger.warn(`pull on ${this.subject} (durable ${this.durable}) failed, retrying: ${reason}`);
    this.wake();
  }

  /**
   * Every heartbeat interval: drop pulls that expired on the server (their 408 may be lost), and give up all
   * open pulls when the server owes messages but sent neither messages nor heartbeats for MISSED_HEARTBEATS
   * intervals (a dead connection or a restarted server).
   */
  private watchPulls(): void {
    if (this.pulls.size === 0) return;
    const now = performance.now();
    for (const [reply, expiresAt] of this.pulls) if (now > expiresAt + PULL_HEARTBEAT_MS) this.pulls.delete(reply);
    if (this.pulls.size === 0) {
      // Every request ended on the server by now, whether filled or expired.
      this.requested = 0;
      this.wake();
    } else if (this.requested > 0 && now - this.lastHeard > MISSED_HEARTBEATS * PULL_HEARTBEAT_MS) {
      this.pullFailed(`no message or heartbeat for ${Math.round(now - this.lastHeard)} ms`);
    }
  }

  /** After a reconnect the server may have lost the open pulls; pull again at once instead of waiting for heartbeats. */
  private async watchReconnects(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type !== 'reconnect' || this.closed) continue;
      this.pulls.clear();
      this.requested = 0;
      this.retryAt = 0;
      this.wake();
    }
  }

  private take(): Msg {
    const msg = this.queue[this.head++] as Msg;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return msg;
  }

  private wake(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private toRawEvent(msg: Msg): RawEvent | undefined {
    const reply = msg.reply as string;
    const info = this.numbers;
    if (!readAckSubject(reply, info)) {
      // Not a JetStream delivery (someone published to our inbox); there is nothing to ack. Dropped on purpose.
      this.logger.warn(`ignoring a message on the pull inbox of ${this.subject} without a $JS.ACK reply subject`);
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
    const token = new NatsAckToken(this.tokens, reply, info.streamSeq);
    this.tokens.outstanding.add(token);
    return { payload, ackToken: token, origin: `nats:${msg.subject}#${info.streamSeq}` };
  }

  private signalInProgress(): void {
    const now = performance.now();
    const half = this.ackWaitMs / 2;
    for (const token of this.tokens.outstanding) {
      if (now - token.lastSignal < half) continue;
      publishQuietly(this.nc, token.reply, WPI);
      token.lastSignal = now;
    }
  }
}

/** Fire-and-forget publish (in-progress, nak, blank ack); a closed connection is not an error here. */
function publishQuietly(nc: NatsConnection, subject: string, data: Uint8Array): void {
  try {
    nc.publish(subject, data);
  } catch {
    // Only a closed connection throws; the server redelivers after ack_wait, which is the documented outcome.
  }
}

/** State of one source that its ack tokens need. */
interface TokenContext {
  /** Tokens handed out and neither acked nor naked; they get in-progress signals. */
  outstanding: Set<NatsAckToken>;
  /** Confirmed acks go through here (one confirmation per tick, ack-batcher.ts). */
  acks: AckBatcher;
  nc: NatsConnection;
}

/** True for an empty or whitespace-only payload; avoids trim()'s copy for the usual payload starting with `{`. */
function isBlank(s: string): boolean {
  if (s.length === 0) return true;
  const c = s.charCodeAt(0);
  return (c <= 32 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || c >= 0x1680) && s.trim() === '';
}

/**
 * Ack token of one message: a class rather than closures, since one is made per message on the hot path.
 * Acking or naking twice is a no-op; so is acking after the token was naked.
 */
class NatsAckToken implements AckToken {
  /** performance.now() of the delivery or of the last in-progress signal. */
  lastSignal = performance.now();

  constructor(
    private readonly ctx: TokenContext,
    readonly reply: string,
    private readonly streamSeq: number,
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
  if (opts.poisonDlq !== undefined && opts.maxDeliver === undefined) {
    // Without max_deliver the server never gives up on a message, so the DLQ would silently stay empty.
    throw new NatsConfigError('BAD_OPTION', 'poisonDlq needs maxDeliver: without it no message is ever abandoned', [
      'poisonDlq',
      'maxDeliver',
    ]);
  }
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
  const wanted: Partial<ConsumerConfig> = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: filter,
    ...limits,
    ...deliverConfig(replay),
  };
  const api = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw new NatsIoError('JETSTREAM_API', filter, `${what} consumer ${durable} on stream ${stream} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };

  let existing: Partial<ConsumerConfig> | undefined;
  try {
    existing = (await jsm.consumers.info(stream, durable)).config;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND)) {
      throw new NatsIoError(
        'JETSTREAM_API',
        filter,
        `looking up consumer ${durable} on stream ${stream} failed: ${(err as Error).message}`,
        { cause: err },
      );
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
    const differs =
      existing.ack_wait !== limits.ack_wait ||
      existing.max_ack_pending !== limits.max_ack_pending ||
      (limits.max_deliver !== undefined && existing.max_deliver !== limits.max_deliver);
    if (differs) await api('updating', () => jsm.consumers.update(stream, durable, limits));
    return;
  }
  logger.warn(`replay ${replay.kind} on ${filter}: deleting and recreating durable ${durable} (its position is reset)`);
  await api('deleting', () => jsm.consumers.delete(stream, durable));
  await api('creating', () => jsm.consumers.add(stream, wanted));
}
