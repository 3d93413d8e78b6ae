import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonEvent } from '../event.js';
import { CorrelationEngine, type ProcessResult } from './engine.js';
import { collectionOf, correlationRule, detectionRule } from './test-support.js';
import type { CorrelationConfig, CorrelationSnapshot } from './types.js';

/** Seconds per generated time step; the low bits of each timestamp hold the event index. */
const TICK = 64;
const rules = ['a', 'b', 'c'].map((k) => detectionRule({ title: k.toUpperCase(), id: k, name: `rule_${k}`, match: { k } }));
const gte = (value: number) => ({ kind: 'threshold' as const, predicates: [{ op: 'gte' as const, value }] });
const correlations = [
  correlationRule({
    title: 'count',
    id: 'count',
    name: 'count',
    type: 'event_count',
    rules: ['a', 'b'],
    groupBy: ['g'],
    timespan: 40 * TICK,
    condition: gte(3),
  }),
  correlationRule({
    title: 'distinct',
    id: 'distinct',
    type: 'value_count',
    rules: ['a'],
    groupBy: ['g'],
    timespan: 60 * TICK,
    condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 2 }], field: ['u'] },
    attrs: { 'tsigma.suppress': `${20 * TICK}s` },
  }),
  correlationRule({
    title: 'ordered',
    id: 'ordered',
    type: 'temporal_ordered',
    rules: ['rule_a', 'rule_b', 'rule_c'],
    groupBy: ['g'],
    timespan: 50 * TICK,
    attrs: { 'tsigma.action': 'reset' },
  }),
  correlationRule({
    title: 'sum',
    id: 'sum',
    type: 'value_sum',
    rules: ['c'],
    timespan: 30 * TICK,
    condition: { kind: 'threshold', predicates: [{ op: 'gt', value: 10 }], field: ['n'] },
  }),
  correlationRule({
    title: 'chained',
    id: 'chained',
    type: 'event_count',
    rules: ['count'],
    groupBy: ['g'],
    timespan: 100 * TICK,
    condition: gte(2),
  }),
  correlationRule({
    title: 'tumble',
    id: 'tumble',
    type: 'event_count',
    rules: ['b'],
    groupBy: ['g'],
    timespan: 25 * TICK,
    window: 'tumbling',
    condition: gte(2),
  }),
];

function engine(config: Partial<CorrelationConfig>) {
  const e = new CorrelationEngine(config, { clock: () => 0 });
  e.addCollection(collectionOf(rules, correlations));
  return e;
}

// Timestamps wander back and forth; `t * TICK + i` keeps them distinct, since the snapshot format keeps
// no sequence numbers between different rules' hits of the same second (spec 03 §12).
const eventsArb = fc
  .array(
    fc.record({
      k: fc.constantFrom('a', 'b', 'c', 'x'),
      g: fc.constantFrom('g1', 'g2', 'g3'),
      u: fc.constantFrom('u1', 'u2', 'u3'),
      n: fc.integer({ min: -5, max: 9 }),
      dt: fc.integer({ min: -3, max: 4 }),
    }),
    { maxLength: 60 },
  )
  .map((recs) => {
    let t = 100;
    return recs.map((r, i) => {
      t = Math.max(0, t + r.dt);
      return { k: r.k, g: r.g, u: r.u, n: r.n, timestamp: t * TICK + i, id: `e${i}` };
    });
  });
const configArb = fc
  .record({
    eventMode: fc.constantFrom<CorrelationConfig['eventMode']>('none', 'full', 'refs'),
    maxStateEntries: fc.constantFrom(4, 100_000),
    maxGroupEntries: fc.constantFrom<number | undefined>(undefined, 3),
  })
  .map(
    (c) =>
      (c.maxGroupEntries === undefined ? { eventMode: c.eventMode, maxStateEntries: c.maxStateEntries } : c) as Partial<CorrelationConfig>,
  );

const toEvents = (raw: object[]) => raw.map((e) => new JsonEvent(e));

describe('correlation properties', () => {
  const fired: string[] = [];
  afterAll(() => {
    // Guard against a vacuous property: every correlation must have fired in some generated run.
    expect([...new Set(fired)].sort()).toEqual(correlations.map((c) => c.title).sort());
  });

  it('one batch gives the same results as one event at a time', () => {
    fc.assert(
      fc.property(eventsArb, configArb, (raw, config) => {
        const batch = engine(config).processBatch(toEvents(raw));
        const single = engine(config);
        const oneByOne = toEvents(raw).map((e) => single.processEvent(e));
        expect(batch).toEqual(oneByOne);
        fired.push(...batch.flatMap((r) => r.correlations.map((c) => c.rule_title)));
      }),
      { numRuns: 400 },
    );
  });

  it('snapshot and restore mid-stream give the same results as an uninterrupted run', () => {
    fc.assert(
      fc.property(eventsArb, configArb, fc.nat(), (raw, config, cutSeed) => {
        const cut = raw.length === 0 ? 0 : cutSeed % (raw.length + 1);
        const events = toEvents(raw);
        const straight = engine(config);
        const expected: ProcessResult[] = events.map((e) => straight.processEvent(e));

        const first = engine(config);
        events.slice(0, cut).forEach((e) => first.processEvent(e));
        const saved = JSON.parse(JSON.stringify(first.exportState())) as CorrelationSnapshot;
        const second = engine(config);
        expect(second.importState(saved).ok).toBe(true);
        const rest = events.slice(cut).map((e) => second.processEvent(e));
        expect(rest).toEqual(expected.slice(cut));
        expect(second.introspect()).toEqual(straight.introspect());
      }),
      { numRuns: 150 },
    );
  });
});
