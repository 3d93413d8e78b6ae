// Delivery of results to sinks (spec 10 §3): one worker per sink with a bounded queue, retries with backoff,
// dead letters, and the ack join that acknowledges an input only once every sink committed its results.
// It never opens or closes sinks and never writes to stderr: failures go to the DLQ, the Logger and metrics.

import { setTimeout as sleepFor } from 'node:timers/promises';
import { silentLogger } from '@tsigma/eval';
import type { EvaluationResult, Logger } from '@tsigma/eval';
import { RuntimeError } from './errors.js';
import { BoundedChannel } from './io/bounded-channel.js';
import { deadLetterTextOf, type DeadLetter, type DeadLetterWriter } from './io/dead-letter.js';
import { NOOP_ACK } from './io/io-types.js';
import type { AckToken, Sink } from './io/io-types.js';
import type { MetricsHook } from './metrics.js';

/** Default items (one input's results each) queued per sink: spec 10 `--sink-queue-size`. */
export const DEFAULT_SINK_QUEUE_SIZE = 1024;
/** Default retries after a failed delivery: spec 10 `--sink-retry-max`. */
export const DEFAULT_SINK_RETRY_MAX = 3;
/** Default first backoff: spec 10 `--sink-backoff-base-ms`. */
export const DEFAULT_SINK_BACKOFF_BASE_MS = 100;
/** Default backoff cap: spec 10 `--sink-backoff-max-ms`. */
export const DEFAULT_SINK_BACKOFF_MAX_MS = 5000;

/** What a sink's worker does when its queue is full: wait for room (at-least-once) or drop the item. */
export type OnFull = 'block' | 'drop';

/** A sink with its queue policy (`?on_full=` of a sink spec). */
export interface SinkRoute {
  sink: Sink;
  /** Default `block`. `drop` opts this sink out of at-least-once so it never stalls the others. */
  onFull?: OnFull;
}

/** Retry, backoff and queue tuning shared by every sink worker and the DLQ. */
export interface DeliveryPolicy {
  /** Items queued per sink (and in the DLQ queue); default {@link DEFAULT_SINK_QUEUE_SIZE}. */
  queueSize?: number;
  /** Retries after the first failed attempt; default {@link DEFAULT_SINK_RETRY_MAX}. */
  retryMax?: number;
  /** Backoff before retry `n` is `backoffBaseMs × 2^(n-1)`, capped at `backoffMaxMs`. */
  backoffBaseMs?: number;
  /** Default {@link DEFAULT_SINK_BACKOFF_MAX_MS}. */
  backoffMaxMs?: number;
}

