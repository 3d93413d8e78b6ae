// NatsSource → runPipeline → NatsSinks on a real nats-server (issue 11 "Must show"; spec 10 §2–3, spec 05 §1):
// flat results on every output subject in input order, a ResultStage in between, retries with an injected sleep,
// dead letters on a NATS DLQ, the ack join (an input is acked only once every sink committed its results), and
// at-least-once across a SIGKILL of a consumer process that runs the same loop.
//
// Detections embed their event (`includeEvent`), whose `seq` names the input, so every result, commit and ack can
// be matched back to the input it came from.

import { defaultCorrelationConfig, type DetectionResult, type EvaluationResult } from '@tsigma/eval';
import {
  DeadLetterWriter,
  flattenResults,
  LogProcessor,
  NoopMetrics,
  runPipeline,
  RuntimeEngine,
  type AckToken,
  type DeadLetterLine,
  type EventSource,
  type PipelineCounts,
  type RawEvent,
  type ResultStage,
  type RunPipelineOptions,
  type Sink,
} from '@tsigma/runtime';
import { describe, expect, it } from 'vitest';
import { NatsSource, streamNameFor, type NatsSourceOptions } from '../../src/index.js';
import type { ConsumerSettings } from '../fixtures/consumer.js';
import { endConsumer, inspect, PIPELINE_FIXTURE, startConsumer, waitFor, type Inspector } from '../helpers/consumer-process.js';
import { writeRules } from '../helpers/fixtures.js';
import { useNatsServer } from '../helpers/harness.js';
import { recordingLogger } from '../helpers/logger.js';
import { natsServerAvailable, recvWithin } from '../helpers/nats-server.js';

const RULE_ALERT = `
title: Pipe Alert
id: a1a1a1a1-0001-0000-0000-000000000001
logsource: { product: test }
detection:
    selection:
        eventType: 'pipe.test'
    condition: selection
level: medium
`;

const RULE_ADMIN = `
title: Pipe Admin
id: a1a1a1a1-0002-0000-0000-000000000001
logsource: { product: test }
detection:
    selection:
        user: 'admin'
    condition: selection
level: high
`;

/** The rule the stage drops. */
const RULE_NOISE = `
title: Pipe Noise
id: a1a1a1a1-0003-0000-0000-000000000001
logsource: { product: test }
detection:
    selection:
        noise: 'yes'
    condition: selection
level: low
`;

const DROPPED_TITLE = 'Pipe Noise';

/** Drops every result of the noise rule; a line left with nothing is acked at once. */
const dropNoise: ResultStage = {
  name: 'drop-noise',
  process: (results) => results.filter((r) => r.rule_title !== DROPPED_TITLE),
};

/**
 * Input `seq`: every 5th matches no `eventType` rule, every 4th is an admin, every 3rd is noise. So some inputs
 * yield two kept results, some one, some only a dropped one (seq 9) and some none at all (seq 19).
 */
function eventPayload(seq: number): string {
  return JSON.stringify({
    seq,
    eventType: seq % 5 === 4 ? 'other' : 'pipe.test',
    user: seq % 4 === 0 ? 'admin' : 'user',
    noise: seq % 3 === 0 ? 'yes' : 'no',
  });
}

function payloads(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => eventPayload(from + i));
}

function seqOfResult(r: EvaluationResult): number {
  return ((r as DetectionResult).event as { seq: number }).seq;
}

/** Everything a test observes, in the order it happened. */
type Entry = { kind: 'committed'; sink: string; seqs: number[] } | { kind: 'ack'; seq: number };

interface RecordingSource extends EventSource {
  /** Calls of `ack()` per input seq. */
  acks: Map<number, number>;
  /** `ack()` calls that resolved (the server confirmed them). */
  confirmed: number;
  naks: number[];
}

