import type { EvaluationResult, EventValue } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../test/helpers.js';
import { DeadLetterWriter } from './io/dead-letter.js';
import type { AckToken, Sink } from './io/io-types.js';
import { StdoutSink } from './io/stdout-sink.js';
import { createStreamLogger } from './logger.js';
import { labelSinks, SinkDispatcher } from './sink-dispatcher.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function result(title: string): EvaluationResult {
  return { rule_title: title, rule_id: null, level: 'high', author: null, tags: [], matched_selections: ['selection'], matched_fields: [] };
}

/** A token that records what happened to it in a shared log. */
function token(log: string[], name: string, withNak = true): AckToken {
  const t: AckToken = { ack: async () => void log.push(`ack ${name}`) };
  if (withNak) t.nak = async () => void log.push(`nak ${name}`);
  return t;
}

/** A sink whose first `failures` send calls reject. */
class FlakySink extends MemorySink {
  calls = 0;
  constructor(
    label: string,
    private failures: number,
  ) {
    super(label);
  }
  override async send(results: readonly EvaluationResult[]): Promise<void> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('disk full');
    }
    await super.send(results);
  }
}

/** A sink whose sends wait until `release()`; records each call's titles in a shared log. */
class GatedSink extends MemorySink {
  private gate: Promise<void>;
  release!: () => void;
  constructor(
    label: string,
    private readonly log?: string[],
  ) {
    super(label);
    this.gate = new Promise((r) => (this.release = r));
  }
  override async send(results: readonly EvaluationResult[]): Promise<void> {
    await this.gate;
    await super.send(results);
    this.log?.push(`${this.label} ${results.map((r) => r.rule_title).join(',')}`);
  }
}

function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) };
}

/** A sink that stores results one at a time and, on its first call, fails after `failAt` of them with `delivered`. */
class PartlyFailingSink extends MemorySink {
  calls = 0;
  constructor(
    label: string,
    private readonly failAt: number,
  ) {
    super(label);
  }
  override async send(results: readonly EvaluationResult[]): Promise<void> {
    if (++this.calls === 1 && results.length > this.failAt) {
      await super.send(results.slice(0, this.failAt));
      throw Object.assign(new Error('publish acknowledgement timed out'), { delivered: this.failAt });
    }
    await super.send(results);
  }
}

