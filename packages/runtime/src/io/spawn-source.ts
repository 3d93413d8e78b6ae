// Runs an EventSource into a BoundedChannel (spec 05 §7): the source is read only as fast as the consumer drains.
// Does not decode, batch or acknowledge events; that is the consumer's job (see run-pipeline.ts).

import { BoundedChannel } from './bounded-channel.js';
import type { EventSource, RawEvent } from './io-types.js';
import type { MetricsHook } from '../metrics.js';

/** Options of {@link spawnSource}. */
export interface SpawnSourceOptions {
  /** Most raw events buffered between the source and the consumer. */
  capacity: number;
  metrics?: MetricsHook;
}

/** A running source: its channel, a promise settled when the loop ends, and a graceful stop. */
export interface SpawnedSource {
  /** Receives the source's events; closed (after the last event) when the source is exhausted or stopped. */
  channel: BoundedChannel<RawEvent>;
  /** Resolves when the loop has ended and the channel is closed; rejects with the source's error. */
  done: Promise<void>;
  /**
   * Stops reading and waits for the loop to end: `stopReceiving()` when the source has it (its acks keep working;
   * the caller closes it later), else `close()`. An event already taken from the source is still queued, so keep
   * draining the channel until it ends.
   */
  stop(): Promise<void>;
}

/**
 * Starts the loop `source.recv() → channel.send()` (`recvMany` when the source has it) until the source returns null or `stop()` is called.
 * Whenever the channel is full the loop waits (calling `onBackPressure()`), so a slow consumer slows the source
 * down instead of growing memory; `onInputQueueDepthChange(±1)` follows the number of buffered events.
 *
 * @example
 * const { channel, done } = spawnSource(new StdinSource(), { capacity: 1024 });
 * for (let ev = await channel.recv(); ev; ev = await channel.recv()) console.log(ev.payload);
 * await done;
 */
export function spawnSource(source: EventSource, opts: SpawnSourceOptions): SpawnedSource {
  const metrics = opts.metrics;
  const channel = new BoundedChannel<RawEvent>(opts.capacity, (d) => metrics?.onInputQueueDepthChange?.(d));
  let stopping = false;
  const put = (event: RawEvent): Promise<void> | undefined => {
    if (channel.trySend(event)) return undefined;
    metrics?.onBackPressure?.();
    return channel.send(event);
  };

  const done = (async () => {
    try {
      while (!stopping) {
        if (source.recvMany !== undefined) {
          // Ask for no more than fits (at least one, so a full channel still makes progress once drained).
          const events = await source.recvMany(Math.max(1, channel.capacity - channel.size));
          if (events === null || events.length === 0) break;
          for (const event of events) {
            const waiting = put(event);
            if (waiting !== undefined) await waiting;
          }
        } else {
          const event = await source.recv();
          if (event === null) break;
          const waiting = put(event);
          if (waiting !== undefined) await waiting;
        }
      }
    } finally {
      channel.close();
    }
  })();
  // The consumer awaits `done` only once it has drained the channel; a source failing before that must not count
  // as an unhandled rejection (which ends the process), so it is marked handled here and still rejects for them.
  done.catch(() => {});

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      if (source.stopReceiving !== undefined) await source.stopReceiving();
      else await source.close();
      await done;
    })();
    return stopped;
  };
  return { channel, done, stop };
}
