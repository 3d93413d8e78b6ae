import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvaluationResult } from '@tsigma/eval';
import { ArraySource, BatchArraySource, fixture, MemorySink } from '../test/helpers.js';
import { DeadLetterWriter } from './io/dead-letter.js';
import { createEventFilter } from './event-filter.js';
import { FileSink } from './io/file-sink.js';
import { FileSource } from './io/file-source.js';
import type { EventSource, RawEvent, Sink } from './io/io-types.js';
import { LogProcessor } from './log-processor.js';
import { createStreamLogger } from './logger.js';
import { runPipeline } from './run-pipeline.js';
import type { ResultStage } from './run-pipeline.js';
import { RuntimeEngine } from './runtime-engine.js';

async function processor(): Promise<LogProcessor> {
  const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml') });
  await engine.loadRules();
  return new LogProcessor(engine);
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const noSleep = (): Promise<void> => Promise.resolve();

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
    expect(counts).toEqual({
      received: 7,
      processed: 4,
      deadLettered: 3,
      discarded: 0,
      results: 2,
      resultsDeadLettered: 0,
      resultsDropped: 0,
      resultsFailed: 0,
      unacked: 0,
      batches: 3,
    });
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
      sleep: noSleep,
    });
    expect(counts).toMatchObject({ received: 1, processed: 1, results: 0, resultsDeadLettered: 1 });
    expect(good.results).toHaveLength(1);
    expect(failures).toEqual(['file:/readonly']);
    const entry = JSON.parse(dlqSink.raw[0] as string) as { original_event: string; error: string };
    expect(entry.error).toBe('sink delivery failed (file:/readonly): EROFS');
    expect(JSON.parse(entry.original_event)).toMatchObject({ rule_title: 'Whoami Execution' });
  });

  it('without a DLQ, results a sink keeps refusing are logged at error and dropped; the input is still acked', async () => {
    const source = new ArraySource(['{"CommandLine":"whoami"}']);
    const broken: Sink = { label: 'x', send: () => Promise.reject(new Error('down')), sendRaw: async () => {}, close: async () => {} };
    const logged: string[] = [];
    const counts = await runPipeline({
      source,
      processor: await processor(),
      sinks: [broken],
      sleep: noSleep,
      logger: createStreamLogger({ level: 'error', format: 'text', write: (l) => logged.push(l) }),
    });
    expect(counts).toMatchObject({ results: 0, resultsFailed: 1, resultsDeadLettered: 0, unacked: 0 });
    expect(source.acked).toBe(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      /^tsigma: error: dead letters not written: no dead-letter queue configured .*sink delivery failed \(x\): down/,
    );
  });

  it('a stalled sink stops the source: held events stay within 2 × sink queue + batch + capacity + 1', async () => {
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
      delivery: { queueSize: 8 },
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
    // 8 items in flight and 8 queued at the sink, one batch waiting to be queued, 32 in the channel, 1 held by
    // the blocked channel send: the source is not read further.
    expect(reads).toBeLessThanOrEqual(8 + 8 + 16 + 32 + 1);
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

  it('a source that fails mid-way rejects only after the results already read were delivered', async () => {
    let reads = 0;
    const source: EventSource = {
      recv: async () => {
        if (reads++ === 0) return { payload: '{"CommandLine":"whoami"}', ackToken: { ack: async () => {} } };
        throw new Error('input vanished');
      },
      close: async () => {},
    };
    // Slower than the loop: its delivery is still under way when the source fails.
    const slow = new MemorySink();
    const send = slow.send.bind(slow);
    slow.send = async (results) => {
      for (let i = 0; i < 10; i++) await tick();
      await send(results);
    };
    await expect(runPipeline({ source, processor: await processor(), sinks: [slow] })).rejects.toThrow('input vanished');
    expect(slow.results.map((r) => r.rule_title)).toEqual(['Whoami Execution']);
  });
});