describe('SinkDispatcher', () => {
  it('does not send again what a failed send says it committed (batched and single sends)', async () => {
    for (const [label, inputs, failAt] of [
      ['batched', 3, 3],
      ['single', 1, 1],
    ] as const) {
      const sink = new PartlyFailingSink(label, failAt);
      const { sleep } = recordingSleep();
      const log: string[] = [];
      const d = new SinkDispatcher({ sinks: [sink], sleep });
      for (let i = 1; i <= inputs; i++) void d.dispatch([result(`r${i}a`), result(`r${i}b`)], token(log, `${i}`));
      await d.drain();
      const expected = Array.from({ length: inputs }, (_, i) => [`r${i + 1}a`, `r${i + 1}b`]).flat();
      expect(sink.results.map((r) => r.rule_title)).toEqual(expected);
      expect(log.filter((l) => l.startsWith('ack'))).toHaveLength(inputs);
      expect(d.stats).toMatchObject({ resultsDelivered: inputs * 2, resultsDeadLettered: 0, unacked: 0 });
    }
  });

  it('a sink that fails twice then recovers delivers everything in order, with exponential backoff', async () => {
    const sink = new FlakySink('file:/out', 2);
    const { sleeps, sleep } = recordingSleep();
    const retries: string[] = [];
    const log: string[] = [];
    const d = new SinkDispatcher({ sinks: [sink], sleep, backoffBaseMs: 100, metrics: { onSinkRetry: (l) => retries.push(l) } });
    for (let i = 1; i <= 5; i++) expect(d.dispatch([result(`r${i}a`), result(`r${i}b`)], token(log, `${i}`))).toBeUndefined();
    await d.drain();
    expect(sink.results.map((r) => r.rule_title)).toEqual(['r1a', 'r1b', 'r2a', 'r2b', 'r3a', 'r3b', 'r4a', 'r4b', 'r5a', 'r5b']);
    expect(sleeps).toEqual([100, 200]);
    expect(retries).toEqual(['file:/out', 'file:/out']);
    expect([...log].sort()).toEqual(['ack 1', 'ack 2', 'ack 3', 'ack 4', 'ack 5']);
    expect(d.stats).toMatchObject({ resultsDelivered: 10, resultsDeadLettered: 0, resultsFailed: 0, unacked: 0 });
  });

  it('a sink that never recovers dead-letters every result with the sink label and the input is still acked', async () => {
    const broken = new FlakySink('file:/x', Infinity);
    const good = new MemorySink('stdout');
    const dlqSink = new MemorySink('dlq');
    const failed: string[] = [];
    const { sleeps, sleep } = recordingSleep();
    const log: string[] = [];
    const d = new SinkDispatcher({
      sinks: [broken, good],
      deadLetter: new DeadLetterWriter(dlqSink, { clock: () => 0 }),
      retryMax: 3,
      backoffBaseMs: 100,
      backoffMaxMs: 250,
      sleep,
      metrics: { onSinkDeliveryFailed: (l) => failed.push(l) },
    });
    // Without a `block` sink nothing waits to be queued; `drain()` is what the tests await.
    void d.dispatch([result('a'), result('b')], token(log, '1'), undefined, { origin: 'events.ndjson:7' });
    await d.drain();
    expect(broken.calls).toBe(4); // 1 + retryMax
    expect(sleeps).toEqual([100, 200, 250]); // capped at backoffMaxMs
    expect(failed).toEqual(['file:/x']);
    expect(good.results).toHaveLength(2);
    const entries = dlqSink.raw.map((l) => JSON.parse(l) as { original_event: string; error: string; origin?: string });
    expect(entries.map((e) => e.error)).toEqual(['sink delivery failed (file:/x): disk full', 'sink delivery failed (file:/x): disk full']);
    expect(entries.map((e) => e.origin)).toEqual(['events.ndjson:7', 'events.ndjson:7']);
    expect(entries.map((e) => (JSON.parse(e.original_event) as EvaluationResult).rule_title)).toEqual(['a', 'b']);
    expect(log).toEqual(['ack 1']);
    expect(d.stats).toMatchObject({ resultsDelivered: 0, resultsDeadLettered: 2, unacked: 0 });
  });

  it('when the DLQ keeps failing the input is nak-ed (or left unacked without nak) and the failure is logged at error', async () => {
    const dlqSink: Sink = {
      label: 'dlq',
      send: async () => {},
      sendRaw: () => Promise.reject(new Error('dlq down')),
      close: async () => {},
    };
    const errors: string[] = [];
    const log: string[] = [];
    const d = new SinkDispatcher({
      sinks: [new FlakySink('nats:out', Infinity)],
      deadLetter: new DeadLetterWriter(dlqSink),
      retryMax: 1,
      sleep: () => Promise.resolve(),
      logger: createStreamLogger({ level: 'error', format: 'json', write: (l) => errors.push(l) }),
    });
    void d.dispatch([result('a')], token(log, 'with-nak'));
    void d.dispatch([result('b')], token(log, 'no-nak', false));
    void d.deadLetter([{ originalEvent: 'not json', category: 'parse error', detail: 'bad' }], token(log, 'line'));
    await d.drain();
    expect([...log].sort()).toEqual(['nak line', 'nak with-nak']);
    expect(d.stats).toMatchObject({ unacked: 3, resultsFailed: 2, linesFailed: 1, resultsDeadLettered: 0 });
    const parsed = errors.map((l) => JSON.parse(l) as { level: string; msg: string; error: string });
    expect(parsed.map((e) => e.error).sort()).toEqual([
      'parse error: bad',
      'sink delivery failed (nats:out): disk full',
      'sink delivery failed (nats:out): disk full',
    ]);
    expect(parsed.every((e) => e.level === 'error' && e.msg.includes('dlq down'))).toBe(true);
  });

  it("on_full 'drop': a stalled sink never stalls the other sink; drops are counted and count as committed", async () => {
    const stalled = new GatedSink('nats:slow');
    const fast = new MemorySink('stdout');
    const dropped: string[] = [];
    const log: string[] = [];
    const d = new SinkDispatcher({
      sinks: [{ sink: stalled, onFull: 'drop' }, fast],
      queueSize: 2,
      metrics: { onSinkDropped: (l) => dropped.push(l) },
    });
    for (let i = 1; i <= 10; i++) {
      const waiting = d.dispatch([result(`r${i}`)], token(log, `r${i}`));
      if (waiting !== undefined) await waiting; // only ever waits for the fast sink
    }
    for (let i = 0; i < 10; i++) await tick();
    expect(fast.results).toHaveLength(10);
    const ackedWhileStalled = [...log].sort();
    expect(dropped.length).toBeGreaterThanOrEqual(5);
    expect(dropped.every((l) => l === 'nats:slow')).toBe(true);
    stalled.release();
    await d.drain();
    // What the stalled sink held (in flight or queued) is delivered after the release; everything else was dropped
    // there and acked as soon as the fast sink committed it.
    const held = stalled.results.map((r) => r.rule_title);
    expect(held.length + dropped.length).toBe(10);
    const all = Array.from({ length: 10 }, (_, i) => `r${i + 1}`);
    expect(ackedWhileStalled).toEqual(
      all
        .filter((t) => !held.includes(t))
        .map((t) => `ack ${t}`)
        .sort(),
    );
    expect([...log].sort()).toEqual(all.map((t) => `ack ${t}`).sort());
    expect(d.stats).toMatchObject({ resultsDelivered: held.length, resultsDropped: dropped.length });
  });

  it("on_full 'block': dispatch waits for room instead of dropping", async () => {
    const gated = new GatedSink('stdout');
    const d = new SinkDispatcher({ sinks: [gated], queueSize: 1 });
    const log: string[] = [];
    expect(d.dispatch([result('1')], token(log, '1'))).toBeUndefined();
    await tick(); // the worker takes item 1 and stalls
    expect(d.dispatch([result('2')], token(log, '2'))).toBeUndefined();
    const waiting = d.dispatch([result('3')], token(log, '3'));
    expect(waiting).toBeInstanceOf(Promise);
    let queued = false;
    void waiting?.then(() => (queued = true));
    await tick();
    expect(queued).toBe(false);
    gated.release();
    await waiting;
    await d.drain();
    expect(gated.results.map((r) => r.rule_title)).toEqual(['1', '2', '3']);
    expect(log).toEqual(['ack 1', 'ack 2', 'ack 3']);
  });

  it('ack join: an input is acked only after both sinks of different speeds committed it', async () => {
    const events: string[] = [];
    const fast = new GatedSink('fast', events);
    const slow = new GatedSink('slow', events);
    fast.release();
    const d = new SinkDispatcher({ sinks: [fast, slow] });
    void d.dispatch([result('a1'), result('a2')], token(events, 'A'));
    void d.dispatch([result('b1')], token(events, 'B'));
    void d.dispatch([], token(events, 'C')); // nothing to deliver: acked at once
    for (let i = 0; i < 10; i++) await tick();
    expect(events).toEqual(['ack C', 'fast a1,a2,b1']);
    slow.release();
    await d.drain();
    expect(events).toEqual(['ack C', 'fast a1,a2,b1', 'slow a1,a2,b1', 'ack A', 'ack B']);
  });

  it('sends everything queued in one call, keeps per-sink queue depth accurate, and labels duplicate sinks', async () => {
    const sink = new MemorySink('stdout');
    let calls = 0;
    const counting: Sink = {
      ...sink,
      label: 'stdout',
      send: (r) => (calls++, sink.send(r)),
      sendRaw: (j) => sink.sendRaw(j),
      close: () => sink.close(),
    };
    const depth = new Map<string, number>();
    const registered: string[] = [];
    const d = new SinkDispatcher({
      sinks: [counting, new MemorySink('stdout'), new MemorySink('file:/a'), new MemorySink('stdout')],
      metrics: {
        registerSink: (l) => registered.push(l),
        onSinkQueueDepthChange: (l, delta) => depth.set(l, (depth.get(l) ?? 0) + delta),
      },
    });
    for (let i = 0; i < 100; i++) void d.dispatch([result(`${i}`)], { ack: async () => {} });
    await d.drain();
    expect(sink.results).toHaveLength(100);
    expect(calls).toBeLessThanOrEqual(2); // the first item alone (handed straight to the idle worker), then the rest
    expect(registered).toEqual(['stdout', 'stdout#2', 'file:/a', 'stdout#3']);
    expect(d.labels).toEqual(registered);
    expect([...depth.values()]).toEqual([0, 0, 0, 0]);
    expect(labelSinks([sink, sink])).toEqual(['stdout', 'stdout#2']);
  });

  it('a batched send that fails falls back to item by item, so one poison item does not fail its neighbours', async () => {
    const sink = new MemorySink('nats:x');
    const picky: Sink = {
      label: 'nats:x',
      send: (rs) => (rs.some((r) => r.rule_title === 'poison') ? Promise.reject(new Error('too big')) : sink.send(rs)),
      sendRaw: async () => {},
      close: async () => {},
    };
    const dlqSink = new MemorySink('dlq');
    const log: string[] = [];
    const d = new SinkDispatcher({
      sinks: [picky],
      deadLetter: new DeadLetterWriter(dlqSink),
      retryMax: 1,
      sleep: () => Promise.resolve(),
    });
    void d.dispatch([result('a')], token(log, '1'));
    void d.dispatch([result('poison')], token(log, '2'));
    void d.dispatch([result('c')], token(log, '3'));
    await d.drain();
    expect(sink.results.map((r) => r.rule_title)).toEqual(['a', 'c']);
    expect(dlqSink.raw).toHaveLength(1);
    expect([...log].sort()).toEqual(['ack 1', 'ack 2', 'ack 3']);
  });
});

