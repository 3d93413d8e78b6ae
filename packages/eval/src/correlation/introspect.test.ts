import { describe, expect, it } from 'vitest';
import { JsonEvent } from '../event.js';
import { CorrelationEngine } from './engine.js';
import { collectionOf, correlationRule, detectionRule } from './test-support.js';

// Vectors of spec 03 §11: login rule, event_count by User over 60s, gte 3.
function loginEngine(suppress?: string) {
  const engine = new CorrelationEngine();
  engine.addCollection(
    collectionOf(
      [detectionRule({ title: 'Login', id: 'login-rule', match: { EventType: 'login' } })],
      [
        correlationRule({
          title: 'Many Logins',
          type: 'event_count',
          rules: ['login-rule'],
          groupBy: ['User'],
          timespan: 60,
          condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 3 }] },
          level: 'high',
          ...(suppress === undefined ? {} : { attrs: { 'tsigma.suppress': suppress } }),
        }),
      ],
    ),
  );
  return engine;
}
const login = (engine: CorrelationEngine, user: string, t: number) =>
  engine.processEventAt(new JsonEvent({ EventType: 'login', User: user }), t);

describe('introspect (spec 03 §11)', () => {
  it('reports the gap below the threshold', () => {
    const engine = loginEngine();
    login(engine, 'admin', 1000);
    login(engine, 'admin', 1001);
    const snap = engine.introspect();
    expect(snap.correlations).toEqual([
      {
        index: 0,
        title: 'Many Logins',
        type: 'event_count',
        timespan_secs: 60,
        group_by: ['User'],
        rule_refs: ['login-rule'],
        threshold: '>= 3',
        active_groups: 1,
      },
    ]);
    expect(snap.groups).toEqual([
      {
        correlation_index: 0,
        correlation_title: 'Many Logins',
        type: 'event_count',
        group_key: [{ field: 'User', value: 'admin' }],
        group_key_display: 'User=admin',
        got: 2,
        threshold: '>= 3',
        met: false,
        entries: 2,
        earliest: 1000,
        latest: 1001,
        timespan_secs: 60,
        seconds_to_eviction: 59,
        window: { kind: 'event_count', timestamps: [1000, 1001] },
      },
    ]);
  });

  it('marks met when the threshold is reached', () => {
    const engine = loginEngine();
    for (const t of [1000, 1001, 1002]) login(engine, 'admin', t);
    expect(engine.introspect().groups[0]).toMatchObject({ got: 3, met: true, seconds_to_eviction: 58, last_alert: 1002 });
  });

  it('filters groups by display substring and correlations by id, name or title', () => {
    const engine = loginEngine();
    login(engine, 'admin', 1000);
    login(engine, 'alice', 1000);
    expect(engine.introspect({ group: 'alice' }).groups.map((g) => g.group_key_display)).toEqual(['User=alice']);
    expect(engine.introspect().groups.map((g) => g.group_key_display)).toEqual(['User=admin', 'User=alice']);
    expect(engine.introspect({ id: 'nope' })).toEqual({ correlations: [], groups: [] });
    expect(engine.introspect({ id: 'Many Logins' }).groups).toHaveLength(2);
  });

  it('shows suppression timing and lists correlations without live windows', () => {
    const engine = loginEngine('2m');
    expect(engine.introspect()).toMatchObject({ correlations: [{ active_groups: 0 }], groups: [] });
    for (const t of [1000, 1001, 1002, 1030]) login(engine, 'admin', t);
    expect(engine.introspect().groups[0]).toMatchObject({ last_alert: 1002, suppress_secs: 120, suppression_remaining: 92 });
  });

  it('is JSON-serialisable with snake_case keys', () => {
    const engine = loginEngine();
    login(engine, 'admin', 1000);
    const text = JSON.stringify(engine.introspect());
    expect(JSON.parse(text)).toEqual(engine.introspect());
    expect(text).toContain('"group_key_display":"User=admin"');
  });
});
