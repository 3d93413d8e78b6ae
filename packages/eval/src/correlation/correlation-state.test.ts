import { describe, expect, it } from 'vitest';
import type { CorrelationRule } from '@tsigma/parser';
import { JsonEvent } from '../event.js';
import type { LogFields, Logger } from '../logger.js';
import { CorrelationEngine } from './engine.js';
import { collectionOf, correlationRule, detectionRule } from './test-support.js';
import type { CorrelationConfig } from './types.js';

const hit = detectionRule({ title: 'Hit', id: 'hit', match: { k: 'hit' } });
const counter = (extra: Partial<Parameters<typeof correlationRule>[0]> = {}, gte = 3) =>
  correlationRule({
    title: 'Count',
    id: 'count',
    type: 'event_count',
    rules: ['hit'],
    groupBy: ['g'],
    timespan: 100,
    condition: { kind: 'threshold', predicates: [{ op: 'gte', value: gte }] },
    ...extra,
  });

type Logged = { level: string; message: string; fields: LogFields | undefined };

function setup(corr: CorrelationRule, config?: Partial<CorrelationConfig>, logged: Logged[] = []) {
  const log = (level: string) => (message: string, fields?: LogFields) => logged.push({ level, message, fields });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const engine = new CorrelationEngine(config, { logger });
  engine.addCollection(collectionOf([hit], [corr]));
  return engine;
}

const at = (engine: CorrelationEngine, t: number, g = 'a', extra: Record<string, unknown> = {}) =>
  engine.processEventAt(new JsonEvent({ k: 'hit', g, ...extra }), t).correlations.map((c) => c.aggregated_value);

describe('sliding windows (spec 03 §5)', () => {
  it('counts out-of-order events within the span and drops late ones', () => {
    const engine = setup(counter());
    expect(at(engine, 1000)).toEqual([]);
    expect(at(engine, 950)).toEqual([]);
    expect(engine.introspect().groups[0]?.window).toEqual({ kind: 'event_count', timestamps: [950, 1000] });
    expect(at(engine, 899)).toEqual([]); // 899 < 1000 - 100: late, no state change
    expect(engine.stats().lateContributions).toBe(1);
    expect(at(engine, 900)).toEqual([3]); // exactly T older than W still counts
  });

  it('evicts by the watermark, not by the late event', () => {
    const engine = setup(counter());
    at(engine, 100);
    at(engine, 150);
    at(engine, 250); // evicts 100 (< 150)
    expect(engine.introspect().groups[0]?.window).toEqual({ kind: 'event_count', timestamps: [150, 250] });
    expect(at(engine, 160)).toEqual([3]);
  });

  it('keeps the watermark after a reset so late events stay late', () => {
    const engine = setup(counter({ attrs: { 'tsigma.action': 'reset' } }, 2));
    at(engine, 500);
    expect(at(engine, 501)).toEqual([2]);
    expect(engine.introspect().groups[0]).toMatchObject({ entries: 0 });
    expect(at(engine, 300)).toEqual([]);
    expect(engine.introspect().groups[0]).toMatchObject({ entries: 0 });
  });
});

describe('tumbling and session windows (spec 03 §5 [ext])', () => {
  it('tumbling clears on a new bucket and drops older buckets', () => {
    const engine = setup(counter({ window: 'tumbling' }, 2));
    at(engine, 150);
    expect(at(engine, 210)).toEqual([]); // bucket 2 clears bucket 1
    expect(at(engine, 120)).toEqual([]); // older bucket: dropped
    expect(at(engine, 299)).toEqual([2]);
  });

  it('session clears after the gap or the span', () => {
    const engine = setup(counter({ window: 'session', gap: 30 }, 3));
    at(engine, 0);
    at(engine, 20);
    at(engine, 60); // gap 40 > 30: new session
    expect(engine.introspect().groups[0]?.entries).toBe(1);
    at(engine, 80);
    expect(at(engine, 100)).toEqual([3]);
    expect(at(engine, 170)).toEqual([]); // 170 - 60 > 100: span exceeded, new session
    expect(engine.introspect().groups[0]?.entries).toBe(1);
  });

  it('rejects a session window without a gap', () => {
    const engine = new CorrelationEngine();
    const report = engine.addCollection(collectionOf([hit], [counter({ window: 'session' })]));
    expect(report.errors.map((e) => e.code)).toEqual(['invalid_correlation']);
  });
});