/** A detection whose matched value nests `depth` objects: more than JSON.stringify's stack can take. */
function deepResult(title: string, depth = 100_000): EvaluationResult {
  let value: EventValue = 1;
  for (let i = 0; i < depth; i++) value = { n: value };
  return { ...result(title), matched_fields: [{ field: 'n', value }] };
}

/** A dead letter's `original_event` stub: its rule title and the type of its `unserializable` reason. */
function headerOf(text: string | undefined): { rule_title: string; unserializable: string } {
  const stub = JSON.parse(text ?? '') as { rule_title: string; unserializable?: unknown };
  return { rule_title: stub.rule_title, unserializable: typeof stub.unserializable };
}

/** The text a StdoutSink wrote, kept in memory. */
function textOut(): { text: string[]; write(chunk: string, callback: (error?: Error | null) => void): boolean } {
  const text: string[] = [];
  return {
    text,
    write: (chunk, callback) => {
      text.push(chunk);
      callback();
      return true;
    },
  };
}

describe('SinkDispatcher: a result that cannot be serialized', () => {
  it('is dead-lettered at once with a reason that serializes, while the results around it are delivered', async () => {
    // Queued before the worker wakes, the three go out in one batched send first; one at a time, each alone.
    for (const batched of [true, false]) {
      const out = textOut();
      const dlqSink = new MemorySink('dlq');
      const { sleeps, sleep } = recordingSleep();
      const failed: string[] = [];
      const log: string[] = [];
      const d = new SinkDispatcher({
        sinks: [new StdoutSink(false, out)],
        deadLetter: new DeadLetterWriter(dlqSink),
        retryMax: 3,
        sleep,
        metrics: { onSinkDeliveryFailed: (l) => failed.push(l) },
      });
      const inputs = [[result('a')], [deepResult('deep')], [result('c')]];
      for (const [i, results] of inputs.entries()) {
        void d.dispatch(results, token(log, `${i + 1}`), undefined, { origin: `deep.ndjson:${i + 1}` });
        if (!batched) for (let t = 0; t < 5; t++) await tick();
      }
      await d.drain();
      expect(
        out.text
          .join('')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as EvaluationResult).rule_title),
      ).toEqual(['a', 'c']);
      expect(sleeps).toEqual([]); // retrying cannot help, so nothing waited
      expect(failed).toEqual(['stdout']);
      const entries = dlqSink.raw.map((l) => JSON.parse(l) as { original_event: string; error: string; origin?: string });
      expect(entries).toHaveLength(1);
      expect(entries[0]?.error).toMatch(/^sink delivery failed \(stdout\): result of rule "deep": cannot be encoded as JSON \(.+\)$/);
      expect(entries[0]?.origin).toBe('deep.ndjson:2');
      expect(headerOf(entries[0]?.original_event)).toEqual({ rule_title: 'deep', unserializable: 'string' });
      expect(d.stats).toMatchObject({ resultsDelivered: 2, resultsDeadLettered: 1, resultsFailed: 0, unacked: 0 });
      expect([...log].sort()).toEqual(['ack 1', 'ack 2', 'ack 3']);
    }
  });

  it('a sink failing for another reason still gets a dead letter that serializes for a deep result', async () => {
    const dlqSink = new MemorySink('dlq');
    const d = new SinkDispatcher({ sinks: [new FlakySink('file:/x', Infinity)], deadLetter: new DeadLetterWriter(dlqSink), retryMax: 0 });
    void d.dispatch([deepResult('deep')], token([], '1'));
    await d.drain();
    const entry = JSON.parse(dlqSink.raw[0] ?? '') as { original_event: string; error: string };
    expect(entry.error).toBe('sink delivery failed (file:/x): disk full');
    expect(headerOf(entry.original_event)).toEqual({ rule_title: 'deep', unserializable: 'string' });
  });
});

