// ParallelLogProcessor with real worker threads (the built dist/parallel-worker.js): results equal to one
// thread's, a killed worker's batches re-run on its replacement, reloads switching everything at one batch
// boundary, and load failures reported before anything runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogProcessor, type BatchProcessOutcome } from '../log-processor.js';
import { runPipeline, type ResultStage } from '../run-pipeline.js';
import { serializeResults } from '../io/ndjson.js';
import type { Sink } from '../io/io-types.js';
import { RuntimeEngine, type RuntimeEngineOptions } from '../runtime-engine.js';
import { ParallelLogProcessor } from './parallel-processor.js';
import { defaultWorkerCount, PARALLEL_MIN_INPUT_BYTES, PARALLEL_MIN_RULES } from './worker-count.js';
import { ArraySource, MemorySink } from '../../test/helpers.js';

const RULES = `title: login
id: login
name: login
logsource: { category: app }
detection:
  selection: { kind: login }
  condition: selection
level: low
---
title: upload
id: upload
name: upload
logsource: { category: app }
detection:
  selection: { kind: upload }
  condition: selection
level: low
---
title: many logins
id: c-count
correlation:
  type: event_count
  rules: [login]
  group-by: [user]
  timespan: 10m
  condition: { gte: 3 }
level: medium
---
title: exfiltration
id: c-sum
correlation:
  type: value_sum
  rules: [upload]
  group-by: [net.src]
  timespan: 10m
  generate: false
  condition: { gt: 1000, field: bytes }
level: high
`;

const NEW_RULE = `title: access
id: access
logsource: { category: app }
detection:
  selection: { kind: access }
  condition: selection
level: low
`;

const KINDS = ['login', 'upload', 'access', 'noise'];

/** Deterministic JSON lines: users and sources cycle, one event per second. */
function eventLines(count: number, from = 0): string[] {
  const lines: string[] = [];
  for (let i = from; i < from + count; i++) {
    const event = {
      timestamp: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
      kind: KINDS[i % 4],
      user: `u${i % 7}`,
      net: { src: `10.0.0.${i % 5}` },
      bytes: (i * 37) % 600,
    };
    lines.push(i % 50 === 49 ? '{"broken": ' : JSON.stringify(event));
  }
  return lines;
}

const batches = (lines: string[], size: number): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i += size) out.push(lines.slice(i, i + size));
  return out;
};

