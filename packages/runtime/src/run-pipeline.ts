// The one loop from source to sinks (spec 05 §3, §7; spec 10 §2–3): source → bounded channel → LogProcessor
// batches → result stages → SinkDispatcher (per-sink workers, DLQ, ack join). Used by `tsigma eval` and the
// daemon; it owns no configuration format, never calls process.exit and never writes to stderr itself.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { silentLogger } from '@tsigma/eval';
import type { EvaluationResult, Logger } from '@tsigma/eval';
import { deadLetterTextOf, type DeadLetter, type DeadLetterWriter } from './io/dead-letter.js';
import type { EventFilter } from './event-filter.js';
import type { InputFormat } from './input/input-format.js';
import type { EventSource, RawEvent, Sink } from './io/io-types.js';
import { batchLineOf, type BatchLine, type BatchProcessOutcome, type LogProcessor } from './log-processor.js';
import type { MetricsHook } from './metrics.js';
import { SinkDispatcher } from './sink-dispatcher.js';
import type { DeliveryPolicy, SinkRoute } from './sink-dispatcher.js';
import { spawnSource } from './io/spawn-source.js';
import { RuntimeError } from './errors.js';
import { forgetKnownJson } from './io/ndjson.js';
import type { ParallelLogProcessor } from './parallel/parallel-processor.js';

/** Default most raw events evaluated in one batch: amortises per-batch costs while keeping latency low. */
export const DEFAULT_BATCH_SIZE = 256;

/** Default channel capacity between the source and the batcher: a few batches of read-ahead. */
export const DEFAULT_CHANNEL_CAPACITY = 1024;

/**
 * Transforms, drops or holds results after evaluation, before delivery (enrichment, alert pipeline).
 * `process` receives the flattened results of one input line (never empty) and returns what goes on; an empty
 * array means nothing is delivered and the input is acked at once. A stage that throws (or rejects) fails that
 * line: the results it was given are dead-lettered as `sink delivery failed (stage <name>): <message>`.
 */
export interface ResultStage {
  /** Names the stage in dead letters and logs. */
  readonly name: string;
  process(results: EvaluationResult[]): EvaluationResult[] | Promise<EvaluationResult[]>;
}

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  source: EventSource;
  processor: LogProcessor;
  /**
   * Detects in worker threads and correlates on `processor`'s engine (same rules); default: everything on this
   * thread. Several batches are in flight at once; results are delivered in input order all the same. The pool's
   * own `spec.filter` applies, so `filter` must be unset.
   */
  parallel?: ParallelLogProcessor;
  /**
   * Every result is delivered to each sink by its own worker (see {@link SinkDispatcher}); a `SinkRoute` sets
   * the sink's `onFull` policy. The caller opens and closes the sinks; the loop only drains their queues.
   */
  sinks: readonly (Sink | SinkRoute)[];
  /** Applied in order to each line's flattened results before delivery; default none. */
  stages?: readonly ResultStage[];
  /** Default `{kind: 'auto'}`; a RawEvent's own `format` wins. */
  format?: InputFormat;
  filter?: EventFilter;
  /**
   * Where undecodable lines and undeliverable results go. Without it, bad lines are counted as discarded and
   * undeliverable results are logged at error and dropped; their inputs are acked either way.
   */
  deadLetter?: DeadLetterWriter;
  /** Sink queue size, retries and backoff; spec 10 defaults. */
  delivery?: DeliveryPolicy;
  /** Waits between delivery retries; inject it in tests. Default: a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
  /** Most events per batch; default {@link DEFAULT_BATCH_SIZE}. */
  batchSize?: number;
  /** Source read-ahead; default {@link DEFAULT_CHANNEL_CAPACITY}. */
  capacity?: number;
  metrics?: MetricsHook;
  /** Default `silentLogger`: the runtime never writes to stderr itself. */
  logger?: Logger;
  /** Stops the loop: the source is closed, events already read are still processed and delivered, then it resolves. */
  signal?: AbortSignal;
  /**
   * Gives up on delivery (a drain timeout, spec 10 §6): retries stop and every result not yet delivered becomes a
   * dead letter `shutdown: drain timeout` whose input is not acked. Use it after `signal`, to end a drain quickly.
   */
  abandon?: AbortSignal;
}

/**
 * What happened to every event and result. For input lines `received = processed + deadLettered + discarded`
 * always holds. A line is `processed` when it yielded no parse error (blank lines included); a line with a parse
 * error (undecodable, oversize, or filter outputs dropped) is `deadLettered` once its DLQ entry is committed, and
 * `discarded` when there is no DLQ or the DLQ kept failing (then it is also `unacked`).
 */
export interface PipelineCounts {
  received: number;
  processed: number;
  deadLettered: number;
  discarded: number;
  /** Results delivered by every sink (after the stages). */
  results: number;
  /** Dead letters committed for results a sink or a stage failed: one per result per failing sink. */
  resultsDeadLettered: number;
  /** Results skipped by a full `drop` sink: one per result per dropping sink. */
  resultsDropped: number;
  /** Results neither delivered nor dead-lettered (no DLQ, or the DLQ kept failing); each was logged at error. */
  resultsFailed: number;
  /** Inputs not acked because a dead letter could not be written; nak'd when their token supports it. */
  unacked: number;
  batches: number;
}