/** Wraps the source's events so every ack is recorded on `timeline` when the runtime calls it. */
function recordingSource(inner: NatsSource, timeline: Entry[]): RecordingSource {
  const wrap = (event: RawEvent): RawEvent => {
    const seq = (JSON.parse(event.payload) as { seq: number }).seq;
    const token = event.ackToken;
    const ackToken: AckToken = {
      ack: async () => {
        timeline.push({ kind: 'ack', seq });
        rec.acks.set(seq, (rec.acks.get(seq) ?? 0) + 1);
        await token.ack();
        rec.confirmed++;
      },
      nak: async (delayMs) => {
        rec.naks.push(seq);
        await token.nak?.(delayMs);
      },
      position: () => token.position?.(),
    };
    return { ...event, ackToken };
  };
  const rec: RecordingSource = {
    acks: new Map(),
    confirmed: 0,
    naks: [],
    recv: async () => {
      const event = await inner.recv();
      return event === null ? null : wrap(event);
    },
    recvMany: async (max) => (await inner.recvMany(max)).map(wrap),
    close: () => inner.close(),
  };
  return rec;
}

interface WrappedSink extends Sink {
  /** `send` calls so far, failed ones included. */
  calls: number;
}

/**
 * Records on `timeline` which inputs' results (or dead letters) a sink committed, when its `send`/`sendRaw`
 * resolved. `failOn(call)` returning an error makes that `send` call reject without publishing anything.
 */
function wrapSink(inner: Sink, timeline: Entry[], failOn: (call: number) => Error | undefined = () => undefined): WrappedSink {
  const wrapped: WrappedSink = {
    label: inner.label,
    calls: 0,
    send: async (results) => {
      const error = failOn(++wrapped.calls);
      if (error !== undefined) throw error;
      await inner.send(results);
      timeline.push({ kind: 'committed', sink: inner.label, seqs: results.map(seqOfResult) });
    },
    sendRaw: async (json) => {
      await inner.sendRaw(json);
      const line = JSON.parse(json) as DeadLetterLine;
      timeline.push({ kind: 'committed', sink: inner.label, seqs: [seqOfResult(JSON.parse(line.original_event) as EvaluationResult)] });
    },
    close: () => inner.close(),
  };
  return wrapped;
}

/**
 * For every input: acked exactly once, and only after each of `sinks` committed every one of its `expected`
 * results (a sink commits a result by storing it or, for the DLQ label, its dead letter).
 */
function assertAckJoin(timeline: readonly Entry[], expected: readonly EvaluationResult[], sinks: readonly string[], n: number): void {
  const ackAt = new Map<number, number>();
  timeline.forEach((e, i) => {
    if (e.kind === 'ack') {
      expect(ackAt.has(e.seq), `input ${e.seq} acked twice`).toBe(false);
      ackAt.set(e.seq, i);
    }
  });
  expect([...ackAt.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, s) => s));
  const resultsPerSeq = new Map<number, number>();
  for (const r of expected) resultsPerSeq.set(seqOfResult(r), (resultsPerSeq.get(seqOfResult(r)) ?? 0) + 1);
  for (const [seq, count] of resultsPerSeq) {
    const ack = ackAt.get(seq) as number;
    for (const sink of sinks) {
      let committedBeforeAck = 0;
      for (let i = 0; i < ack; i++) {
        const e = timeline[i] as Entry;
        if (e.kind === 'committed' && e.sink === sink) committedBeforeAck += e.seqs.filter((s) => s === seq).length;
      }
      expect(committedBeforeAck, `results of input ${seq} committed by ${sink} before its ack`).toBe(count);
    }
  }
}

/** A flat result: a header and detection keys, never a `{detections, correlations}` wrapper. */
function expectFlat(records: readonly EvaluationResult[]): void {
  for (const r of records) {
    expect(typeof r.rule_title).toBe('string');
    expect(r).toHaveProperty('matched_fields');
    expect(r).not.toHaveProperty('detections');
    expect(r).not.toHaveProperty('correlations');
  }
}

const run = natsServerAvailable();

