// Dead-letter entries (spec 05 §7): what could not be processed or delivered, as one JSON line on any Sink.
// Builds and writes entries only; deciding what to dead-letter is the caller's job (runPipeline, the daemon).

import type { EvaluationResult } from '@tsigma/eval';
import type { Sink } from './io-types.js';
import type { MetricsHook } from '../metrics.js';

/** Why an entry was dead-lettered; `oversize` replaces `parse error` for lines over the 1 MiB limit. */
export type DeadLetterCategory = 'parse error' | 'oversize' | 'sink delivery failed' | 'shutdown';

/** One dead letter before serialization. */
export interface DeadLetter {
  /** The raw line, or the serialized result that could not be delivered. */
  originalEvent: string;
  category: DeadLetterCategory;
  /** The parser's or sink's message. */
  detail: string;
  /** What failed, e.g. a sink label or `stage <name>`; rendered as `<category> (<subject>): <detail>`. */
  subject?: string;
  /** Where the event came from, e.g. `nats:events.x#42`, `file:/x.log#7`. */
  origin?: string;
}

/** The wire shape of a dead-letter line. */
export interface DeadLetterLine {
  original_event: string;
  error: string;
  timestamp: string;
  origin?: string;
}

/**
 * Builds the dead-letter JSON line: `{"original_event", "error", "timestamp", "origin"?}` with `error` =
 * `<category>: <detail>` (or `<category> (<subject>): <detail>`, spec 10 §3) and `nowMs` rendered as an RFC 3339
 * UTC timestamp.
 */
export function formatDeadLetter(entry: DeadLetter, nowMs: number): string {
  const line: DeadLetterLine = {
    original_event: entry.originalEvent,
    error: entry.subject === undefined ? `${entry.category}: ${entry.detail}` : `${entry.category} (${entry.subject}): ${entry.detail}`,
    timestamp: new Date(nowMs).toISOString(),
  };
  if (entry.origin !== undefined) line.origin = entry.origin;
  return JSON.stringify(line);
}

/**
 * The `originalEvent` of a result's dead letter: the result as JSON. A result JSON cannot encode (nested too
 * deeply for the serializer's stack) is replaced by its rule header plus `unserializable` with the reason, so the
 * dead letter itself can always be written; building one never throws.
 */
export function deadLetterTextOf(result: EvaluationResult): string {
  try {
    return JSON.stringify(result);
  } catch (err) {
    const header = { rule_title: result.rule_title, rule_id: result.rule_id, level: result.level };
    return JSON.stringify({ ...header, unserializable: (err as Error).message });
  }
}

/** Options of {@link DeadLetterWriter}. */
export interface DeadLetterWriterOptions {
  /** Wall clock in epoch milliseconds; default `Date.now`. */
  clock?: () => number;
  /** `onDlqEvent()` is called once per entry written. */
  metrics?: MetricsHook;
}

/**
 * Writes dead letters to a Sink through `sendRaw`, counting each in `onDlqEvent()`. A sink failure rejects:
 * the caller decides whether to retry, nak or stop, because a dead letter must not vanish silently.
 *
 * @example
 * const dlq = new DeadLetterWriter(new FileSink('dlq.ndjson'));
 * await dlq.write({ originalEvent: 'not json', category: 'parse error', detail: 'Unexpected token', origin: 'stdin#3' });
 */
export class DeadLetterWriter {
  private readonly clock: () => number;
  private written = 0;

  constructor(
    readonly sink: Sink,
    private readonly options: DeadLetterWriterOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** Entries written so far. */
  get count(): number {
    return this.written;
  }

  async write(entry: DeadLetter): Promise<void> {
    await this.sink.sendRaw(formatDeadLetter(entry, this.clock()));
    this.written++;
    this.options.metrics?.onDlqEvent?.();
  }
}
