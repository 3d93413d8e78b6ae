// An event source that producers push into (spec 10 §2: HTTP and OTLP ingest): a bounded buffer whose `push` waits
// for room, so a request that arrives while the engine is behind waits instead of growing memory.

import type { MetricsHook } from '../metrics.js';
import { BoundedChannel } from './bounded-channel.js';
import type { EventSource, RawEvent } from './io-types.js';

/**
 * A push-fed EventSource. `push` queues events in order, awaiting room when the buffer is full (counted with
 * `onBackPressure()` once per waiting call); it rejects once the source is closed. `recvMany` hands out what is
 * buffered; after `close()` the buffered events are still handed out, then the source ends.
 *
 * @example
 * const source = new PushSource(1024);
 * await source.push([{ payload: '{"a":1}', ackToken: NOOP_ACK }]);
 * source.close();
 */
export class PushSource implements EventSource {
  private readonly channel: BoundedChannel<RawEvent>;

  constructor(
    capacity: number,
    private readonly metrics: MetricsHook = {},
  ) {
    this.channel = new BoundedChannel<RawEvent>(capacity);
  }

  /** True once closed: later pushes reject. */
  get closed(): boolean {
    return this.isClosed;
  }

  private isClosed = false;

  /** Queues `events` in order; resolves once all are buffered. Rejects (`channel_closed`) after `close()`. */
  async push(events: readonly RawEvent[]): Promise<void> {
    let waited = false;
    for (const event of events) {
      if (this.channel.trySend(event)) continue;
      if (!waited) {
        waited = true;
        this.metrics.onBackPressure?.();
      }
      await this.channel.send(event);
    }
  }

  async recv(): Promise<RawEvent | null> {
    return (await this.channel.recv()) ?? null;
  }

  async recvMany(max: number): Promise<RawEvent[] | null> {
    return (await this.channel.recvMany(max)) ?? null;
  }

  /** Ends the source: no more pushes; what is buffered is still received. */
  close(): Promise<void> {
    this.isClosed = true;
    this.channel.close();
    return Promise.resolve();
  }
}
