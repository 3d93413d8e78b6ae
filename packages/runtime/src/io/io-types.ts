// The I/O plug-in surface (spec 05 §7): what an event source yields and what a result sink accepts.
// Types only; the built-in sources and sinks and the NATS package implement them.

import type { EvaluationResult } from '@tsigma/eval';
import type { EvtxChunkJob } from '@tsigma/evtx';
import type { InputFormat } from '../input/input-format.js';

/**
 * Acknowledges one raw event back to its source. A source that redelivers (NATS) must only consider an event
 * done after `ack()`; the runtime calls it once the event's results reached every sink (or the dead-letter sink).
 */
export interface AckToken {
  ack(): Promise<void>;
  /** Ask for redelivery, optionally after a delay. */
  nak?(delayMs?: number): Promise<void>;
  /** Stream position of the event, for replay bookkeeping (NATS). */
  position?(): { streamSeq: number; timestampSec: number } | undefined;
}

/** One undecoded input event. */
export interface RawEvent {
  /** The raw line or message body. */
  payload: string;
  ackToken: AckToken;
  /** Where it came from, text inputs `<name>:<line>` (`stdin:3`, `/var/log/x.log:42`), EVTX `<path>#<record id>`, NATS `nats:<subject>#<seq>`; copied into dead letters. */
  origin?: string;
  /** Overrides the configured input format for this event (e.g. OTLP records are JSON). */
  format?: InputFormat;
  /**
   * The event already decoded by its source (an EVTX record): evaluated as is, without parsing `payload`, which
   * then only serves dead letters (a source may compute it lazily).
   */
  value?: object;
  /** The file an already decoded event (an EVTX record) was read from; its results carry it as `source`. */
  source?: string;
  /** Set by a source that already knows the payload cannot be decoded (a broken JSON document): the reason. */
  failure?: string;
  /**
   * A whole EVTX chunk still to decode (parallel evaluation decodes it in a worker thread): its records become
   * this event's events, their results this event's results. `payload` then only names the chunk.
   */
  evtxChunk?: { job: EvtxChunkJob; file: string };
  /** How many events this raw event stands for when batches are sized (an EVTX chunk: its records); default 1. */
  weight?: number;
}

/** A pull-based event source; `recv()` resolves `null` once the source is exhausted or closed. */
export interface EventSource {
  recv(): Promise<RawEvent | null>;
  /**
   * Optional batch form of `recv()`: waits for at least one event, then returns what is already available, up
   * to `max`, without waiting further. `null` or an empty array means exhausted or closed, like `recv()`'s
   * `null`. When present, the runtime uses it instead of `recv()`, saving one promise per event.
   */
  recvMany?(max: number): Promise<RawEvent[] | null>;
  /**
   * Optional: stop handing out events (pending and later receives resolve null) while acks of events already
   * received keep working until `close()`. A graceful stop uses it so in-flight work can still be acked; sources
   * whose acks need no connection (files, stdin) do not need it.
   */
  stopReceiving?(): Promise<void>;
  close(): Promise<void>;
}

/** A result destination. Errors are returned to the caller (rejections), never swallowed. */
export interface Sink {
  /** Metrics label: `stdout`, `file:<path>`, `nats:<subject>` (spec 10 §3). */
  readonly label: string;
  /**
   * Writes one NDJSON line / message per result; an empty array writes nothing. A sink that commits results one by
   * one and fails part-way may reject with an error whose `delivered` property counts the leading results already
   * committed: the runtime then retries only the rest, so a retry does not duplicate them.
   */
  send(results: readonly EvaluationResult[]): Promise<void>;
  /** Writes one pre-serialized JSON line. */
  sendRaw(json: string): Promise<void>;
  /** Writes an alert-pipeline incident, optionally to a specific subject. */
  sendIncident?(json: string, subject?: string): Promise<void>;
  /** Flushes and releases the sink. */
  close(): Promise<void>;
}

/** The AckToken of sources that cannot redeliver (stdin, files): acknowledging does nothing. */
export const NOOP_ACK: AckToken = Object.freeze({ ack: () => Promise.resolve() });