describe('SinkDispatcher: unexpected exceptions', () => {
  it('an exception inside a worker is logged, reported by drain() and never an unhandled rejection; later items go on', async () => {
    const sink = new FlakySink('file:/x', 1);
    const lines: string[] = [];
    const log: string[] = [];
    const d = new SinkDispatcher({
      sinks: [sink],
      retryMax: 1,
      sleep: () => Promise.resolve(),
      // A hook that throws is a bug of the embedder; it must still not kill the worker.
      metrics: {
        onSinkRetry: () => {
          throw new Error('hook exploded');
        },
      },
      logger: createStreamLogger({ level: 'error', format: 'text', write: (l) => lines.push(l) }),
    });
    void d.dispatch([result('a')], token(log, '1'));
    await tick();
    void d.dispatch([result('b')], token(log, '2'));
    await expect(d.drain()).rejects.toThrow('hook exploded');
    expect(sink.results.map((r) => r.rule_title)).toEqual(['b']);
    expect(log).toEqual(['ack 2']); // the input whose delivery broke is not acknowledged
    expect(lines).toEqual([
      expect.stringMatching(/^tsigma: error: internal error in a delivery worker.* worker=file:\/x error="hook exploded"$/),
    ]);
  });

  it('a token whose ack throws instead of rejecting is logged like a failed ack', async () => {
    const lines: string[] = [];
    const d = new SinkDispatcher({
      sinks: [new MemorySink()],
      logger: createStreamLogger({ level: 'warn', format: 'text', write: (l) => lines.push(l) }),
    });
    const throwing: AckToken = {
      ack: () => {
        throw new Error('connection gone');
      },
    };
    void d.dispatch([result('a')], throwing);
    void d.dispatch([], throwing);
    await d.drain();
    expect(lines).toEqual(['tsigma: warn: ack failed error="connection gone"', 'tsigma: warn: ack failed error="connection gone"']);
  });
});

