// The fetch side of NatsSource: pull requests on a private inbox, the buffer of delivered messages (pull-buffer.ts),
// and flow control (messages owed by open pulls, expiry, heartbeats, retry pauses, reconnects). It pulls only when
// asked (maybePull) and never decodes, acks, signals or hands out events: that is nats-source.ts.

import { createInbox, nanos, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from '@tsigma/eval';
import { PullBuffer } from './pull-buffer.js';

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
/** Status header with the messages a finished pull request did not deliver (nats-server ≥ 2.9). */
const PENDING_MESSAGES_HEADER = 'Nats-Pending-Messages';

const encoder = new TextEncoder();

/**
 * Pulls from one durable by hand on a core subscription (`$JS.API.CONSUMER.MSG.NEXT` with a private inbox as
 * reply) rather than through the client's consumer iterator: that skips a `JsMsg` wrapper, a queued iterator and
 * a metadata parse per message, which was most of the source's CPU cost (BENCHMARKS.md).
 */
export class PullLoop {
  /** Delivered messages not yet handed out. */
  private readonly buffer = new PullBuffer<Msg>();
  private waiters: (() => void)[] = [];
  /** Open pull requests: inbox subject -> when the request expires on the server (performance.now() time). */
  private readonly pulls = new Map<string, number>();
  /** Messages requested by the open pulls and not delivered yet. */
  private requested = 0;
  private nextPull = 0;
  /** When the inbox last received anything (message, heartbeat or status). */
  private lastHeard = 0;
  /** No pull before this time (set after a failure); a timer wakes the waiters then. */
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedPulls = 0;
  private closed = false;
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly pullSubject: string;
  private readonly pullRequest: Uint8Array;
  private readonly watchTimer: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly subject: string,
    private readonly durable: string,
    private readonly batch: number,
    private readonly logger: Logger,
  ) {
    this.pullSubject = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`;
    this.pullRequest = encoder.encode(
      JSON.stringify({ batch: this.batch, expires: nanos(PULL_EXPIRES_MS), idle_heartbeat: nanos(PULL_HEARTBEAT_MS) }),
    );
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (err, msg) => this.onInbox(err, msg) });
    this.watchTimer = setInterval(() => this.watchPulls(), PULL_HEARTBEAT_MS);
    this.watchTimer.unref();
    void this.watchReconnects();
  }

  /** The next buffered message, or undefined when none is buffered. */
  next(): Msg | undefined {
    return this.buffer.take();
  }

  /** performance.now() when the server last heard about the message {@link next} returned last (delivery or signal). */
  get takenHeardAt(): number {
    return this.buffer.takenHeardAt;
  }

  /**
   * Calls `signal(reply)` for each buffered message the server has not heard about since `before` (delivery or
   * earlier signal) and counts it as heard at `now`: buffered messages are unacked, and ack_wait runs for them.
   */
  signalBuffered(before: number, now: number, signal: (reply: string) => void): void {
    this.buffer.signalUnheardSince(before, now, signal);
  }

  /** Resolves when something changed: a message arrived, a pull ended or failed, a retry pause ended, or close(). */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Issues a pull when what is buffered plus what open pulls still owe is at most one batch, so about one
   * batch is always on its way while the caller works through the previous one. Only called while the caller
   * asks for events: with nobody in recv(), nothing is pulled (back-pressure).
   */
  maybePull(): void {
    if (this.closed || this.buffer.size + this.requested > this.batch) return;
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

  /** Stops pulling and watching, drops buffered messages (the server redelivers them) and wakes the waiters. */
  close(): void {
    this.closed = true;
    clearInterval(this.watchTimer);
    clearTimeout(this.retryTimer);
    this.sub.unsubscribe();
    this.buffer.clear();
    this.wake();
  }

  /** Everything arriving on the pull inbox: delivered messages (with a `$JS.ACK` reply) and status messages. */
  private onInbox(err: Error | null, msg: Msg): void {
    if (err !== null) {
      // A subscription error (e.g. permission denied on the inbox) ends the subscription; nothing more can come.
      if (!this.closed) this.logger.warn('pull inbox failed, no more messages arrive', { ...this.where(), error: err.message });
      return;
    }
    this.lastHeard = performance.now();
    if (msg.reply) {
      if (this.requested > 0) this.requested--;
      // The server's ack_wait for it started when it was sent; arrival is the closest time the client knows.
      this.buffer.push(msg, this.lastHeard);
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
    if (!this.closed && this.failedPulls <= 1) this.logger.warn('pull failed, retrying', { ...this.where(), reason });
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

  /** Log fields naming this pull's subject, stream and durable. */
  private where(): { subject: string; stream: string; consumer: string } {
    return { subject: this.subject, stream: this.stream, consumer: this.durable };
  }

  private wake(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
