// Scale-out by subject partitioning (spec 06 §3a) on a real nats-server 2.9 with an account `mappings` entry:
// two consumer processes on two partitions process every event exactly once, and an event_count correlation
// grouped by the partition key fires exactly as it does in a single process. Consumers publish flat results
// (spec 05 §1): every event's detection (embedding the event) followed by the correlations it completed.

import { jetstream } from '@nats-io/jetstream';
import type { EvaluationResult } from '@tsigma/eval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionSubjects, streamNameFor } from '../../src/index.js';
import { bruteForceCorrelation, buildProcessor, JSON_FORMAT, RULE_FAILED_LOGIN, writeRules } from '../helpers/fixtures.js';
import { endConsumer, inspect, startConsumer, waitFor, type ConsumerProcess, type Inspector } from '../helpers/consumer-process.js';
import { natsServerAvailable, startNatsServer, type NatsServer } from '../helpers/nats-server.js';

const PREFIX = 'logins';
const layout = partitionSubjects(PREFIX, 2);
const KEYS = ['web01', 'web02', 'db01', 'db02', 'mail', 'vpn', 'dc01', 'dc02'];

/** Events per key differ (2..8) so thresholds are crossed a different number of times per key. */
function buildEvents(): { seq: number; key: string; json: string }[] {
  const events: { seq: number; key: string; json: string }[] = [];
  const left = new Map(KEYS.map((k, i) => [k, 2 + (i % 7)]));
  let seq = 0;
  // Round-robin over keys so both partitions interleave, as real traffic would.
  while ([...left.values()].some((n) => n > 0)) {
    for (const key of KEYS) {
      const n = left.get(key) ?? 0;
      if (n === 0) continue;
      left.set(key, n - 1);
      const at = new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString();
      events.push({ seq, key, json: JSON.stringify({ eventType: 'login.failed', key, seq, '@timestamp': at }) });
      seq++;
    }
  }
  return events;
}

/** One input event as seen in a consumer's output: its detection and the correlation values that followed it. */
interface Processed {
  seq: number;
  key: string;
  /** Index of the output stream, i.e. of the consumer process. */
  partition: number;
  correlations: number[];
}

/** Reads one output stream in order: each detection opens an entry, the correlations after it belong to it. */
function processedFrom(results: readonly EvaluationResult[], partition: number): Processed[] {
  const out: Processed[] = [];
  for (const r of results) {
    if ('correlation_type' in r) {
      const last = out.at(-1);
      if (last === undefined) throw new Error(`partition ${partition}: correlation ${r.rule_title} before any detection`);
      last.correlations.push(r.aggregated_value);
    } else {
      const { seq, key } = r.event as { seq: number; key: string };
      out.push({ seq, key, partition, correlations: [] });
    }
  }
  return out;
}

const run = natsServerAvailable();

describe.skipIf(!run)('partitioned scale-out with an account subject mapping (spec 06 §3a)', () => {
  let server: NatsServer;
  let inspector: Inspector;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    server = await startNatsServer([], layout.mappingConfig);
    inspector = await inspect(server.url);
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await inspector?.close();
    await server?.stop();
  });

  it('two processes on two partitions: each event once, correlations as in one process', async () => {
    const rules = await writeRules({ 'failed.yml': RULE_FAILED_LOGIN, 'brute.yml': bruteForceCorrelation('key', 3) });
    cleanup.push(rules.remove);
    const events = buildEvents();

    const procs: ConsumerProcess[] = [];
    cleanup.push(async () => {
      for (const p of procs) await endConsumer(p, 'SIGTERM');
    });
    // Consumers first: each creates the stream for its partition filter, which the mapped publishes land in.
    const started = await Promise.all(
      layout.filterSubjects.map((input, i) =>
        startConsumer({
          url: server.url,
          input,
          output: `partout.${i}`,
          durable: `scale-${i}`,
          rulesDir: rules.dir,
          ackWaitMs: 30_000,
          delayMs: 0,
          label: String(i),
        }),
      ),
    );
    procs.push(...started);

    // The producer publishes to <prefix>.<key>; the server's mapping decides the partition.
    const js = jetstream(inspector.nc);
    const streamOfKey = new Map<string, string>();
    for (const e of events) {
      const ack = await js.publish(`${PREFIX}.${e.key}`, e.json);
      const prev = streamOfKey.get(e.key);
      expect(prev === undefined || prev === ack.stream, `key ${e.key} changed partition`).toBe(true);
      streamOfKey.set(e.key, ack.stream);
    }
    expect(new Set(streamOfKey.values())).toEqual(new Set(layout.filterSubjects.map(streamNameFor)));

    // Reference: one in-test processor over the same events in publish order.
    const processor = await buildProcessor(rules.dir);
    const expected = new Map<number, number[]>();
    for (const e of events) {
      const [r] = processor.processBatchWithFormat([e.json], JSON_FORMAT);
      expected.set(
        e.seq,
        (r?.correlations ?? []).map((c) => c.aggregated_value),
      );
    }
    const fired = [...expected.values()].reduce((n, v) => n + v.length, 0);

    const outStreams = layout.filterSubjects.map((_, i) => streamNameFor(`partout.${i}`));
    const total = async (): Promise<number> => (await Promise.all(outStreams.map((s) => inspector.count(s)))).reduce((a, b) => a + b, 0);
    // One detection per event plus every correlation.
    expect(await waitFor(async () => (await total()) >= events.length + fired, 20_000), procs.map((p) => p.stderr()).join('\n')).toBe(true);
    const processed = (await Promise.all(outStreams.map((s) => inspector.records(s)))).flatMap((rs, i) => processedFrom(rs, i));

    // Exactly once: every seq once, nothing extra.
    expect(processed.map((p) => p.seq).sort((a, b) => a - b)).toEqual(events.map((e) => e.seq));
    // Every key stayed on one process, and both processes did work.
    const partitionsOfKey = new Map<string, Set<number>>();
    for (const p of processed) partitionsOfKey.set(p.key, (partitionsOfKey.get(p.key) ?? new Set()).add(p.partition));
    for (const [key, partitions] of partitionsOfKey) expect(partitions.size, key).toBe(1);
    expect(new Set(processed.map((p) => p.partition))).toEqual(new Set([0, 1]));

    const actual = new Map(processed.map((p) => [p.seq, p.correlations]));
    expect(actual).toEqual(expected);
    // Keys with 3..8 events cross gte 3 one or more times; a zero here would make the comparison vacuous.
    expect(fired).toBeGreaterThan(0);
  });
});