describe('SinkDispatcher.abandon (drain timeout)', () => {
  it('stops retrying; queued and retried results become shutdown dead letters and their inputs are not acked', async () => {
    const log: string[] = [];
    const failing = new FlakySink('file:/full', 1_000);
    const dlqSink = new MemorySink('dlq');
    const dispatcher = new SinkDispatcher({
      sinks: [failing],
      deadLetter: new DeadLetterWriter(dlqSink),
      retryMax: 100,
      backoffBaseMs: 60_000,
      backoffMaxMs: 60_000,
    });
    await dispatcher.dispatch([result('a')], token(log, 'a'), undefined, { origin: 'nats:x#1' });
    await dispatcher.dispatch([result('b')], token(log, 'b'));
    // The first item now waits a minute before its first retry.
    while (failing.calls === 0) await tick();
    dispatcher.abandon('drain timeout');
    await dispatcher.drain();
    const letters = dlqSink.raw.map((l) => JSON.parse(l) as { error: string; origin?: string; original_event: string });
    expect(letters.map((l) => l.error)).toEqual(['shutdown: drain timeout', 'shutdown: drain timeout']);
    expect(letters[0]?.origin).toBe('nats:x#1');
    expect(letters[1]?.original_event).toContain('"rule_title":"b"');
    expect(log.sort()).toEqual(['nak a', 'nak b']);
    expect(dispatcher.stats).toMatchObject({ unacked: 2, resultsDeadLettered: 2, resultsDelivered: 0 });
  });
});
