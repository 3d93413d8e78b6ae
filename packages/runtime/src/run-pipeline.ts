// The streaming loop (spec 05 §3, §7): source → bounded channel → LogProcessor batches → sinks → ack, with DLQ.
// Used by the CLI and meant for the daemon; it owns no configuration format and never calls process.exit.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EvaluationResult } from '@tsigma/eval';
import type { DeadLetterWriter } from './io/dead-letter.js';
import type { EventFilter } from './event-filter.js';
import type { InputFormat } from './input/input-format.js';
import type { EventSource, RawEvent, Sink } from './io/io-types.js';
import { batchLineOf, type BatchLine, type LogProcessor } from './log-processor.js';
import type { MetricsHook } from './metrics.js';
import { flattenResults } from './results.js';
import { spawnSource } from './io/spawn-source.js';

/** Default most raw events evaluated in one batch: amortises per-batch costs while keeping latency low. */
export const DEFAULT_BATCH_SIZE = 256;

/** Default channel capacity between the source and the batcher: a few batches of read-ahead. */
export const DEFAULT_CHANNEL_CAPACITY = 1024;

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  source: EventSource;
  processor: LogProcessor;
  /** Every result is sent to each sink, in order; a sink failure is dead-lettered (or rejects without a DLQ). */
  sinks: readonly Sink[];
  /** Default `{kind: 'auto'}`; a RawEvent's own `format` wins. */
  format?: InputFormat;
  filter?: EventFilter;
  /** Where undecodable lines and undeliverable results go; without it they are counted and then discarded. */
  deadLetter?: DeadLetterWriter;
  /** Most events per batch; default {@link DEFAULT_BATCH_SIZE}. */
  batchSize?: number;
  /** Source read-ahead; default {@link DEFAULT_CHANNEL_CAPACITY}. */
  capacity?: number;
  metrics?: MetricsHook;
  /** Stops the loop: the source is closed, events already read are still processed, then it resolves. */
  signal?: AbortSignal;
}

/**
 * What happened to every event; `received = processed + deadLettered + discarded` always holds.
 * A line is `processed` when it yielded no parse error (blank lines included); a line with a parse error
 * (undecodable, oversize, or filter outputs dropped) is dead-lettered when a DLQ is configured, else discarded.
 */
export interface PipelineCounts {
  received: number;
  processed: number;
  deadLettered: number;
  discarded: number;
  /** Results delivered to every sink. */
  results: number;
  /** Results written to the DLQ because a sink failed. */
  resultsDeadLettered: number;
  batches: number;
}

/**
 * Runs the loop until the source is exhausted or `signal` aborts. Each event is acknowledged only after its
 * results reached every sink (or the DLQ), in arrival order. A slow sink slows the loop, which stops draining
 * the bounded channel, which stops the source: memory stays bounded by `capacity` + one batch.
 *
 * @example
 * const counts = await runPipeline({ source: new StdinSource(), processor, sinks: [new StdoutSink()] });
 */
export async function runPipeline(opts: RunPipelineOptions): Promise<PipelineCounts> {
  const format = opts.format ?? { kind: 'auto' };
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const m = opts.metrics ?? {};
  for (const s of opts.sinks) m.registerSink?.(s.label);
  const spawned = spawnSource(opts.source, { capacity: opts.capacity ?? DEFAULT_CHANNEL_CAPACITY, metrics: m });
  const onAbort = (): void => void spawned.stop();
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const counts: PipelineCounts = {
    received: 0,
    processed: 0,
    deadLettered: 0,
    discarded: 0,
    results: 0,
    resultsDeadLettered: 0,
    batches: 0,
  };
  try {
    for (;;) {
      const first = await spawned.channel.recv();
      if (first === undefined) break;
      const batch: RawEvent[] = [first];
      const receivedAt = performance.now();
      while (batch.length < batchSize && spawned.channel.size > 0) batch.push((await spawned.channel.recv()) as RawEvent);
      counts.received += batch.length;
      counts.batches++;
      await processOne(batch, opts, format, m, counts);
      if (m.observePipelineLatency !== undefined) {
        const secs = (performance.now() - receivedAt) / 1000;
        for (let i = 0; i < batch.length; i++) m.observePipelineLatency(secs);
      }
      // A source and sinks that are always ready would otherwise chain promises forever and starve timers,
      // abort signals and I/O callbacks; one macrotask turn per batch costs microseconds.
      await yieldToEventLoop();
    }
    await spawned.done;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await spawned.stop();
  }
  return counts;
}

async function processOne(
  batch: RawEvent[],
  opts: RunPipelineOptions,
  format: InputFormat,
  m: MetricsHook,
  counts: PipelineCounts,
): Promise<void> {
  const lines: BatchLine[] = batch.map(batchLineOf);
  const { results, parseErrors } = opts.processor.processBatchWithFormatDetailed(lines, format, opts.filter);

  const tDispatch = performance.now();
  let errorAt = 0;
  for (let i = 0; i < batch.length; i++) {
    const event = batch[i] as RawEvent;
    const error = parseErrors[errorAt];
    if (error?.index !== i) {
      counts.processed++;
      continue;
    }
    errorAt++;
    if (opts.deadLetter === undefined) {
      // Counted (onParseError was already called by the processor) and reported in `discarded`.
      counts.discarded++;
      continue;
    }
    const entry = { originalEvent: event.payload, category: error.oversize ? 'oversize' : 'parse error', detail: error.error } as const;
    await opts.deadLetter.write(event.origin === undefined ? entry : { ...entry, origin: event.origin });
    counts.deadLettered++;
  }

  const flat: EvaluationResult[] = [];
  for (const pr of results) flat.push(...flattenResults(pr));
  if (flat.length > 0) {
    let delivered = true;
    for (const sink of opts.sinks) delivered = (await deliver(sink, flat, opts, m, counts)) && delivered;
    if (delivered) counts.results += flat.length;
  }
  m.observeBatchPhaseDuration?.('dispatch', (performance.now() - tDispatch) / 1000);
  for (const event of batch) await event.ackToken.ack();
}

/** Sends to one sink; on failure dead-letters every result (when a DLQ exists) or rethrows. False if it failed. */
async function deliver(
  sink: Sink,
  flat: EvaluationResult[],
  opts: RunPipelineOptions,
  m: MetricsHook,
  counts: PipelineCounts,
): Promise<boolean> {
  try {
    await sink.send(flat);
    return true;
  } catch (err) {
    m.onSinkDeliveryFailed?.(sink.label);
    if (opts.deadLetter === undefined) throw err;
    const detail = `${sink.label}: ${(err as Error).message}`;
    for (const r of flat) {
      await opts.deadLetter.write({ originalEvent: JSON.stringify(r), category: 'sink delivery failed', detail });
      counts.resultsDeadLettered++;
    }
    return false;
  }
}
