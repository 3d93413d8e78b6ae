// Several event sources read as one (spec 10 §2: OTLP requests join the configured input): whichever has events
// first is handed out; each source keeps its own order, and the merge ends when every source has ended.

import type { EventSource, RawEvent } from './io-types.js';

interface Lane {
  source: EventSource;
  /** The read in progress; kept across calls so no batch a source already gave up is lost. */
  pending: Promise<RawEvent[] | null> | undefined;
  done: boolean;
}

/**
 * Reads several sources as one. `recvMany` waits for whichever source has events first and returns that batch;
 * a source's read still in flight is kept for the next call. Ends (null) once every source has ended.
 * `stopReceiving` stops them all (their `stopReceiving`, or `close` for sources without it); `close` closes them.
 *
 * @example
 * const input = new MergedSource([new StdinSource(), otlpPushSource]);
 */
export class MergedSource implements EventSource {
  private readonly lanes: Lane[];

  constructor(sources: readonly EventSource[]) {
    this.lanes = sources.map((source) => ({ source, pending: undefined, done: false }));
  }

  async recv(): Promise<RawEvent | null> {
    const batch = await this.recvMany(1);
    return batch === null ? null : (batch[0] as RawEvent);
  }

  async recvMany(max: number): Promise<RawEvent[] | null> {
    for (;;) {
      const live = this.lanes.filter((l) => !l.done);
      if (live.length === 0) return null;
      for (const lane of live) lane.pending ??= readFrom(lane.source, max);
      const [lane, batch] = await Promise.race(live.map((l) => (l.pending as Promise<RawEvent[] | null>).then((b) => [l, b] as const)));
      lane.pending = undefined;
      if (batch === null || batch.length === 0) {
        lane.done = true;
        continue;
      }
      return batch;
    }
  }

  async stopReceiving(): Promise<void> {
    await Promise.all(this.lanes.map((l) => (l.source.stopReceiving !== undefined ? l.source.stopReceiving() : l.source.close())));
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.source.close()));
  }
}

function readFrom(source: EventSource, max: number): Promise<RawEvent[] | null> {
  if (source.recvMany !== undefined) return source.recvMany(max);
  return source.recv().then((e) => (e === null ? null : [e]));
}