/** A rules dir with the whoami fixture and a second rule (`Dir Listing`), removed by the returned cleanup. */
async function twoRuleProcessor(): Promise<{ processor: LogProcessor; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsigma-rules-'));
  writeFileSync(join(dir, 'whoami.yml'), readFileSync(fixture('rules', 'whoami.yml'), 'utf8'));
  writeFileSync(
    join(dir, 'dir.yml'),
    [
      'title: Dir Listing',
      'logsource: { category: process_creation }',
      'detection:',
      '  sel: { CommandLine|contains: dir }',
      '  condition: sel',
      'level: low',
      '',
    ].join('\n'),
  );
  const engine = new RuntimeEngine({ rulesPath: dir });
  await engine.loadRules();
  return { processor: new LogProcessor(engine), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('runPipeline stages and delivery', () => {
  it('a ResultStage that drops one rule keeps its results from every sink; inputs are still acked', async () => {
    const { processor, cleanup } = await twoRuleProcessor();
    try {
      const seen: string[][] = [];
      const dropDir: ResultStage = {
        name: 'drop-dir',
        process: (rs) => (seen.push(rs.map((r) => r.rule_title)), rs.filter((r) => r.rule_title !== 'Dir Listing')),
      };
      const tag: ResultStage = { name: 'tag', process: async (rs) => rs.map((r) => ({ ...r, tags: [...r.tags, 'staged'] })) };
      const source = new ArraySource(['{"CommandLine":"whoami"}', '{"CommandLine":"dir"}', '{"CommandLine":"dir & whoami"}', '{"x":1}']);
      const a = new MemorySink('a');
      const b = new MemorySink('b');
      const counts = await runPipeline({ source, processor, sinks: [a, b], stages: [dropDir, tag], format: { kind: 'json' } });
      expect(seen).toEqual([['Whoami Execution'], ['Dir Listing'], ['Dir Listing', 'Whoami Execution']]); // rule files in lexical order
      for (const sink of [a, b]) {
        expect(sink.results.map((r) => r.rule_title)).toEqual(['Whoami Execution', 'Whoami Execution']);
        expect(sink.results.every((r) => r.tags.includes('staged'))).toBe(true);
      }
      expect(source.acked).toBe(4);
      expect(counts).toMatchObject({ received: 4, processed: 4, results: 2 });
    } finally {
      cleanup();
    }
  });

  it('a stage that throws dead-letters the results it was given as `sink delivery failed (stage <name>)`; the input is acked', async () => {
    const source = new ArraySource(['{"CommandLine":"whoami"}', '{"CommandLine":"ls"}']);
    const sink = new MemorySink();
    const dlqSink = new MemorySink('dlq');
    const warnings: string[] = [];
    const boom: ResultStage = {
      name: 'enrich',
      process: () => {
        throw new Error('lookup table missing');
      },
    };
    const counts = await runPipeline({
      source,
      processor: await processor(),
      sinks: [sink],
      stages: [boom],
      deadLetter: new DeadLetterWriter(dlqSink),
      logger: createStreamLogger({ level: 'warn', format: 'text', write: (l) => warnings.push(l) }),
    });
    expect(sink.results).toEqual([]);
    const entry = JSON.parse(dlqSink.raw[0] as string) as { original_event: string; error: string; origin: string };
    expect(dlqSink.raw).toHaveLength(1);
    expect(entry.error).toBe('sink delivery failed (stage enrich): lookup table missing');
    expect(entry.origin).toBe('array#0');
    expect((JSON.parse(entry.original_event) as EvaluationResult).rule_title).toBe('Whoami Execution');
    expect(source.acked).toBe(2);
    expect(counts).toMatchObject({ processed: 2, results: 0, resultsDeadLettered: 1 });
    expect(warnings[0]).toMatch(/^tsigma: warn: result stage failed.* stage=enrich/);
  });

  it('a stage failing on a result too deeply nested for JSON still writes a dead letter that serializes', async () => {
    const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml') });
    await engine.loadRules();
    // The input layer refuses events nested this deep, so the stage builds the deep value in place (as a careless
    // enricher might) before it fails.
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { n: deep };
    const dlqSink = new MemorySink('dlq');
    const boom: ResultStage = {
      name: 'enrich',
      process: (results) => {
        for (const r of results) (r as { event?: unknown }).event = deep;
        throw new Error('lookup table missing');
      },
    };
    const counts = await runPipeline({
      source: new ArraySource(['{"CommandLine":"whoami"}']),
      processor: new LogProcessor(engine),
      sinks: [new MemorySink()],
      stages: [boom],
      deadLetter: new DeadLetterWriter(dlqSink),
    });
    const entry = JSON.parse(dlqSink.raw[0] as string) as { original_event: string; error: string };
    expect(entry.error).toBe('sink delivery failed (stage enrich): lookup table missing');
    const stub = JSON.parse(entry.original_event) as { rule_title: string; unserializable?: unknown };
    expect(stub.rule_title).toBe('Whoami Execution');
    expect(typeof stub.unserializable).toBe('string');
    expect(counts).toMatchObject({ processed: 1, resultsDeadLettered: 1 });
  });

  it('uses recvMany when the source has it; batches never exceed batchSize', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `{"CommandLine":"whoami ${i}"}`);
    const source = new BatchArraySource(lines);
    const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml') });
    await engine.loadRules();
    const sizes: number[] = [];
    const sink = new MemorySink();
    const counts = await runPipeline({
      source,
      processor: new LogProcessor(engine, { observeBatchSize: (n) => sizes.push(n) }),
      sinks: [sink],
      batchSize: 8,
      capacity: 16,
    });
    expect(source.recvCalls).toBe(0);
    expect(source.asked.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(50);
    expect(counts).toMatchObject({ received: 50, results: 50, batches: sizes.length });
    expect(sink.results).toHaveLength(50);
    expect(source.acked).toBe(50);
  });

  it('a parse-error line whose dead letter cannot be written is nak-ed, not acked, and counted as discarded', async () => {
    const naks: string[] = [];
    const acks: string[] = [];
    const payloads = ['not json', '{"CommandLine":"ls"}'];
    let i = 0;
    const source: EventSource = {
      recv: async () => {
        const payload = payloads[i++];
        if (payload === undefined) return null;
        return { payload, ackToken: { ack: async () => void acks.push(payload), nak: async () => void naks.push(payload) } };
      },
      close: async () => {},
    };
    const dlq: Sink = { label: 'dlq', send: async () => {}, sendRaw: () => Promise.reject(new Error('EROFS')), close: async () => {} };
    const errors: string[] = [];
    const counts = await runPipeline({
      source,
      processor: await processor(),
      sinks: [],
      format: { kind: 'json' },
      deadLetter: new DeadLetterWriter(dlq),
      sleep: noSleep,
      logger: createStreamLogger({ level: 'error', format: 'text', write: (l) => errors.push(l) }),
    });
    expect(naks).toEqual(['not json']);
    expect(acks).toEqual(['{"CommandLine":"ls"}']);
    expect(counts).toMatchObject({ received: 2, processed: 1, deadLettered: 0, discarded: 1, unacked: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('EROFS');
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
