// Correlation-layer throughput and memory benchmark: 1,000,000 events over 10,000 groups through a mix
// of event_count, value_count, temporal_ordered and value_sum. Detection results are pre-made, so the
// main figure measures only the correlation engine (windows, aggregates, conditions); a shorter second
// pass runs the detection engine too.
// Run alone: node --expose-gc --import tsx bench/correlation.ts [events] [groups]

import { pathToFileURL } from 'node:url';
import { CorrelationEngine } from '../src/correlation/engine.js';
import { collectionOf, correlationRule, detectionRule } from '../src/correlation/test-support.js';
import { JsonEvent } from '../src/event.js';
import type { DetectionResult } from '../src/result.js';

/** Default stream length. */
const DEFAULT_EVENTS = 1_000_000;
/** Default number of distinct group-by values (users). */
const DEFAULT_GROUPS = 10_000;
/** Events per second of event time: 1M events span about 2.8 hours. */
const EVENTS_PER_SECOND = 100;
/** Events of the end-to-end pass, which also runs the detection engine on every event. */
const END_TO_END_EVENTS = 200_000;
/** Start of event time (2023-11-14T22:13:20Z). */
const BASE_TIME = 1_700_000_000;

/** Figures printed by {@link runCorrelationBench}. */
export interface CorrelationBenchResult {
  events: number;
  groups: number;
  seconds: number;
  eventsPerSecond: number;
  correlationsFired: number;
  /** Throughput of `processEventAt` (detection engine included) over the first {@link END_TO_END_EVENTS} events. */
  endToEndEventsPerSecond: number;
  liveWindows: number;
  heapBytesPerLiveWindow: number;
  /** Heap growth divided by the distinct group values (each group has one window per correlation). */
  heapBytesPerGroup: number;
  peakRssBytes: number;
}

const KINDS = ['login', 'access', 'step_a', 'step_b', 'step_c', 'upload'] as const;

function buildEngine(): CorrelationEngine {
  const rules = KINDS.map((k) => detectionRule({ title: k, id: k, match: { kind: k } }));
  const threshold = (op: 'gte' | 'gt', value: number, field?: string) => ({
    kind: 'threshold' as const,
    predicates: [{ op, value }],
    ...(field === undefined ? {} : { field: [field] }),
  });
  const correlations = [
    correlationRule({
      title: 'many logins',
      id: 'c-count',
      type: 'event_count',
      rules: ['login'],
      groupBy: ['user'],
      timespan: 600,
      condition: threshold('gte', 5),
    }),
    correlationRule({
      title: 'many files',
      id: 'c-distinct',
      type: 'value_count',
      rules: ['access'],
      groupBy: ['user'],
      timespan: 900,
      condition: threshold('gte', 4, 'file'),
    }),
    correlationRule({
      title: 'kill chain',
      id: 'c-ordered',
      type: 'temporal_ordered',
      rules: ['step_a', 'step_b', 'step_c'],
      groupBy: ['user'],
      timespan: 1800,
    }),
    correlationRule({
      title: 'exfiltration',
      id: 'c-sum',
      type: 'value_sum',
      rules: ['upload'],
      groupBy: ['user'],
      timespan: 1200,
      condition: threshold('gt', 40_000, 'bytes'),
    }),
  ];
  const engine = new CorrelationEngine({ suppressSecs: 300 });
  engine.addCollection(collectionOf(rules, correlations));
  return engine;
}

// A cheap deterministic generator (xorshift32) keeps the stream identical across runs.
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

/** Runs the benchmark; `events` and `groups` default to 1,000,000 and 10,000. */
export function runCorrelationBench(events = DEFAULT_EVENTS, groups = DEFAULT_GROUPS): CorrelationBenchResult {
  const engine = buildEngine();
  const detections = new Map<string, DetectionResult[]>(
    KINDS.map((k) => [
      k,
      [{ rule_title: k, rule_id: k, level: null, author: null, tags: [], matched_selections: ['selection'], matched_fields: [] }],
    ]),
  );
  const rnd = random(42);
  // Pre-made events per (group, kind) variant, so the timed loop allocates nothing for input.
  const pool: { event: JsonEvent; dets: DetectionResult[] }[] = [];
  for (let g = 0; g < groups; g++) {
    for (const kind of KINDS) {
      const event = new JsonEvent({ kind, user: `user${g}`, file: `f${Math.floor(rnd() * 8)}`, bytes: Math.floor(rnd() * 20_000) });
      pool.push({ event, dets: detections.get(kind) as DetectionResult[] });
    }
  }
  const picks = new Uint32Array(events);
  for (let i = 0; i < events; i++) picks[i] = Math.floor(rnd() * pool.length);

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let fired = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < events; i++) {
    const item = pool[picks[i] as number] as (typeof pool)[number];
    fired += engine.processWithDetections(item.event, item.dets, BASE_TIME + Math.floor(i / EVENTS_PER_SECOND)).correlations.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const liveWindows = engine.stateCount();

  const endToEnd = buildEngine();
  const e2eEvents = Math.min(events, END_TO_END_EVENTS);
  const e2eStart = process.hrtime.bigint();
  for (let i = 0; i < e2eEvents; i++) {
    endToEnd.processEventAt((pool[picks[i] as number] as (typeof pool)[number]).event, BASE_TIME + Math.floor(i / EVENTS_PER_SECOND));
  }
  const e2eSeconds = Number(process.hrtime.bigint() - e2eStart) / 1e9;
  return {
    events,
    groups,
    seconds,
    eventsPerSecond: Math.round(events / seconds),
    correlationsFired: fired,
    endToEndEventsPerSecond: Math.round(e2eEvents / e2eSeconds),
    liveWindows,
    heapBytesPerLiveWindow: liveWindows === 0 ? 0 : Math.round((heapAfter - heapBefore) / liveWindows),
    heapBytesPerGroup: Math.round((heapAfter - heapBefore) / groups),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** Prints one benchmark result as aligned lines. */
export function printCorrelationBench(r: CorrelationBenchResult): void {
  const fmt = (n: number) => n.toLocaleString('en-US');
  console.log(
    `correlation: ${fmt(r.events)} events, ${fmt(r.groups)} groups, 4 correlations (event_count, value_count, temporal_ordered, value_sum)`,
  );
  console.log(`  throughput        ${fmt(r.eventsPerSecond)} events/s (${r.seconds.toFixed(2)} s)`);
  console.log(`  correlations      ${fmt(r.correlationsFired)} fired`);
  console.log(
    `  with detection    ${fmt(r.endToEndEventsPerSecond)} events/s (processEventAt incl. Engine.evaluate, ${fmt(Math.min(r.events, END_TO_END_EVENTS))} events)`,
  );
  console.log(`  live windows      ${fmt(r.liveWindows)}`);
  const note = (globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for a stable figure)';
  console.log(`  heap per group    ${fmt(r.heapBytesPerGroup)} bytes (${fmt(r.heapBytesPerLiveWindow)} per window)${note}`);
  console.log(`  peak RSS          ${fmt(Math.round(r.peakRssBytes / 1_048_576))} MiB`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [events, groups] = process.argv.slice(2).map(Number);
  printCorrelationBench(runCorrelationBench(events || DEFAULT_EVENTS, groups || DEFAULT_GROUPS));
}