/**
 * Runs the loop until the source is exhausted or `signal` aborts, then waits until every sink worker and the DLQ
 * have committed everything and every ack has settled, and resolves with the counts. Sinks and the DLQ are not
 * closed (they belong to the caller); the source is closed at the end, after the acks of an abort's in-flight work
 * when it can stop receiving without closing (`stopReceiving`).
 *
 * Each input line's results pass through `stages`, then go to every sink; its ack token is acked once every sink
 * committed them (delivered, dead-lettered after retries, or dropped by a `drop` sink), not in arrival order.
 * Lines without results are acked at once; a parse-error line once its dead letter is written. Back-pressure is
 * end to end: a full `block` sink queue stops the loop, the channel fills, and the source stops being read.
 *
 * Rejects with the first error met (the source's, the evaluation's, or an unexpected one inside a delivery
 * worker), but only after the source was stopped and everything already handed to the sinks was drained.
 *
 * @example
 * const counts = await runPipeline({ source: new StdinSource(), processor, sinks: [new StdoutSink()], logger });
 */
export async function runPipeline(opts: RunPipelineOptions): Promise<PipelineCounts> {
  if (opts.parallel !== undefined && opts.filter !== undefined) {
    throw new RuntimeError('invalid_filter', "give the filter in the parallel pool's spec, not to runPipeline", 'filter');
  }
  const format = opts.format ?? { kind: 'auto' };
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const m = opts.metrics ?? {};
  const logger = opts.logger ?? silentLogger;
  const dispatcher = new SinkDispatcher({
    ...opts.delivery,
    sinks: opts.sinks,
    ...(opts.deadLetter === undefined ? {} : { deadLetter: opts.deadLetter }),
    ...(opts.sleep === undefined ? {} : { sleep: opts.sleep }),
    metrics: m,
    logger,
  });
  const spawned = spawnSource(opts.source, { capacity: opts.capacity ?? DEFAULT_CHANNEL_CAPACITY, metrics: m });
  const onAbandon = (): void => dispatcher.abandon('drain timeout');
  if (opts.abandon?.aborted) onAbandon();
  else opts.abandon?.addEventListener('abort', onAbandon, { once: true });
  const onAbort = (): void => void spawned.stop();
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const loop: LoopState = { opts, format, m, logger, dispatcher, stages: opts.stages ?? [], processed: 0, discarded: 0 };
  let received = 0;
  let batches = 0;
  const parallel = opts.parallel;
  // An EVTX chunk handed out whole (for the pool's workers to decode) counts as the records it holds.
  const weigh = parallel === undefined ? undefined : (event: RawEvent): number => event.weight ?? 1;
  /** Batches handed to the pool and not yet delivered, oldest first. */
  const inFlight: InFlightBatch[] = [];
  // Two batches per worker keep every worker busy while this thread correlates and delivers the oldest.
  const depth = parallel === undefined ? 0 : parallel.size * 2;
  const deliverOldest = async (): Promise<void> => {
    const oldest = inFlight.shift();
    if (oldest !== undefined) await deliverBatch(oldest.batch, await oldest.outcome, oldest.receivedAt, loop);
  };
  // The first failure wins: a loop error is not replaced by what it causes while shutting down.
  let failure: { error: unknown } | undefined;
  try {
    for (;;) {
      // Deliver what is ready; and when the source is quiet, everything, or results would wait for more input.
      while (inFlight.length > 0 && (inFlight.length >= depth || inFlight[0]?.settled === true || spawned.channel.size === 0)) {
        await deliverOldest();
      }
      const batch = await spawned.channel.recvMany(batchSize, weigh);
      if (batch === undefined) break;
      received += batch.length;
      batches++;
      const receivedAt = m.observePipelineLatency === undefined ? undefined : performance.now();
      if (parallel === undefined) {
        const lines: BatchLine[] = batch.map(batchLineOf);
        await deliverBatch(batch, opts.processor.processBatchWithFormatDetailed(lines, loop.format, opts.filter), receivedAt, loop);
      } else {
        const entry: InFlightBatch = { batch, outcome: parallel.process(batch.map(batchLineOf), loop.format), receivedAt, settled: false };
        // Delivery happens in order later, where a rejection is seen; marking it settled keeps it from being unhandled.
        entry.outcome.then(
          () => (entry.settled = true),
          () => (entry.settled = true),
        );
        inFlight.push(entry);
      }
      // A source and sinks that are always ready would otherwise chain promises forever and starve timers,
      // abort signals and I/O callbacks; one macrotask turn per batch costs microseconds.
      await yieldToEventLoop();
    }
    while (inFlight.length > 0) await deliverOldest();
    await spawned.done;
  } catch (error) {
    failure = { error };
  }
  opts.signal?.removeEventListener('abort', onAbort);
  // Each shutdown step runs even when one before it failed, so sink workers are always drained.
  for (const step of [
    () => spawned.stop(),
    () => dispatcher.drain(),
    // A source that stopped receiving without closing kept its acks working through the drain (spec 10 §6: stop
    // pulling, finish in-flight work, ack, then close); now it can go.
    () => (opts.source.stopReceiving !== undefined ? opts.source.close() : undefined),
  ]) {
    try {
      await step();
    } catch (error) {
      failure ??= { error };
    }
  }
  // Only now: a drain timeout may abandon delivery while the steps above wait for the sinks.
  opts.abandon?.removeEventListener('abort', onAbandon);
  if (failure !== undefined) throw failure.error;
  const s = dispatcher.stats;
  return {
    received,
    processed: loop.processed,
    deadLettered: s.linesDeadLettered,
    discarded: loop.discarded + s.linesFailed,
    results: s.resultsDelivered,
    resultsDeadLettered: s.resultsDeadLettered,
    resultsDropped: s.resultsDropped,
    resultsFailed: s.resultsFailed,
    unacked: s.unacked,
    batches,
  };
}