let dir: string;
const open: ParallelLogProcessor[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setUp(
  workers: number,
  extraRules = '',
): Promise<{ parallel: ParallelLogProcessor; processor: LogProcessor; options: RuntimeEngineOptions }> {
  dir = mkdtempSync(join(tmpdir(), 'tsigma-parallel-'));
  writeFileSync(join(dir, 'rules.yml'), RULES + extraRules);
  const options: RuntimeEngineOptions = { rulesPath: dir, correlationConfig: { suppressSecs: 60, emitDetections: false } };
  const engine = new RuntimeEngine(options);
  await engine.loadRules();
  const processor = new LogProcessor(engine);
  const parallel = await ParallelLogProcessor.start({ processor, spec: { engine: options, pipelineRefs: [] }, workers });
  open.push(parallel);
  return { parallel, processor, options };
}

/** The same batches through one thread, as the reference. */
async function singleThread(options: RuntimeEngineOptions, input: string[][]): Promise<BatchProcessOutcome[]> {
  const engine = new RuntimeEngine(options);
  await engine.loadRules();
  const processor = new LogProcessor(engine);
  return input.map((b) => processor.processBatchWithFormatDetailed(b, { kind: 'json' }));
}

describe('ParallelLogProcessor', () => {
  it('resolves every batch, in order, exactly as one thread does', async () => {
    const { parallel, options } = await setUp(3);
    const input = batches(eventLines(3000), 37);
    const got = await Promise.all(input.map((b) => parallel.process(b, { kind: 'json' })));
    const want = await singleThread(options, input);
    expect(JSON.stringify(got)).toBe(JSON.stringify(want));
    // Not vacuous: correlations fired (from the dotted group-by too) and bad lines were reported.
    const flat = got.flatMap((o) => o.results.flatMap((r) => r.correlations));
    expect(flat.some((c) => c.rule_id === 'c-count')).toBe(true);
    expect(flat.some((c) => c.rule_id === 'c-sum')).toBe(true);
    expect(got.flatMap((o) => o.parseErrors)).toHaveLength(60);
    // generate: false hides the upload detections in both.
    expect(got.flatMap((o) => o.results.flatMap((r) => r.detections)).some((d) => d.rule_id === 'upload')).toBe(false);
  });

  it('re-runs the batches of a killed worker on its replacement: nothing lost or doubled', async () => {
    const { parallel, options } = await setUp(2);
    const input = batches(eventLines(4000), 50);
    const pending = input.map((b) => parallel.process(b, { kind: 'json' }));
    await parallel.killWorker(0);
    const got = await Promise.all(pending);
    expect(parallel.workersReplaced).toBe(1);
    await vi.waitFor(() => expect(parallel.size).toBe(2), { timeout: 10_000 });
    expect(JSON.stringify(got)).toBe(JSON.stringify(await singleThread(options, input)));
    // The replacement works too.
    const after = await parallel.process(eventLines(10, 4000), { kind: 'json' });
    expect(after.results).toHaveLength(10);
  });

  it('keeps going when its only worker dies', async () => {
    const { parallel, options } = await setUp(1);
    const input = batches(eventLines(1000), 25);
    const pending = input.map((b) => parallel.process(b, { kind: 'json' }));
    await parallel.killWorker(0);
    const got = await Promise.all(pending);
    expect(JSON.stringify(got)).toBe(JSON.stringify(await singleThread(options, input)));
  });

  it('switches workers and the correlating engine at one batch boundary on reload', async () => {
    const { parallel, processor } = await setUp(2);
    const before = await parallel.process(eventLines(8), { kind: 'json' });
    const ids = (o: BatchProcessOutcome): string[] => o.results.flatMap((r) => r.detections.map((d) => d.rule_id ?? ''));
    expect(ids(before)).not.toContain('access');

    writeFileSync(join(dir, 'new.yml'), NEW_RULE);
    const oldEngine = processor.currentEngine();
    // Batches submitted while the reload loads still run on the old rules; the switch waits for them.
    const inFlight = batches(eventLines(400, 8), 20).map((b) => parallel.process(b, { kind: 'json' }));
    const reloaded = parallel.reloadRules();
    const stats = await reloaded;
    const during = await Promise.all(inFlight);
    expect(stats.detectionRules).toBe(3);
    expect(processor.currentEngine()).not.toBe(oldEngine);
    // Batches submitted before the reload ran wholly on the old rules (the switch waited for them).
    for (const o of during) {
      expect(o.results).toHaveLength(20);
      expect(ids(o)).not.toContain('access');
    }
    const after = await parallel.process(eventLines(8, 1000), { kind: 'json' });
    expect(ids(after)).toContain('access');
    // Correlation state was carried over: the count of logins per user goes on across the reload.
    expect(processor.currentEngine().stats().stateEntries).toBeGreaterThan(0);
  });

  it('a reload that fails anywhere leaves the running rules in place', async () => {
    const { parallel, processor } = await setUp(2);
    writeFileSync(join(dir, 'broken.yml'), 'title: broken\ndetection: [\n');
    const engine = processor.currentEngine();
    await expect(parallel.reloadRules()).rejects.toThrow();
    expect(processor.currentEngine()).toBe(engine);
    const still = await parallel.process(eventLines(200), { kind: 'json' });
    expect(still.results.flatMap((r) => r.correlations).some((c) => c.rule_id === 'c-count')).toBe(true);
  });

  it('refuses to start when the workers cannot load the rules, naming the problem', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsigma-parallel-'));
    writeFileSync(join(dir, 'rules.yml'), RULES);
    const engine = new RuntimeEngine({ rulesPath: dir });
    await engine.loadRules();
    const processor = new LogProcessor(engine);
    const start = ParallelLogProcessor.start({
      processor,
      spec: { engine: { rulesPath: join(dir, 'missing') }, pipelineRefs: [] },
      workers: 2,
    });
    await expect(start).rejects.toMatchObject({ code: 'worker_load' });
    await expect(
      ParallelLogProcessor.start({ processor, spec: { engine: { rulesPath: dir }, pipelineRefs: ['no-such-pipeline'] }, workers: 1 }),
    ).rejects.toThrow(/no-such-pipeline/);
  });

  it('rejects work after close', async () => {
    const { parallel } = await setUp(1);
    await parallel.close();
    await expect(parallel.process(eventLines(1), { kind: 'json' })).rejects.toMatchObject({ code: 'pool_closed' });
  });

  it('drives runPipeline with several batches in flight, delivering in input order', async () => {
    const { parallel, processor, options } = await setUp(2);
    const lines = eventLines(2000);
    const sink = new MemorySink();
    const source = new ArraySource(lines);
    const counts = await runPipeline({ source, processor, parallel, sinks: [sink], format: { kind: 'json' }, batchSize: 64 });
    expect(counts.received).toBe(2000);
    // Every input acked once, after its results were delivered.
    expect(source.acked).toBe(2000);
    const want = (await singleThread(options, batches(lines, 64))).flatMap((o) =>
      o.results.flatMap((r) => [...r.detections, ...r.correlations]),
    );
    expect(JSON.stringify(sink.results)).toBe(JSON.stringify(want));
  });
});

