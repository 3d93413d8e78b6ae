// What correlations read from an event (correlationEventReads) and when (eventTime): the contract that lets
// detection run in another thread and ship back only those fields. The property: an event reduced to the
// reported paths, as own keys, correlates exactly as the whole event.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonEvent } from '../event.js';
import { CorrelationEngine } from './engine.js';
import { collectionOf, correlationRule, detectionRule } from './test-support.js';
import type { CorrelationConfig } from './types.js';

const dns = detectionRule({ title: 'dns', id: 'dns', name: 'dns_query', match: { type: 'dns' } });
const conn = detectionRule({ title: 'conn', id: 'conn', name: 'conn', match: { type: 'conn' } });
const upload = detectionRule({ title: 'upload', id: 'up', match: { type: 'upload' } });
const lookupThenConnect = correlationRule({
  title: 'lookup then connect',
  id: 'c-order',
  type: 'temporal_ordered',
  rules: ['dns_query', 'conn'],
  groupBy: ['ip'],
  timespan: 60,
  aliases: [{ alias: 'ip', mapping: { dns_query: 'answer', conn: 'net.dst' } }],
});
const distinctFiles = correlationRule({
  title: 'distinct files',
  id: 'c-files',
  type: 'value_count',
  rules: ['up'],
  groupBy: ['user.name'],
  timespan: 120,
  condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 3 }], field: ['file'] },
});
const bytesSum = correlationRule({
  title: 'bytes',
  id: 'c-bytes',
  type: 'value_sum',
  rules: ['up'],
  groupBy: ['user.name'],
  timespan: 120,
  condition: { kind: 'threshold', predicates: [{ op: 'gt', value: 500 }], field: ['bytes'] },
});

function engine(config: Partial<CorrelationConfig> = {}): CorrelationEngine {
  const e = new CorrelationEngine(config, { clock: () => 1_000_000 });
  e.addCollection(collectionOf([dns, conn, upload], [lookupThenConnect, distinctFiles, bytesSum]));
  return e;
}

describe('correlationEventReads', () => {
  it('lists group-by fields after aliases, aggregated fields, and nothing else', () => {
    const reads = engine().correlationEventReads();
    expect(reads.wholeEvent).toBe(false);
    expect([...reads.paths].sort()).toEqual(['answer', 'bytes', 'file', 'net.dst', 'user.name']);
  });

  it('adds the id fields for refs evidence, and asks for the whole event for full evidence', () => {
    const refs = engine({ eventMode: 'refs' }).correlationEventReads();
    expect(refs.paths).toEqual(expect.arrayContaining(['EventRecordID', 'Event.System.EventRecordID', 'id']));
    expect(engine({ eventMode: 'full' }).correlationEventReads().wholeEvent).toBe(true);
  });

  it('is empty without correlations', () => {
    const e = new CorrelationEngine();
    e.addCollection(collectionOf([dns], []));
    expect(e.correlationEventReads()).toEqual({ paths: [], wholeEvent: false });
  });
});

describe('eventTime', () => {
  it('reads the configured timestamp fields, NaN when the event has none', () => {
    const e = engine({ timestampFields: ['ts'] });
    expect(e.eventTime(new JsonEvent({ ts: '2024-01-01T00:00:10Z' }))).toBe(Date.UTC(2024, 0, 1) / 1000 + 10);
    expect(e.eventTime(new JsonEvent({ other: 1 }))).toBeNaN();
  });
});

describe('an event reduced to correlationEventReads correlates as the whole event', () => {
  const event = fc.record({
    type: fc.constantFrom('dns', 'conn', 'upload', 'other'),
    answer: fc.constantFrom('1.1.1.1', '2.2.2.2'),
    net: fc.record({ dst: fc.constantFrom('1.1.1.1', '2.2.2.2'), port: fc.nat(9) }),
    user: fc.record({ name: fc.constantFrom('ann', 'bob') }),
    file: fc.constantFrom('a', 'b', 'c', 'd'),
    bytes: fc.nat(400),
    noise: fc.string(),
  });

  it.each(['none', 'refs'] as const)('evidence mode %s', (eventMode) => {
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.nat(30)), { maxLength: 60 }), (steps) => {
        const whole = engine({ eventMode });
        const reduced = engine({ eventMode });
        const { paths } = reduced.correlationEventReads();
        let t = 0;
        for (const [raw, dt] of steps) {
          t += dt;
          const full = new JsonEvent(raw);
          const dets = whole.evaluate(full);
          const projection: Record<string, unknown> = {};
          for (const path of paths) {
            const value = full.get(path);
            if (value !== undefined) projection[path] = value;
          }
          const a = whole.processWithDetections(full, dets, t);
          const b = reduced.processWithDetections(new JsonEvent(projection), reduced.evaluate(full), t);
          expect(b).toEqual(a);
        }
      }),
      { numRuns: 200 },
    );
  });
});