/** Options of {@link SinkDispatcher}. */
export interface SinkDispatcherOptions extends DeliveryPolicy {
  /** Output sinks, in order; the same label twice becomes `label`, `label#2`, `label#3` (spec 10 §3). */
  sinks: readonly (Sink | SinkRoute)[];
  /**
   * Where undeliverable results (and the loop's parse errors) go. Without it they are logged at error and
   * dropped, and their input is still acked. Its own metrics count `onDlqEvent()` per committed entry.
   */
  deadLetter?: DeadLetterWriter;
  metrics?: MetricsHook;
  /** Default `silentLogger`. */
  logger?: Logger;
  /** Waits between retries; injectable so tests do not sleep. Default: a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
}

/** What the dispatcher did so far; every result and dead letter handed to it ends in exactly one of these. */
export interface DispatchStats {
  /** Results that every sink delivered (no drop or failure at any sink). */
  resultsDelivered: number;
  /** Dead letters committed for results a sink (or stage) could not take: one per result per failing sink. */
  resultsDeadLettered: number;
  /** Results a full `drop` sink skipped: one per result per dropping sink. */
  resultsDropped: number;
  /** Results neither delivered nor dead-lettered: no DLQ configured, or the DLQ kept failing. */
  resultsFailed: number;
  /** Parse-error (and oversize) dead letters committed. */
  linesDeadLettered: number;
  /** Parse-error dead letters the DLQ kept refusing. */
  linesFailed: number;
  /** Inputs not acked because one of their dead letters could not be written (nak'd when the token can). */
  unacked: number;
}

/** One input's stake in delivery: acked when `remaining` reaches zero. */
interface Join {
  token: AckToken;
  /** Queue entries (sink items, DLQ items) not yet committed. */
  remaining: number;
  /** Results of this input, for `resultsDelivered`. */
  results: number;
  /** False once any sink dropped or failed the results. */
  clean: boolean;
  /** True once a dead letter of this input could not be written: nak instead of ack. */
  failed: boolean;
  /** `performance.now()` when the input was received, for `observePipelineLatency`. */
  receivedAt: number | undefined;
  /** The input, read for its `origin` only if a dead letter is written (origins may be computed on demand). */
  input: { readonly origin?: string } | undefined;
}

interface SinkItem {
  results: readonly EvaluationResult[];
  join: Join;
}

interface DeadLetterItem {
  entries: readonly DeadLetter[];
  join: Join;
}

interface Worker {
  label: string;
  sink: Sink;
  onFull: OnFull;
  queue: BoundedChannel<SinkItem>;
  done: Promise<void>;
}

/** Metric labels for sinks: the sink's own label, suffixed `#2`, `#3` … for repeats (spec 10 §3). */
export function labelSinks(sinks: readonly Sink[]): string[] {
  const seen = new Map<string, number>();
  return sinks.map((s) => {
    const n = (seen.get(s.label) ?? 0) + 1;
    seen.set(s.label, n);
    return n === 1 ? s.label : `${s.label}#${n}`;
  });
}

/**
 * Fans results out to sinks with one worker per sink (spec 10 §3). Each worker has a bounded queue, delivers in
 * order, and sends everything it has queued in one `send()` call; if that batched call fails it falls back to
 * item by item, so retries, dead letters and commits stay per item. A failed item is retried `retryMax` times with
 * exponential backoff, then each of its results becomes a dead letter
 * (`sink delivery failed (<label>): <message>`), `onSinkDeliveryFailed(label)` is counted, and the item counts as
 * committed for that sink. A result that cannot be encoded (an `unserializable` RuntimeError from the sink) is
 * dead-lettered at once, without retries, and the items around it are still delivered. Dead letters are written
 * by one more worker with the same retry policy.
 *
 * **Ack join:** the input's token is acked exactly once, when every sink committed its item and every dead
 * letter of the input was written. If a dead letter keeps failing, the token is nak'd (or, without `nak`, left
 * unacked so a redelivering source sends it again) and the failure is logged at error.
 *
 * Memory: per sink at most `queueSize` items wait and at most `queueSize` more are in flight.
 *
 * A worker never dies of an unexpected exception (a bug, a throwing hook): it logs it at error, goes on with the
 * next items, and {@link SinkDispatcher.drain} rejects with the first such error once everything else is done.
 *
 * @example
 * const dispatcher = new SinkDispatcher({ sinks: [new StdoutSink(), { sink: nats, onFull: 'drop' }], deadLetter });
 * await dispatcher.dispatch(results, event.ackToken);
 * await dispatcher.drain();
 */
export class SinkDispatcher {
  /** Metric label of each sink, in the order given. */
  readonly labels: readonly string[];
  private readonly counters: DispatchStats = {
    resultsDelivered: 0,
    resultsDeadLettered: 0,
    resultsDropped: 0,
    resultsFailed: 0,
    linesDeadLettered: 0,
    linesFailed: 0,
    unacked: 0,
  };
  private readonly workers: Worker[];
  private readonly dlqQueue: BoundedChannel<DeadLetterItem> | undefined;
  private readonly dlqDone: Promise<void>;
  private readonly metrics: MetricsHook;
  private readonly logger: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retryMax: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly queueSize: number;
  private acksInFlight = 0;
  private acksIdle: (() => void) | undefined;
  private draining: Promise<void> | undefined;
  /** The first unexpected exception inside a worker; drain() rejects with it. */
  private fault: Error | undefined;
  /** Set by {@link SinkDispatcher.abandon}: why queued results now go to the DLQ instead of their sinks. */
  private abandoned: string | undefined;
  private abandonWake: (() => void) | undefined;
  private readonly abandonWait = new Promise<void>((resolve) => (this.abandonWake = resolve));

