// Replay setup of NatsSource (spec 06 §3 table): creates, reuses, updates or recreates the durable pull consumer
// so its deliver policy matches the replay policy. It runs once at connect time and never pulls or acks.

import { AckPolicy, DeliverPolicy, JetStreamApiError, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '@tsigma/eval';
import { NatsIoError } from './errors.js';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_MAX_ACK_PENDING, type NatsSourceOptions, type ReplayPolicy } from './source-options.js';

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
export async function reconcileConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filter: string,
  replay: ReplayPolicy,
  opts: NatsSourceOptions,
  logger: Logger,
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
      throw new NatsIoError('jetstream_api', filter, `${what} consumer ${durable} on stream ${stream} failed: ${(err as Error).message}`, {
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
        'jetstream_api',
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
        'consumer_conflict',
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
  logger.warn('replay policy differs from the durable: deleting and recreating it (its position is reset)', {
    subject: filter,
    stream,
    consumer: durable,
    replay: replay.kind,
  });
  await api('deleting', () => jsm.consumers.delete(stream, durable));
  await api('creating', () => jsm.consumers.add(stream, wanted));
}
