// Per-window evidence for correlation results (spec 03 §9): compressed copies of contributing events
// (`full`) or small references (`refs`), capped per window. It never decides what contributes.

import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { FieldSource } from './field-values.js';
import type { CorrelationEventRef } from './types.js';

/** Fast compression: evidence is written for every contribution but read only when a correlation fires. */
const EVIDENCE_DEFLATE_LEVEL = 1;

/** Rough per-reference footprint used by `eventBufferBytes()`. */
const REF_BYTES_ESTIMATE = 48;

/** Event fields tried, in order, for an event reference id (spec 03 §9). */
export const EVENT_ID_FIELDS: readonly string[] = ['id', '_id', 'event_id', 'EventRecordID', 'event.id', 'Event.System.EventRecordID'];

/** Evidence kept for one window, oldest first, at most `cap` entries. */
export class EvidenceBuffer {
  readonly ts: number[] = [];
  readonly items: (Buffer | CorrelationEventRef)[] = [];

  constructor(private readonly cap: number) {}

  /** Appends one item, dropping the oldest beyond the cap. */
  push(ts: number, item: Buffer | CorrelationEventRef): void {
    this.ts.push(ts);
    this.items.push(item);
    if (this.items.length > this.cap) {
      const extra = this.items.length - this.cap;
      this.ts.splice(0, extra);
      this.items.splice(0, extra);
    }
  }

  /** Drops items whose contribution time is below `cutoff`, following the window's sliding eviction. */
  evictBefore(cutoff: number): void {
    let n = 0;
    while (n < this.ts.length && (this.ts[n] as number) < cutoff) n++;
    if (n > 0) {
      this.ts.splice(0, n);
      this.items.splice(0, n);
    }
  }

  clear(): void {
    this.ts.length = 0;
    this.items.length = 0;
  }

  /** Stored bytes (compressed events) or an estimate for references. */
  bytes(): number {
    let total = 0;
    for (const item of this.items) total += Buffer.isBuffer(item) ? item.length : REF_BYTES_ESTIMATE;
    return total;
  }
}

/** Compresses an event's JSON for `full` mode. */
export function compressEvent(json: unknown): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(json) ?? 'null'), { level: EVIDENCE_DEFLATE_LEVEL });
}

/** Restores an event stored by {@link compressEvent}. */
export function decompressEvent(data: Buffer): unknown {
  return JSON.parse(inflateRawSync(data).toString('utf8'));
}

/** Builds the `refs` mode reference of an event. */
export function eventRef(event: FieldSource, ts: number): CorrelationEventRef {
  for (const field of EVENT_ID_FIELDS) {
    const v = event.get(field);
    if (typeof v === 'string') return { timestamp: ts, id: v };
    if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return { timestamp: ts, id: String(v) };
  }
  return { timestamp: ts };
}