describe('memory bounds (spec 03 §9)', () => {
  it('caps entries per window, keeping the newest', () => {
    const engine = setup(counter({}, 10), { maxGroupEntries: 3 });
    for (let t = 0; t < 6; t++) at(engine, t);
    expect(engine.introspect().groups[0]?.window).toEqual({ kind: 'event_count', timestamps: [3, 4, 5] });
    expect(engine.stats().entriesDroppedByCap).toBe(3);
  });

  it('per-correlation max_group_entries wins, and sessions keep their anchor', () => {
    const engine = setup(counter({ window: 'session', gap: 50, attrs: { 'tsigma.max_group_entries': '2' } }, 10), { maxGroupEntries: 5 });
    for (let t = 0; t < 5; t++) at(engine, t);
    expect(engine.introspect().groups[0]?.window).toEqual({ kind: 'event_count', timestamps: [0, 4] });
  });

  it('caps live windows: expired first, then least recently updated', () => {
    const logged: Logged[] = [];
    const engine = setup(counter({}, 10), { maxStateEntries: 10 }, logged);
    for (let i = 0; i < 10; i++) at(engine, 1000 + i, `g${i}`);
    expect(engine.stateCount()).toBe(10);
    at(engine, 1010, 'new');
    // No window expired by time (span 100), so the oldest are dropped down to 9, then `new` is added.
    expect(engine.stateCount()).toBe(10);
    expect(engine.stats()).toMatchObject({ windowsEvictedByCap: 1, capEvictionRounds: 1 });
    expect(engine.introspect().groups.map((g) => g.group_key_display)).not.toContain('g=g0');
    // One warning per eviction round, through the logger, with the count and the (single) correlation evicted from.
    expect(logged).toEqual([
      {
        level: 'warn',
        message: 'correlation state reached 10 windows; evicted 1 least recently updated windows',
        fields: { cap: 10, evicted: 1, correlation: 'count' },
      },
    ]);
    at(engine, 2000, 'late'); // everything else expired by time: no cap eviction needed
    expect(engine.stateCount()).toBe(1);
    expect(engine.stats()).toMatchObject({ windowsExpired: 10, capEvictionRounds: 1 });
  });

  it('evictExpired drops old windows and stale suppression records', () => {
    const engine = setup(counter({ attrs: { 'tsigma.suppress': '1m' } }, 1));
    at(engine, 100);
    engine.evictExpired(150);
    expect(engine.introspect().groups[0]).toMatchObject({ last_alert: 100, suppress_secs: 60, suppression_remaining: 60 });
    engine.evictExpired(201);
    expect(engine.stateCount()).toBe(0);
    expect(at(engine, 202)).toEqual([1]);
  });
});

describe('evidence (spec 03 §9)', () => {
  it('full mode returns decompressed events, oldest first, capped per window', () => {
    const engine = setup(counter({}, 3), { eventMode: 'full', maxCorrelationEvents: 2 });
    at(engine, 1, 'a', { n: 1 });
    at(engine, 2, 'a', { n: 2 });
    const r = engine.processEventAt(new JsonEvent({ k: 'hit', g: 'a', n: 3 }), 3).correlations[0];
    expect(r?.events).toEqual([
      { k: 'hit', g: 'a', n: 2 },
      { k: 'hit', g: 'a', n: 3 },
    ]);
    expect(engine.eventBufferCount()).toBe(2);
    expect(engine.eventBufferBytes()).toBeGreaterThan(0);
  });

  it('refs mode stores timestamps and ids, following sliding eviction', () => {
    const engine = setup(counter({ attrs: { 'tsigma.correlation_event_mode': 'references' } }, 2));
    at(engine, 1, 'a', { _id: 'x' });
    at(engine, 200, 'a', { EventRecordID: 7 });
    const r = engine.processEventAt(new JsonEvent({ k: 'hit', g: 'a' }), 201).correlations[0];
    expect(r?.event_refs).toEqual([{ timestamp: 200, id: '7' }, { timestamp: 201 }]);
    expect(r?.events).toBeUndefined();
  });

  it('allocates nothing in none mode', () => {
    const engine = setup(counter({}, 1));
    at(engine, 1);
    expect(engine.eventBufferCount()).toBe(0);
    expect(engine.processEventAt(new JsonEvent({ k: 'hit', g: 'a' }), 2).correlations[0]).not.toHaveProperty('events');
  });
});
