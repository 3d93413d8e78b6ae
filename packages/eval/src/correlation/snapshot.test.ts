import { describe, expect, it } from 'vitest';
import { JsonEvent } from '../event.js';
import { CorrelationEngine } from './engine.js';
import { collectionOf, correlationRule, detectionRule } from './test-support.js';
import type { CorrelationConfig, CorrelationSnapshot } from './types.js';

const rules = [detectionRule({ title: 'A', id: 'a', match: { k: 'a' } }), detectionRule({ title: 'B', id: 'b', match: { k: 'b' } })];
const correlations = [
  correlationRule({
    title: 'count',
    id: 'count',
    type: 'event_count',
    rules: ['a'],
    groupBy: ['g'],
    timespan: 100,
    condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 3 }] },
    attrs: { 'tsigma.suppress': '10m' },
  }),
  correlationRule({ title: 'order', name: 'order', type: 'temporal_ordered', rules: ['a', 'b'], groupBy: ['g'], timespan: 100 }),
  correlationRule({
    title: 'sum',
    type: 'value_sum',
    rules: ['b'],
    timespan: 100,
    condition: { kind: 'threshold', predicates: [{ op: 'gt', value: 1000 }], field: ['n'] },
  }),
];

function engine(config: Partial<CorrelationConfig> = {}) {
  const e = new CorrelationEngine(config);
  e.addCollection(collectionOf(rules, correlations));
  return e;
}
const send = (e: CorrelationEngine, k: string, g: string, t: number, n = 1) =>
  e.processEventAt(new JsonEvent({ k, g, n, id: `${k}${t}` }), t).correlations.map((c) => c.rule_title);

describe('snapshot / restore (spec 03 §12)', () => {
  it('round-trips through JSON and restores windows and suppression', () => {
    const before = engine({ eventMode: 'full' });
    for (const t of [10, 11, 12]) send(before, 'a', 'x', t);
    send(before, 'b', 'y', 13, 5);
    const snap = JSON.parse(JSON.stringify(before.exportState())) as CorrelationSnapshot;
    expect(Object.keys(snap.windows)).toEqual(['count', 'order', 'sum']);
    expect(snap.last_alert).toEqual({ count: [{ group: ['x'], ts: 12 }] });
    expect(snap.sequence).toBe(8);

    const after = engine({ eventMode: 'full' });
    expect(after.importState(snap)).toEqual({ ok: true, windows: 4, skipped: 0 });
    // Restored entries are renumbered after the stored sequence, so only the counter moves on.
    expect({ ...after.exportState(), sequence: 8 }).toEqual(before.exportState());
    expect(after.introspect()).toEqual(before.introspect());
    // Suppression survived: the 4th event would re-fire without it; the ordered chain completes.
    expect(send(after, 'a', 'x', 14)).toEqual([]);
    expect(send(before, 'a', 'x', 14)).toEqual([]);
    expect(send(after, 'b', 'x', 15)).toEqual(['order']);
    const r = after.processEventAt(new JsonEvent({ k: 'b', g: 'x', n: 1 }), 16).correlations[0];
    expect(r?.events?.[0]).toEqual({ k: 'a', g: 'x', n: 1, id: 'a10' });
  });

  it('keeps refs buffers', () => {
    const before = engine({ eventMode: 'refs' });
    send(before, 'a', 'x', 10);
    const after = engine({ eventMode: 'refs' });
    after.importState(before.exportState());
    expect(after.exportState().event_ref_buffers).toEqual({
      count: [{ group: ['x'], refs: [{ timestamp: 10, id: 'a10' }] }],
      order: [{ group: ['x'], refs: [{ timestamp: 10, id: 'a10' }] }],
    });
  });

  it('refuses another version or a malformed value without changing state', () => {
    const e = engine();
    send(e, 'a', 'x', 10);
    const kept = e.exportState();
    const other = { ...kept, version: 2 };
    const refused = e.importState(other);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.code).toBe('snapshot_version');
    for (const bad of [null, 'x', [], { version: 1 }, { ...kept, sequence: -1 }]) {
      const out = e.importState(bad);
      expect(!out.ok && out.error.code).toBe('snapshot_malformed');
    }
    expect(e.exportState()).toEqual(kept);
  });

  it('skips unknown identities, wrong kinds and bad groups', () => {
    const e = engine();
    const snap: CorrelationSnapshot = {
      version: 1,
      sequence: 0,
      last_alert: {},
      event_buffers: {},
      event_ref_buffers: {},
      windows: {
        gone: [{ group: ['x'], state: { kind: 'event_count', timestamps: [1] }, watermark: 1 }],
        count: [
          { group: ['x'], state: { kind: 'numeric', entries: [[1, 2]] }, watermark: 1 },
          { group: ['x', 'y'], state: { kind: 'event_count', timestamps: [1] }, watermark: 1 },
          { group: ['ok'], state: { kind: 'event_count', timestamps: [1, 2] }, watermark: 2 },
        ],
      },
    };
    expect(e.importState(snap)).toEqual({ ok: true, windows: 1, skipped: 3 });
    expect(e.introspect().groups.map((g) => [g.group_key_display, g.entries])).toEqual([['g=ok', 2]]);
  });

  it('prunes expired entries and suppression against `now`', () => {
    const before = engine();
    for (const t of [10, 11, 12]) send(before, 'a', 'x', t);
    send(before, 'a', 'z', 90);
    const after = engine();
    after.importState(before.exportState(), 111);
    expect(after.introspect({ id: 'count' }).groups.map((g) => [g.group_key_display, g.entries])).toEqual([
      ['g=x', 2],
      ['g=z', 1],
    ]);
    after.importState(before.exportState(), 5000);
    expect(after.stateCount()).toBe(0);
    expect(after.exportState().last_alert).toEqual({});
  });

  it('exports and introspects 200,000 windows of one correlation (no argument spread of the group list)', () => {
    const n = 200_000;
    const e = engine({ maxStateEntries: 2 * n });
    const groups = Array.from({ length: n }, (_, i) => [`g${i}`]);
    const snap: CorrelationSnapshot = {
      version: 1,
      sequence: 0,
      last_alert: { count: groups.map((group) => ({ group, ts: 5 })) },
      event_buffers: {},
      event_ref_buffers: {},
      windows: { count: groups.map((group) => ({ group, state: { kind: 'event_count', timestamps: [5] }, watermark: 5 })) },
    };
    expect(e.importState(snap)).toEqual({ ok: true, windows: n, skipped: 0 });
    const out = e.exportState();
    expect(out.windows['count']).toHaveLength(n);
    expect(out.last_alert['count']).toHaveLength(n);
    expect(e.introspect({ id: 'count' }).groups).toHaveLength(n);
  }, 60_000);
});
