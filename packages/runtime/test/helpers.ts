// Test doubles that really run: in-memory sinks and array-backed sources (no mocking of runtime code).

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationResult } from '@tsigma/eval';
import type { EventSource, RawEvent, Sink } from '../src/io/io-types.js';

/** Absolute path of a fixture under test/fixtures. */
export function fixture(...parts: string[]): string {
  return join(import.meta.dirname, 'fixtures', ...parts);
}

/** A fresh temp dir holding copies of the given fixture files; `cleanup()` removes it. */
export function tempRules(...files: string[]): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tsigma-rules-'));
  for (const f of files) cpSync(fixture(f), join(dir, f.split('/').pop() as string));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A sink that keeps everything in memory. */
export class MemorySink implements Sink {
  readonly results: EvaluationResult[] = [];
  readonly raw: string[] = [];
  closed = false;

  constructor(readonly label = 'memory') {}

  async send(results: readonly EvaluationResult[]): Promise<void> {
    this.results.push(...results);
  }

  async sendRaw(json: string): Promise<void> {
    this.raw.push(json);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A source over fixed payloads that records how many events were pulled and acknowledged. */
export class ArraySource implements EventSource {
  pulled = 0;
  acked = 0;
  private closed = false;

  constructor(private readonly payloads: readonly string[]) {}

  async recv(): Promise<RawEvent | null> {
    if (this.closed || this.pulled >= this.payloads.length) return null;
    const n = this.pulled++;
    return {
      payload: this.payloads[n] as string,
      origin: `array#${n}`,
      ackToken: { ack: async () => void this.acked++ },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** An ArraySource that also offers `recvMany`, recording every `max` it was asked for. */
export class BatchArraySource extends ArraySource implements EventSource {
  readonly asked: number[] = [];
  recvCalls = 0;

  override async recv(): Promise<RawEvent | null> {
    this.recvCalls++;
    return super.recv();
  }

  async recvMany(max: number): Promise<RawEvent[] | null> {
    this.asked.push(max);
    const out: RawEvent[] = [];
    while (out.length < max) {
      const ev = await super.recv();
      if (ev === null) break;
      out.push(ev);
    }
    return out.length === 0 ? null : out;
  }
}