describe.skipIf(!run)('NatsSource → runPipeline → NatsSinks (spec 10 §2–3)', () => {
  const nats = useNatsServer();
  let inspector: Inspector | undefined;
  let loaded: Promise<{ dir: string; processor: LogProcessor }> | undefined;

  async function inspectorOf(): Promise<Inspector> {
    if (inspector === undefined) {
      const opened = await inspect(nats.server.url);
      nats.onCleanup(() => opened.close());
      inspector = opened;
    }
    return inspector;
  }

  /** Rules written once per file; the processor embeds events so results name their input (no correlations: stateless). */
  function rules(): Promise<{ dir: string; processor: LogProcessor }> {
    loaded ??= (async () => {
      const written = await writeRules({ 'a-alert.yml': RULE_ALERT, 'b-admin.yml': RULE_ADMIN, 'c-noise.yml': RULE_NOISE });
      nats.onCleanup(() => written.remove());
      const engine = new RuntimeEngine({
        rulesPath: written.dir,
        pipelines: [],
        correlationConfig: defaultCorrelationConfig(),
        includeEvent: true,
      });
      await engine.loadRules();
      return { dir: written.dir, processor: new LogProcessor(engine, new NoopMetrics()) };
    })();
    return loaded;
  }

  /** What the sinks must receive for `lines`: each line's flat results through the stage, in input order. */
  async function expectedFor(lines: readonly string[]): Promise<EvaluationResult[]> {
    const { processor: reference } = await rules();
    return reference
      .processBatchWithFormat([...lines], { kind: 'json' })
      .flatMap(flattenResults)
      .filter((r) => r.rule_title !== DROPPED_TITLE);
  }

  async function source(subject: string, durable: string, opts: NatsSourceOptions): Promise<NatsSource> {
    const s = await NatsSource.connect(nats.cfg, subject, { kind: 'resume' }, durable, opts);
    nats.onCleanup(() => s.close());
    return s;
  }

  /**
   * Runs the loop until the server confirmed `n` acks (or the loop failed), then aborts it and returns its counts.
   * Bounded: gives up after `ms`, still stopping the loop.
   */
  async function runUntilAcked(
    opts: Omit<RunPipelineOptions, 'signal' | 'source'> & { source: RecordingSource },
    n: number,
    ms = 15_000,
  ): Promise<PipelineCounts> {
    const stop = new AbortController();
    let failed = false;
    const running = runPipeline({ ...opts, signal: stop.signal });
    running.catch(() => (failed = true));
    const acked = await waitFor(async () => failed || opts.source.confirmed >= n, ms);
    stop.abort();
    const counts = await running;
    expect(acked, `${opts.source.confirmed} of ${n} acks confirmed within ${ms} ms`).toBe(true);
    return counts;
  }

  /** The durable has nothing left: no pending, no unacked, nothing redelivered. */
  async function expectConsumerSettled(subject: string, durable: string): Promise<void> {
    const info = await (await inspectorOf()).jsm.consumers.info(streamNameFor(subject), durable);
    expect({ pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered }).toEqual({
      pending: 0,
      ackPending: 0,
      redelivered: 0,
    });
  }

  /** A fresh source on the same durable receives nothing within one ack_wait and a margin: nothing comes back. */
  async function expectNoRedelivery(subject: string, durable: string, ackWaitMs: number): Promise<void> {
    const again = await source(subject, durable, { ackWaitMs });
    expect(await recvWithin(again, ackWaitMs + 1000)).toBeNull();
    expect(again.redelivered).toBe(0);
    await again.close();
  }

  it('two sinks behind a stage: same flat results in input order on both, each input acked after both committed', async () => {
    const N = 60;
    const ackWaitMs = 1000;
    const { processor: proc } = await rules();
    const expected = await expectedFor(payloads(0, N));
    // The fixture covers what it claims: kept results of both kept rules, inputs with two results, none dropped.
    expect(new Set(expected.map((r) => r.rule_title))).toEqual(new Set(['Pipe Alert', 'Pipe Admin']));
    expect(expected.length).toBeGreaterThan(N);

    const input = await nats.sink('events.x');
    const timeline: Entry[] = [];
    const a = wrapSink(await nats.sink('out.a'), timeline);
    const b = wrapSink(await nats.sink('out.b'), timeline);
    const logger = recordingLogger();
    const src = recordingSource(await source('events.x', 'pipe-two-sinks', { ackWaitMs, batch: 16, logger }), timeline);

    // Half is waiting before the loop starts, half arrives while it runs.
    await input.sendRawMany(payloads(0, N / 2));
    const stop = new AbortController();
    const running = runPipeline({
      source: src,
      processor: proc,
      format: { kind: 'json' },
      stages: [dropNoise],
      sinks: [a, b],
      logger,
      signal: stop.signal,
    });
    await input.sendRawMany(payloads(N / 2, N));
    const acked = await waitFor(async () => src.confirmed >= N, 15_000);
    stop.abort();
    const counts = await running;
    expect(acked, `${src.confirmed} of ${N} acks confirmed`).toBe(true);

    const ins = await inspectorOf();
    const onA = await ins.records(streamNameFor('out.a'));
    const onB = await ins.records(streamNameFor('out.b'));
    expectFlat(onA);
    expect(onA).toEqual(expected);
    expect(onB).toEqual(expected);
    expect(onA.filter((r) => r.rule_title === DROPPED_TITLE)).toEqual([]);

    assertAckJoin(timeline, expected, ['nats:out.a', 'nats:out.b'], N);
    expect(src.naks).toEqual([]);
    expect(counts).toMatchObject({
      received: N,
      processed: N,
      results: expected.length,
      resultsDeadLettered: 0,
      resultsFailed: 0,
      unacked: 0,
    });
    expect(logger.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
    await expectConsumerSettled('events.x', 'pipe-two-sinks');
    await expectNoRedelivery('events.x', 'pipe-two-sinks', ackWaitMs);
  });

  it('a sink that fails twice then recovers delivers everything in order, once, with the injected backoff', async () => {
    const N = 40;
    const { processor: proc } = await rules();
    const expected = await expectedFor(payloads(0, N));
    const input = await nats.sink('flaky.in');
    await input.sendRawMany(payloads(0, N));

    const timeline: Entry[] = [];
    const flaky = wrapSink(await nats.sink('flaky.out'), timeline, (call) =>
      call <= 2 ? new Error(`injected failure ${call}`) : undefined,
    );
    const dlq = wrapSink(await nats.sink('flaky.dlq'), timeline);
    const sleeps: number[] = [];
    const src = recordingSource(await source('flaky.in', 'pipe-flaky', { ackWaitMs: 2000 }), timeline);
    const counts = await runUntilAcked(
      {
        source: src,
        processor: proc,
        format: { kind: 'json' },
        stages: [dropNoise],
        sinks: [flaky],
        deadLetter: new DeadLetterWriter(dlq),
        sleep: async (ms) => void sleeps.push(ms),
      },
      N,
    );

    const ins = await inspectorOf();
    const out = await ins.records(streamNameFor('flaky.out'));
    // Nothing lost, nothing duplicated (the failed calls published nothing), order kept across the retries.
    expect(out).toEqual(expected);
    expect(await ins.count(streamNameFor('flaky.dlq'))).toBe(0);
    // Default policy: retry 1 after 100 ms, retry 2 after 200 ms; the third attempt succeeds.
    expect(sleeps).toEqual([100, 200]);
    expect(flaky.calls).toBeGreaterThanOrEqual(3);
    assertAckJoin(timeline, expected, ['nats:flaky.out'], N);
    expect(counts).toMatchObject({ received: N, results: expected.length, resultsDeadLettered: 0, resultsFailed: 0, unacked: 0 });
    await expectConsumerSettled('flaky.in', 'pipe-flaky');
  });

  it('a sink that never recovers: every result dead-lettered on dlq.x, the healthy sink gets all, every input acked', async () => {
    const N = 30;
    const ackWaitMs = 1000;
    const { processor: proc } = await rules();
    const expected = await expectedFor(payloads(0, N));
    const input = await nats.sink('broken.in');
    await input.sendRawMany(payloads(0, N));

    const timeline: Entry[] = [];
    const healthy = wrapSink(await nats.sink('healthy.out'), timeline);
    const broken = wrapSink(await nats.sink('broken.out'), timeline, () => new Error('broker refused'));
    const dlq = wrapSink(await nats.sink('dlq.x'), timeline);
    const sleeps: number[] = [];
    const logger = recordingLogger();
    const src = recordingSource(await source('broken.in', 'pipe-broken', { ackWaitMs }), timeline);
    const counts = await runUntilAcked(
      {
        source: src,
        processor: proc,
        format: { kind: 'json' },
        stages: [dropNoise],
        sinks: [healthy, broken],
        deadLetter: new DeadLetterWriter(dlq),
        sleep: async (ms) => void sleeps.push(ms),
        logger,
      },
      N,
    );

    const ins = await inspectorOf();
    expect(await ins.records(streamNameFor('healthy.out'))).toEqual(expected);
    expect(await ins.count(streamNameFor('broken.out'))).toBe(0);
    const letters = (await ins.records(streamNameFor('dlq.x'))) as unknown as DeadLetterLine[];
    // One dead letter per result, in input order, each carrying the result JSON and the sink that failed.
    expect(letters.map((l) => JSON.parse(l.original_event) as EvaluationResult)).toEqual(expected);
    for (const l of letters) {
      expect(l.error).toBe('sink delivery failed (nats:broken.out): broker refused');
      expect(new Date(l.timestamp).toISOString()).toBe(l.timestamp);
    }
    // Every item of the broken sink: the first attempt and three retries (default retryMax 3).
    expect(sleeps.length % 3).toBe(0);
    expect(new Set(sleeps)).toEqual(new Set([100, 200, 400]));
    expect(logger.entries.some((e) => e.level === 'warn' && e.fields?.sink === 'nats:broken.out')).toBe(true);

    // Acked only after the healthy sink stored the results and the DLQ stored the broken sink's dead letters.
    assertAckJoin(timeline, expected, ['nats:healthy.out', 'nats:dlq.x'], N);
    expect(src.naks).toEqual([]);
    expect(counts).toMatchObject({
      received: N,
      results: 0,
      resultsDeadLettered: expected.length,
      resultsFailed: 0,
      unacked: 0,
    });
    await expectConsumerSettled('broken.in', 'pipe-broken');
    await expectNoRedelivery('broken.in', 'pipe-broken', ackWaitMs);
  });

  it('SIGKILL of a runPipeline consumer mid-stream, then restart on the same durable: no input lost', async () => {
    const N = 300;
    const KILL_AFTER = 60;
    const { dir } = await rules();
    const input = await nats.sink('crash.in');
    // Every event matches Pipe Alert, exactly one result each (no admin, no noise), so a result names its input.
    await input.sendRawMany(Array.from({ length: N }, (_, seq) => JSON.stringify({ seq, eventType: 'pipe.test' })));
    const outStream = streamNameFor('crash.out');
    // The output stream must exist before the first count; the consumer would create it too.
    await nats.sink('crash.out');
    const ins = await inspectorOf();

    const settings: ConsumerSettings = {
      url: nats.server.url,
      input: 'crash.in',
      output: 'crash.out',
      durable: 'pipe-crash',
      rulesDir: dir,
      ackWaitMs: 2000,
      delayMs: 10,
      label: 'pipeline first',
    };
    const first = await startConsumer(settings, PIPELINE_FIXTURE);
    nats.onCleanup(() => endConsumer(first, 'SIGKILL'));
    expect(await waitFor(async () => (await ins.count(outStream)) >= KILL_AFTER, 15_000), first.stderr()).toBe(true);
    await endConsumer(first, 'SIGKILL');
    const atKill = await ins.count(outStream);
    // The kill must land mid-stream, or the test would prove nothing about recovery.
    expect(atKill).toBeLessThan(N);
    const acked = await ins.jsm.consumers.info(streamNameFor('crash.in'), 'pipe-crash');

    const second = await startConsumer({ ...settings, delayMs: 0, label: 'pipeline second' }, PIPELINE_FIXTURE);
    nats.onCleanup(() => endConsumer(second, 'SIGKILL'));
    try {
      const done = await waitFor(async () => {
        const c = await ins.jsm.consumers.info(streamNameFor('crash.in'), 'pipe-crash');
        return c.num_pending === 0 && c.num_ack_pending === 0;
      }, 15_000);
      expect(done, second.stderr()).toBe(true);
    } finally {
      await endConsumer(second, 'SIGTERM');
    }

    const records = await ins.records(outStream);
    expectFlat(records);
    const seen = new Map<number, number>();
    for (const r of records) {
      expect(r.rule_title).toBe('Pipe Alert');
      const seq = seqOfResult(r);
      seen.set(seq, (seen.get(seq) ?? 0) + 1);
    }
    const lost = Array.from({ length: N }, (_, s) => s).filter((s) => !seen.has(s));
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
    console.info(
      `runPipeline crash test: ${N} inputs, ${atKill} results and ${acked.ack_floor.stream_seq} acked before SIGKILL, ` +
        `${records.length} results in total, ${duplicates} duplicates, ${lost.length} lost`,
    );
    expect(lost).toEqual([]);
    expect(seen.size).toBe(N);
    expect(records.length).toBe(N + duplicates);
  });
});