  constructor(options: SinkDispatcherOptions) {
    this.metrics = options.metrics ?? {};
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms));
    this.queueSize = options.queueSize ?? DEFAULT_SINK_QUEUE_SIZE;
    this.retryMax = options.retryMax ?? DEFAULT_SINK_RETRY_MAX;
    this.backoffBaseMs = options.backoffBaseMs ?? DEFAULT_SINK_BACKOFF_BASE_MS;
    this.backoffMaxMs = options.backoffMaxMs ?? DEFAULT_SINK_BACKOFF_MAX_MS;
    if (!Number.isInteger(this.retryMax) || this.retryMax < 0) {
      throw new RangeError(`SinkDispatcher retryMax must be a non-negative integer, got ${this.retryMax}`);
    }
    const routes = options.sinks.map((s): SinkRoute => ('sink' in s ? s : { sink: s }));
    this.labels = labelSinks(routes.map((r) => r.sink));
    this.workers = routes.map((route, i) => {
      const label = this.labels[i] as string;
      this.metrics.registerSink?.(label);
      const queue = new BoundedChannel<SinkItem>(this.queueSize, (d) => this.metrics.onSinkQueueDepthChange?.(label, d));
      const worker: Worker = { label, sink: route.sink, onFull: route.onFull ?? 'block', queue, done: Promise.resolve() };
      worker.done = this.runSinkWorker(worker);
      return worker;
    });
    if (options.deadLetter !== undefined) {
      this.dlqQueue = new BoundedChannel<DeadLetterItem>(this.queueSize);
      this.dlqDone = this.runDeadLetterWorker(options.deadLetter, this.dlqQueue);
    } else {
      this.dlqDone = Promise.resolve();
    }
  }

  /** Counters so far; final once {@link SinkDispatcher.drain} resolved. */
  get stats(): Readonly<DispatchStats> {
    return { ...this.counters };
  }

  /**
   * Queues one input's results on every sink; `token` is acked once all of them are committed (immediately
   * when `results` is empty). Returns `undefined` when everything was queued at once, the common case, so a hot
   * loop can skip an await; otherwise a promise that resolves once queued (a `block` sink was full).
   *
   * @param receivedAt `performance.now()` at receipt; when given, `observePipelineLatency` is reported at ack.
   * @param input the raw event the results came from; its `origin` goes into the dead letters of failed deliveries.
   */
  dispatch(
    results: readonly EvaluationResult[],
    token: AckToken,
    receivedAt?: number,
    input?: { readonly origin?: string },
  ): Promise<void> | undefined {
    if (this.draining !== undefined) throw new RangeError('SinkDispatcher.dispatch after drain()');
    if (results.length === 0 && receivedAt === undefined) {
      // Nothing to deliver and nothing to time: the per-line fast path of inputs without matches.
      if (token !== NOOP_ACK) this.track(token, 'ack');
      return undefined;
    }
    // The extra 1 keeps the join open while queuing, so a fast worker cannot settle it halfway.
    const join: Join = { token, remaining: 1, results: results.length, clean: true, failed: false, receivedAt, input };
    if (results.length === 0) {
      this.release(join);
      return undefined;
    }
    let waits: Promise<void>[] | undefined;
    for (const worker of this.workers) {
      const item: SinkItem = { results, join };
      join.remaining++;
      if (worker.queue.trySend(item)) continue;
      if (worker.onFull === 'drop') {
        // Deliberate loss (on_full=drop): counted, and committed for this sink so the input can still be acked.
        this.metrics.onSinkDropped?.(worker.label);
        this.counters.resultsDropped += results.length;
        join.clean = false;
        this.release(join);
        continue;
      }
      (waits ??= []).push(worker.queue.send(item));
    }
    if (waits === undefined) {
      this.release(join);
      return undefined;
    }
    return Promise.all(waits).then(() => this.release(join));
  }

  /**
   * Writes dead letters for one input (a parse error, or results a stage failed on) through the DLQ worker and
   * acks `token` once they are committed. Without a DLQ the entries are logged at error and the token is acked.
   * Same return convention as {@link SinkDispatcher.dispatch}.
   */
  deadLetter(entries: readonly DeadLetter[], token: AckToken): Promise<void> | undefined {
    if (this.draining !== undefined) throw new RangeError('SinkDispatcher.deadLetter after drain()');
    const join: Join = { token, remaining: 1, results: 0, clean: false, failed: false, receivedAt: undefined, input: undefined };
    if (this.dlqQueue === undefined || entries.length === 0) {
      if (entries.length > 0) this.dropUnwritable(entries, 'no dead-letter queue configured');
      this.release(join);
      return undefined;
    }
    const item = { entries, join };
    if (this.dlqQueue.trySend(item)) return undefined;
    return this.dlqQueue.send(item);
  }

  /**
   * Stops accepting items and resolves once every queued item is committed and every ack or nak has settled.
   * Rejects, after the same wait, with the first unexpected exception a worker met (its items' inputs may stay
   * unacked). Sinks and the DLQ are not closed: they belong to the caller. Idempotent.
   */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      for (const w of this.workers) w.queue.close();
      await Promise.all(this.workers.map((w) => w.done));
      // Sink workers feed the DLQ, so it closes only after they are done.
      this.dlqQueue?.close();
      await this.dlqDone;
      if (this.acksInFlight > 0) await new Promise<void>((resolve) => (this.acksIdle = resolve));
      if (this.fault !== undefined) throw this.fault;
    })();
    return this.draining;
  }

  /**
   * Gives up on delivery (spec 10 §6 step 3, a drain timeout): retries stop, and every result still queued or being
   * retried becomes a dead letter `shutdown: <detail>` whose input is not acked (nak'd when its token can, so a
   * redelivering source sends it again). Items already handed to a sink's `send()` finish that attempt.
   */
  abandon(detail: string): void {
    if (this.abandoned !== undefined) return;
    this.abandoned = detail;
    this.abandonWake?.();
  }

  private async runSinkWorker(worker: Worker): Promise<void> {
    for (;;) {
      const items = await worker.queue.recvMany(this.queueSize);
      if (items === undefined) return;
      try {
        await this.deliver(worker, items);
      } catch (err) {
        this.noteFault(worker.label, err);
      }
    }
  }

  /**
   * An exception no delivery path expects: logged at error and kept for drain(). The worker goes on, so one bad
   * moment cannot leave a `block` queue full and the whole loop stalled.
   */
  private noteFault(worker: string, err: unknown): void {
    this.fault ??= err instanceof Error ? err : new Error(String(err));
    this.logger.error('internal error in a delivery worker; its current items may stay unacknowledged', { worker, error: messageOf(err) });
  }

  /** One `send()` for the whole batch; on failure, item by item so one bad item cannot fail the others. */
  private async deliver(worker: Worker, items: SinkItem[]): Promise<void> {
    if (this.abandoned !== undefined) {
      for (const item of items) await this.shutdownItem(item, this.abandoned);
      return;
    }
    if (items.length === 1) {
      await this.deliverItem(worker, items[0] as SinkItem, 0, undefined);
      return;
    }
    const all: EvaluationResult[] = [];
    for (const item of items) for (const r of item.results) all.push(r);
    let batchError: unknown;
    try {
      await worker.sink.send(all);
      for (const item of items) this.release(item.join);
      return;
    } catch (err) {
      batchError = err;
      this.logger.debug('batched sink delivery failed; retrying item by item', {
        sink: worker.label,
        items: items.length,
        error: messageOf(err),
      });
    }
    // Results the sink says it committed before failing are not sent again (no duplicates on retry). The failed
    // batch was the first attempt of the first item still owed; later items start afresh (a success in between
    // shows the sink recovered, so they need no backoff). A result that cannot be encoded says nothing about the
    // others, so then every item starts afresh and only the bad one fails.
    let committed = deliveredBefore(batchError);
    let first = !isPermanent(batchError);
    for (const item of items) {
      const owed = committed >= item.results.length ? [] : item.results.slice(committed);
      committed = Math.max(0, committed - item.results.length);
      if (owed.length === 0) {
        this.release(item.join);
        continue;
      }
      const rest = owed.length === item.results.length ? item : { results: owed, join: item.join };
      await this.deliverItem(worker, rest, first ? 1 : 0, first ? batchError : undefined);
      first = false;
    }
  }

  /** Delivers one item with retries; gives up into the DLQ after `retryMax` retries. Always commits it. */
  private async deliverItem(worker: Worker, item: SinkItem, failures: number, lastError: unknown): Promise<void> {
    for (;;) {
      if (failures > 0) {
        if (failures > this.retryMax) break;
        if (this.abandoned !== undefined) return this.shutdownItem(item, this.abandoned);
        this.metrics.onSinkRetry?.(worker.label);
        await Promise.race([this.sleep(this.backoff(failures)), this.abandonWait]);
        if (this.abandoned !== undefined) return this.shutdownItem(item, this.abandoned);
      }
      try {
        await worker.sink.send(item.results);
        this.release(item.join);
        return;
      } catch (err) {
        lastError = err;
        failures++;
        const committed = deliveredBefore(err);
        if (committed >= item.results.length) {
          this.release(item.join);
          return;
        }
        if (committed > 0) item = { results: item.results.slice(committed), join: item.join };
        if (isPermanent(err)) break;
      }
    }
    const detail = messageOf(lastError);
    this.metrics.onSinkDeliveryFailed?.(worker.label);
    item.join.clean = false;
    const origin = item.join.input?.origin;
    const entries = item.results.map((r): DeadLetter => ({
      originalEvent: deadLetterTextOf(r),
      category: 'sink delivery failed',
      subject: worker.label,
      detail,
      ...(origin === undefined ? {} : { origin }),
    }));
    if (this.dlqQueue === undefined) {
      this.dropUnwritable(entries, `no dead-letter queue configured`);
    } else {
      this.logger.warn('sink delivery failed; results dead-lettered', {
        sink: worker.label,
        results: entries.length,
        attempts: failures,
        error: detail,
      });
      item.join.remaining++;
      await this.dlqQueue.send({ entries, join: item.join });
    }
    this.release(item.join);
  }

  /** An item given up at shutdown: its results become `shutdown` dead letters and its input stays unacked. */
  private async shutdownItem(item: SinkItem, detail: string): Promise<void> {
    item.join.clean = false;
    item.join.failed = true;
    const origin = item.join.input?.origin;
    const entries = item.results.map((r): DeadLetter => ({
      originalEvent: deadLetterTextOf(r),
      category: 'shutdown',
      detail,
      ...(origin === undefined ? {} : { origin }),
    }));
    if (this.dlqQueue === undefined) {
      this.dropUnwritable(entries, 'no dead-letter queue configured');
    } else {
      item.join.remaining++;
      await this.dlqQueue.send({ entries, join: item.join });
    }
    this.release(item.join);
  }

  private async runDeadLetterWorker(writer: DeadLetterWriter, queue: BoundedChannel<DeadLetterItem>): Promise<void> {
    for (;;) {
      const items = await queue.recvMany(this.queueSize);
      if (items === undefined) return;
      try {
        await this.writeDeadLetters(writer, items);
      } catch (err) {
        this.noteFault(writer.sink.label, err);
      }
    }
  }

  private async writeDeadLetters(writer: DeadLetterWriter, items: readonly DeadLetterItem[]): Promise<void> {
    for (const item of items) {
      for (let i = 0; i < item.entries.length; i++) {
        const entry = item.entries[i] as DeadLetter;
        const error = await this.writeDeadLetter(writer, entry);
        if (error === undefined) {
          if (isLineEntry(entry)) this.counters.linesDeadLettered++;
          else this.counters.resultsDeadLettered++;
          continue;
        }
        // The input will be redelivered whole (nak), so its remaining entries are not attempted either.
        item.join.failed = true;
        this.dropUnwritable(item.entries.slice(i), `dead-letter queue ${writer.sink.label} failed: ${messageOf(error)}`);
        break;
      }
      this.release(item.join);
    }
  }

  /** Writes one dead letter with the sink retry policy; returns the last error if it never succeeded. */
  private async writeDeadLetter(writer: DeadLetterWriter, entry: DeadLetter): Promise<unknown> {
    let lastError: unknown;
    for (let failures = 0; failures <= this.retryMax; failures++) {
      if (failures > 0) await this.sleep(this.backoff(failures));
      try {
        await writer.write(entry);
        return undefined;
      } catch (err) {
        lastError = err;
        this.logger.debug('dead-letter write failed', { dlq: writer.sink.label, attempt: failures + 1, error: messageOf(err) });
      }
    }
    return lastError ?? new Error('dead-letter write failed');
  }

  /** Entries that cannot be dead-lettered: logged at error (one line per call) and counted as failed. */
  private dropUnwritable(entries: readonly DeadLetter[], why: string): void {
    let lines = 0;
    for (const e of entries) if (isLineEntry(e)) lines++;
    this.counters.linesFailed += lines;
    this.counters.resultsFailed += entries.length - lines;
    const first = entries[0] as DeadLetter;
    this.logger.error(`dead letters not written: ${why}`, {
      entries: entries.length,
      error: first.subject === undefined ? `${first.category}: ${first.detail}` : `${first.category} (${first.subject}): ${first.detail}`,
      origin: first.origin,
    });
  }

  private backoff(failures: number): number {
    return Math.min(this.backoffBaseMs * 2 ** (failures - 1), this.backoffMaxMs);
  }

  /** Commits one queue entry of `join`; the last one acks (or naks) the input. */
  private release(join: Join): void {
    if (--join.remaining > 0) return;
    if (join.clean && join.results > 0) this.counters.resultsDelivered += join.results;
    if (join.receivedAt !== undefined) this.metrics.observePipelineLatency?.((performance.now() - join.receivedAt) / 1000);
    if (join.failed) {
      this.counters.unacked++;
      if (join.token.nak !== undefined) this.track(join.token, 'nak');
      return;
    }
    // The built-in no-op token needs no promise bookkeeping; this is the per-event hot path of stdin and files.
    if (join.token !== NOOP_ACK) this.track(join.token, 'ack');
  }

  private track(token: AckToken, what: 'ack' | 'nak'): void {
    this.acksInFlight++;
    let settling: Promise<void>;
    try {
      settling = what === 'ack' ? token.ack() : (token.nak?.() ?? Promise.resolve());
    } catch (err) {
      // A token that throws instead of rejecting is treated the same; it must not break the worker releasing it.
      settling = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    settling.then(
      () => this.ackSettled(),
      (err: unknown) => {
        // The source decides what an unsettled token means (NATS redelivers); nothing else can be done here.
        this.logger.warn(`${what} failed`, { error: messageOf(err) });
        this.ackSettled();
      },
    );
  }

  private ackSettled(): void {
    if (--this.acksInFlight > 0) return;
    const idle = this.acksIdle;
    this.acksIdle = undefined;
    idle?.();
  }
}

/** A failure retrying cannot heal: the sink could not encode a result. */
function isPermanent(err: unknown): boolean {
  return err instanceof RuntimeError && err.code === 'unserializable';
}

function isLineEntry(entry: DeadLetter): boolean {
  return entry.category === 'parse error' || entry.category === 'oversize';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * How many leading results a failed `send()` committed anyway, from the error's `delivered` count (see `Sink.send`);
 * 0 when the error does not say.
 */
function deliveredBefore(err: unknown): number {
  const delivered = (err as { delivered?: unknown } | null)?.delivered;
  return typeof delivered === 'number' && Number.isInteger(delivered) && delivered > 0 ? delivered : 0;
}