interface LoopState {
  opts: RunPipelineOptions;
  format: InputFormat;
  m: MetricsHook;
  logger: Logger;
  dispatcher: SinkDispatcher;
  stages: readonly ResultStage[];
  processed: number;
  discarded: number;
}

/** A batch handed to the parallel pool, waiting for its outcome and its turn to be delivered. */
interface InFlightBatch {
  batch: RawEvent[];
  outcome: Promise<BatchProcessOutcome>;
  receivedAt: number | undefined;
  settled: boolean;
}

async function deliverBatch(
  batch: RawEvent[],
  outcome: BatchProcessOutcome,
  receivedAt: number | undefined,
  loop: LoopState,
): Promise<void> {
  const { opts, m, dispatcher } = loop;
  const { results, parseErrors } = outcome;

  const tDispatch = performance.now();
  let errorAt = 0;
  for (let i = 0; i < batch.length; i++) {
    const event = batch[i] as RawEvent;
    const error = parseErrors[errorAt];
    let waiting: Promise<void> | undefined;
    if (error?.index === i) {
      errorAt++;
      if (opts.deadLetter === undefined) {
        // Already counted by the processor (onParseError); reported in `discarded`, acked like a no-result line.
        loop.discarded++;
        loop.logger.debug('undecodable line discarded (no dead-letter queue)', { origin: event.origin, error: error.error });
        waiting = dispatcher.dispatch([], event.ackToken, receivedAt);
      } else {
        const entry: DeadLetter = {
          originalEvent: event.payload,
          category: error.oversize ? 'oversize' : 'parse error',
          detail: error.error,
        };
        waiting = dispatcher.deadLetter([event.origin === undefined ? entry : { ...entry, origin: event.origin }], event.ackToken);
      }
    } else {
      loop.processed++;
      const pr = results[i];
      let flat: EvaluationResult[] =
        pr === undefined || (pr.detections.length === 0 && pr.correlations.length === 0)
          ? []
          : pr.correlations.length === 0
            ? pr.detections
            : [...pr.detections, ...pr.correlations];
      if (flat.length > 0 && loop.stages.length > 0) {
        // A stage may change results in place; texts recorded for them (parallel pool) would no longer match.
        forgetKnownJson(flat);
        const staged = await runStages(flat, loop.stages);
        if (!Array.isArray(staged)) {
          loop.logger.warn('result stage failed; its input results are dead-lettered', {
            stage: staged.stage,
            origin: event.origin,
            results: flat.length,
            error: staged.error instanceof Error ? staged.error.message : String(staged.error),
          });
          waiting = dispatcher.deadLetter(stageDeadLetters(flat, staged, event), event.ackToken);
          if (waiting !== undefined) await waiting;
          continue;
        }
        flat = staged;
      }
      waiting = dispatcher.dispatch(flat, event.ackToken, receivedAt, event);
    }
    if (waiting !== undefined) await waiting;
  }
  m.observeBatchPhaseDuration?.('dispatch', (performance.now() - tDispatch) / 1000);
}

/** Why a stage failed: its name and error. */
interface StageFailure {
  stage: string;
  error: unknown;
}

/** Runs the stages in order; stops early when one leaves nothing. Sync stages cost no promise hop. */
async function runStages(input: EvaluationResult[], stages: readonly ResultStage[]): Promise<EvaluationResult[] | StageFailure> {
  let results = input;
  for (const stage of stages) {
    try {
      const out = stage.process(results);
      results = Array.isArray(out) ? out : await out;
    } catch (error) {
      return { stage: stage.name, error };
    }
    if (results.length === 0) break;
  }
  return results;
}

function stageDeadLetters(results: readonly EvaluationResult[], failure: StageFailure, event: RawEvent): DeadLetter[] {
  const detail = failure.error instanceof Error ? failure.error.message : String(failure.error);
  return results.map((r) => {
    const entry: DeadLetter = {
      originalEvent: deadLetterTextOf(r),
      category: 'sink delivery failed',
      subject: `stage ${failure.stage}`,
      detail,
    };
    return event.origin === undefined ? entry : { ...entry, origin: event.origin };
  });
}
