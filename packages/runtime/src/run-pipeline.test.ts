import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArraySource, fixture, MemorySink } from '../test/helpers.js';
import { DeadLetterWriter } from './io/dead-letter.js';
import { createEventFilter } from './event-filter.js';
import { FileSink } from './io/file-sink.js';
import { FileSource } from './io/file-source.js';
import type { EventSource, RawEvent, Sink } from './io/io-types.js';
import { LogProcessor } from './log-processor.js';
import { runPipeline } from './run-pipeline.js';
import { RuntimeEngine } from './runtime-engine.js';

async function processor(): Promise<LogProcessor> {
  const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml') });
  await engine.loadRules();
  return new LogProcessor(engine);
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('runPipeline', () => {
  it('dead-letters bad lines with category and origin; every event is counted and acked once', async () => {
    const lines = [
      '{"CommandLine":"whoami"}',
      'not json',
      '',
      `{"x":"${'a'.repeat(1_048_576)}"}`,
      '{"CommandLine":"whoami /all"}',
      '{"records":[1]}',
      '{"CommandLine":"ls"}',
    ];
    const source = new ArraySource(lines);
    const sink = new MemorySink();
    const dlqSink = new MemorySink('dlq');
    let dlqEvents = 0;
    const deadLetter = new DeadLetterWriter(dlqSink, { clock: () => Date.UTC(2025, 0, 1), metrics: { onDlqEvent: () => dlqEvents++ } });
    const counts = await runPipeline({
      source,
      processor: await processor(),
      sinks: [sink],
      format: { kind: 'json' },
      filter: await createEventFilter({ jq: 'if has("records") then .records[] else . end' }),
      deadLetter,
      batchSize: 3,
    });
    expect(counts).toEqual({ received: 7, processed: 4, deadLettered: 3, discarded: 0, results: 2, resultsDeadLettered: 0, batches: 3 });
    expect(counts.received).toBe(counts.processed + counts.deadLettered + counts.discarded);
    expect(source.acked).toBe(7);
    expect(sink.results.map((r) => r.rule_title)).toEqual(['Whoami Execution', 'Whoami Execution']);
    const dlq = dlqSink.raw.map((l) => JSON.parse(l) as Record<string, string>);
    expect(dlq.map((d) => [d.origin, d.error?.split(':')[0]])).toEqual([
      ['array#1', 'parse error'],
      ['array#3', 'oversize'],
      ['array#5', 'parse error'],
    ]);
    expect(dlq[0]).toMatchObject({ original_event: 'not json', timestamp: '2025-01-01T00:00:00.000Z' });
    expect(dlqEvents).toBe(3);
  });

  it('without a DLQ, bad lines are counted as discarded', async () => {
    const counts = await runPipeline({
      source: new ArraySource(['bad', '{"CommandLine":"whoami"}']),
      processor: await processor(),
      sinks: [],
      format: { kind: 'json' },
    });
    expect(counts).toMatchObject({ received: 2, processed: 1, discarded: 1, deadLettered: 0 });
  });

  it('dead-letters results a sink refused, still delivering to the other sinks', async () => {
    const broken: Sink = {
      label: 'file:/readonly',
      send: () => Promise.reject(new Error('EROFS')),
      sendRaw: () => Promise.reject(new Error('EROFS')),
      close: async () => {},
    };
    const good = new MemorySink();
    const dlqSink = new MemorySink('dlq');
    const failures: string[] = [];
    const counts = await runPipeline({
      source: new ArraySource(['{"CommandLine":"whoami"}']),
      processor: await processor(),
      sinks: [broken, good],
      deadLetter: new DeadLetterWriter(dlqSink),
      metrics: { onSinkDeliveryFailed: (l) => failures.push(l) },
    });
    expect(counts).toMatchObject({ received: 1, processed: 1, results: 0, resultsDeadLettered: 1 });
    expect(good.results).toHaveLength(1);
    expect(failures).toEqual(['file:/readonly']);
    const entry = JSON.parse(dlqSink.raw[0] as string) as { original_event: string; error: string };
    expect(entry.error).toBe('sink delivery failed: file:/readonly: EROFS');
    expect(JSON.parse(entry.original_event)).toMatchObject({ rule_title: 'Whoami Execution' });
  });

  it('rejects on a sink failure when there is no DLQ, without acking the batch', async () => {
    const source = new ArraySource(['{"CommandLine":"whoami"}']);
    const broken: Sink = { label: 'x', send: () => Promise.reject(new Error('down')), sendRaw: async () => {}, close: async () => {} };
    await expect(runPipeline({ source, processor: await processor(), sinks: [broken] })).rejects.toThrow('down');
    expect(source.acked).toBe(0);
  });

  it('a stalled sink stops the source: buffered events never exceed capacity + one batch', async () => {
    let reads = 0;
    let acks = 0;
    const source: EventSource = {
      recv: async (): Promise<RawEvent | null> =>
        reads >= 10_000 ? null : { payload: `{"CommandLine":"whoami ${reads++}"}`, ackToken: { ack: async () => void acks++ } },
      close: async () => {},
    };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let stalledCalls = 0;
    const stalled = new MemorySink('stalled');
    const slow: Sink = {
      label: 'slow',
      send: async (results) => {
        stalledCalls++;
        await gate;
        await stalled.send(results);
      },
      sendRaw: async () => {},
      close: async () => {},
    };
    let backPressure = 0;
    let depth = 0;
    let maxDepth = 0;
    const running = runPipeline({
      source,
      processor: await processor(),
      sinks: [slow],
      batchSize: 16,
      capacity: 32,
      metrics: {
        onBackPressure: () => backPressure++,
        onInputQueueDepthChange: (d) => {
          depth += d;
          maxDepth = Math.max(maxDepth, depth);
        },
      },
    });
    for (let i = 0; i < 200; i++) await tick();
    expect(stalledCalls).toBe(1);
    // One batch in the sink, 32 in the channel, 1 held by the blocked send: the source is not read further.
    expect(reads).toBeLessThanOrEqual(16 + 32 + 1);
    expect(acks).toBe(0);
    expect(backPressure).toBeGreaterThan(0);
    const readsWhileStalled = reads;
    for (let i = 0; i < 200; i++) await tick();
    expect(reads).toBe(readsWhileStalled);

    release();
    const counts = await running;
    expect(counts).toMatchObject({ received: 10_000, processed: 10_000, results: 10_000 });
    expect(acks).toBe(10_000);
    expect(stalled.results).toHaveLength(10_000);
    expect(maxDepth).toBeLessThanOrEqual(32);
    expect(depth).toBe(0);
  });

  it('stops on abort, processing the events already read', async () => {
    const controller = new AbortController();
    let reads = 0;
    const source: EventSource = {
      recv: async () => ({ payload: `{"n":${reads++}}`, ackToken: { ack: async () => {} } }),
      close: async () => {},
    };
    const sink = new MemorySink();
    const running = runPipeline({ source, processor: await processor(), sinks: [sink], signal: controller.signal, capacity: 4 });
    for (let i = 0; i < 20; i++) await tick();
    controller.abort();
    const counts = await running;
    expect(counts.received).toBe(reads);
    expect(counts.processed).toBe(reads);
  });
});

describe('runPipeline over real files', () => {
  it('FileSource → LogProcessor → FileSink, with a file DLQ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-e2e-'));
    try {
      const input = join(dir, 'events.ndjson');
      writeFileSync(
        input,
        ['{"CommandLine":"whoami"}', '{oops', '', '{"CommandLine":"cmd /c whoami"}', '{"CommandLine":"ls"}'].join('\n') + '\n',
      );
      const out = new FileSink(join(dir, 'alerts.ndjson'));
      const dlq = new FileSink(join(dir, 'dlq.ndjson'), { fsync: 'every-batch' });
      const counts = await runPipeline({
        source: new FileSource(input),
        processor: await processor(),
        sinks: [out],
        format: { kind: 'json' },
        deadLetter: new DeadLetterWriter(dlq),
        batchSize: 2,
      });
      await out.close();
      await dlq.close();
      expect(counts).toMatchObject({ received: 4, processed: 3, deadLettered: 1, results: 2 });
      const alerts = readFileSync(join(dir, 'alerts.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { rule_title: string });
      expect(alerts.map((a) => a.rule_title)).toEqual(['Whoami Execution', 'Whoami Execution']);
      const dead = JSON.parse(readFileSync(join(dir, 'dlq.ndjson'), 'utf8')) as Record<string, string>;
      expect(dead).toMatchObject({ original_event: '{oops', origin: `${input}:2` });
      expect(dead.error).toMatch(/^parse error: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