describe('JSON texts built by the workers', () => {
  it('are what sinks write, unless a stage may have changed the result in place', async () => {
    // A visible detection rule too: detections are what the workers serialize (correlations are built here).
    const { parallel, processor } = await setUp(2, '---\n' + NEW_RULE);
    const lines = eventLines(400);
    const plain: string[] = [];
    const staged: string[] = [];
    const textSink = (out: string[]): Sink => ({
      label: 'text',
      send: (rs) => {
        out.push(serializeResults(rs));
        return Promise.resolve();
      },
      sendRaw: () => Promise.resolve(),
      close: () => Promise.resolve(),
    });
    await runPipeline({ source: new ArraySource(lines), processor, parallel, sinks: [textSink(plain)], format: { kind: 'json' } });
    const want = plain
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    expect(want.length).toBeGreaterThan(0);
    for (const line of want) expect(JSON.stringify(JSON.parse(line))).toBe(line);

    const tagInPlace: ResultStage = {
      name: 'tag-in-place',
      process: (rs) => {
        for (const r of rs) r.tags.push('seen.by.stage');
        return rs;
      },
    };
    await runPipeline({
      source: new ArraySource(eventLines(400, 400)),
      processor,
      parallel,
      stages: [tagInPlace],
      sinks: [textSink(staged)],
      format: { kind: 'json' },
    });
    const stagedLines = staged
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    expect(stagedLines.length).toBeGreaterThan(0);
    for (const line of stagedLines) expect(line).toContain('seen.by.stage');
    expect(stagedLines.some((line) => line.includes('"rule_id":"access"'))).toBe(true);
  });
});

describe('defaultWorkerCount', () => {
  it('uses every core only for file input big enough, and rules costly enough, to pay for the workers', () => {
    dir = mkdtempSync(join(tmpdir(), 'tsigma-parallel-'));
    const small = join(dir, 'small.ndjson');
    const big = join(dir, 'big.ndjson');
    writeFileSync(small, '{}\n');
    writeFileSync(big, Buffer.alloc(PARALLEL_MIN_INPUT_BYTES));
    expect(defaultWorkerCount([{ kind: 'file', path: small }], 2000, 4)).toBe(1);
    expect(defaultWorkerCount([{ kind: 'file', path: big }], 2000, 4)).toBe(4);
    expect(defaultWorkerCount([{ kind: 'file', path: big }], 2000, 1)).toBe(1);
    // A few rules: detection is cheaper than shipping results between threads.
    expect(defaultWorkerCount([{ kind: 'file', path: big }], PARALLEL_MIN_RULES - 1, 4)).toBe(1);
    const unsized = [
      { kind: 'inline' as const, text: '{}' },
      { kind: 'file' as const, path: join(dir, 'absent') },
    ];
    expect(defaultWorkerCount(unsized, 2000, 4)).toBe(1);
  });
});
