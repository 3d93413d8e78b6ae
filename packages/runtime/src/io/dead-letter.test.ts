import { describe, expect, it } from 'vitest';
import { DeadLetterWriter, formatDeadLetter } from './dead-letter.js';
import type { Sink } from './io-types.js';

function memorySink(): Sink & { lines: string[] } {
  const lines: string[] = [];
  return { label: 'memory', lines, send: async () => {}, sendRaw: async (j) => void lines.push(j), close: async () => {} };
}

describe('dead letters', () => {
  it('formats the spec line with an RFC 3339 UTC timestamp', () => {
    const line = formatDeadLetter(
      { originalEvent: 'not json', category: 'parse error', detail: 'Unexpected token', origin: 'nats:events.x#42' },
      Date.UTC(2024, 0, 15, 10, 30, 0),
    );
    expect(JSON.parse(line)).toEqual({
      original_event: 'not json',
      error: 'parse error: Unexpected token',
      timestamp: '2024-01-15T10:30:00.000Z',
      origin: 'nats:events.x#42',
    });
    expect(JSON.parse(formatDeadLetter({ originalEvent: 'x', category: 'oversize', detail: 'line exceeds 1048576 bytes' }, 0))).toEqual({
      original_event: 'x',
      error: 'oversize: line exceeds 1048576 bytes',
      timestamp: '1970-01-01T00:00:00.000Z',
    });
  });

  it('writes through sendRaw with the injected clock and counts every entry', async () => {
    const sink = memorySink();
    let dlq = 0;
    const w = new DeadLetterWriter(sink, { clock: () => 1_000, metrics: { onDlqEvent: () => dlq++ } });
    await w.write({ originalEvent: '{"r":1}', category: 'sink delivery failed', detail: 'file:/x: EACCES' });
    await w.write({ originalEvent: 'y', category: 'shutdown', detail: 'not processed before exit' });
    expect(sink.lines.map((l) => JSON.parse(l) as { timestamp: string; error: string })).toMatchObject([
      { timestamp: '1970-01-01T00:00:01.000Z', error: 'sink delivery failed: file:/x: EACCES' },
      { error: 'shutdown: not processed before exit' },
    ]);
    expect(w.count).toBe(2);
    expect(dlq).toBe(2);
  });

  it('propagates a failing DLQ sink instead of dropping the entry', async () => {
    const sink: Sink = { label: 'x', send: async () => {}, sendRaw: () => Promise.reject(new Error('disk full')), close: async () => {} };
    let dlq = 0;
    const w = new DeadLetterWriter(sink, { metrics: { onDlqEvent: () => dlq++ } });
    await expect(w.write({ originalEvent: 'a', category: 'parse error', detail: 'x' })).rejects.toThrow('disk full');
    expect(dlq).toBe(0);
  });
});
