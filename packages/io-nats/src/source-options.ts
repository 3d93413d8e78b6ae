// Options and replay policy of NatsSource with their defaults, and the checks run on them before any I/O.
// Nothing here touches the network.

import type { Logger } from '@tsigma/eval';
import type { Sink } from '@tsigma/runtime';
import { NatsConfigError } from './errors.js';

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
  /** Receives pull, ack, replay and connection warnings with `subject`, `stream`, `consumer` fields; default silent. */
  logger?: Logger;
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

/** Rejects options and replay policies the server would refuse or that would silently do nothing. */
export function validateSourceOptions(replay: ReplayPolicy, opts: NatsSourceOptions): void {
  const positive = (v: number | undefined, name: string): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new NatsConfigError('bad_option', `${name} must be a positive integer, got ${v}`, [name]);
    }
  };
  positive(opts.ackWaitMs, 'ackWaitMs');
  positive(opts.maxDeliver, 'maxDeliver');
  positive(opts.maxAckPending, 'maxAckPending');
  positive(opts.batch, 'batch');
  if (replay.kind === 'sequence') positive(replay.seq, 'replay sequence');
  if (opts.poisonDlq !== undefined && opts.maxDeliver === undefined) {
    // Without max_deliver the server never gives up on a message, so the DLQ would silently stay empty.
    throw new NatsConfigError('bad_option', 'poisonDlq needs maxDeliver: without it no message is ever abandoned', [
      'poisonDlq',
      'maxDeliver',
    ]);
  }
  if (replay.kind === 'time' && Number.isNaN(replay.at.getTime())) {
    throw new NatsConfigError('bad_option', 'replay time is not a valid date', ['replay time']);
  }
}
