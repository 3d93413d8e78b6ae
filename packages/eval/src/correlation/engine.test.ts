import { describe, expect, it } from 'vitest';
import type { CorrelationRule, SigmaRule } from '@tsigma/parser';
import { JsonEvent } from '../event.js';
import { CorrelationEngine, type ProcessResult } from './engine.js';
import { collectionOf, correlationRule, detectionRule } from './test-support.js';
import { defaultCorrelationConfig, type CorrelationConfig } from './types.js';

function engineOf(rules: SigmaRule[], corrs: CorrelationRule[], config?: Partial<CorrelationConfig>, clock?: () => number) {
  const engine = new CorrelationEngine(config, { clock: clock ?? (() => 1_000_000) });
  const report = engine.addCollection(collectionOf(rules, corrs));
  return { engine, report };
}

function feed(engine: CorrelationEngine, events: [Record<string, unknown>, number][]): ProcessResult[] {
  return events.map(([e, t]) => engine.processEventAt(new JsonEvent(e), t));
}

const failedLogin = detectionRule({ title: 'Failed Login', id: 'fl', match: { eventType: 'login.failed' } });
const bruteForce = (extra: Partial<Parameters<typeof correlationRule>[0]> = {}) =>
  correlationRule({
    title: 'Brute Force Detection',
    id: 'bf',
    type: 'event_count',
    rules: ['fl'],
    groupBy: ['src_ip'],
    timespan: 300,
    condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 5 }] },
    level: 'high',
    ...extra,
  });
const login = (ip = '10.0.0.1') => ({ eventType: 'login.failed', src_ip: ip });
const counts = (rs: ProcessResult[]) => ({
  detections: rs.reduce((n, r) => n + r.detections.length, 0),
  correlations: rs.flatMap((r, i) => r.correlations.map((c) => [i + 1, c.aggregated_value])),
});

describe('configuration (spec 03 §1)', () => {
  it('hands out fresh defaults and ignores undefined overrides', () => {
    const a = defaultCorrelationConfig();
    a.timestampFields.push('mine');
    expect(defaultCorrelationConfig()).toEqual({
      timestampFields: [
        '@timestamp',
        'timestamp',
        'EventTime',
        'TimeCreated',
        'eventTime',
        'published',
        'UtcTime',
        'Event.System.TimeCreated.#attributes.SystemTime',
      ],
      timestampFallback: 'wallclock',
      maxStateEntries: 100_000,
      action: 'alert',
      emitDetections: true,
      eventMode: 'none',
      maxCorrelationEvents: 10,
    });
    const { engine } = engineOf([failedLogin], [bruteForce()], { timestampFields: undefined, action: undefined });
    engine.processEvent(new JsonEvent({ ...login(), published: '2023-08-15T14:05:00Z' }));
    expect(engine.introspect().groups[0]?.latest).toBe(1_692_108_300);
  });
});

describe('brute force event_count (spec 03 §14 B)', () => {
  const times = [0, 30, 60, 90, 120, 150];

  it('fires at the fifth and sixth failed login with alert', () => {
    const { engine } = engineOf([failedLogin], [bruteForce()]);
    const rs = feed(
      engine,
      times.map((t) => [login(), t]),
    );
    expect(counts(rs)).toEqual({
      detections: 6,
      correlations: [
        [5, 5],
        [6, 6],
      ],
    });
    expect(rs[4]?.correlations[0]).toMatchObject({
      rule_title: 'Brute Force Detection',
      rule_id: 'bf',
      level: 'high',
      correlation_type: 'event_count',
      group_key: [['src_ip', '10.0.0.1']],
      aggregated_value: 5,
      timespan_secs: 300,
    });
  });

  it('suppresses re-alerts within tsigma.suppress', () => {
    const { engine } = engineOf([failedLogin], [bruteForce({ attrs: { 'tsigma.suppress': '5m' } })]);
    expect(
      counts(
        feed(
          engine,
          times.map((t) => [login(), t]),
        ),
      ).correlations,
    ).toEqual([[5, 5]]);
  });

  it('resets the window with tsigma.action: reset', () => {
    const { engine } = engineOf([failedLogin], [bruteForce({ attrs: { 'rsigma.action': 'reset' } })]);
    expect(
      counts(
        feed(
          engine,
          times.map((t) => [login(), t]),
        ),
      ).correlations,
    ).toEqual([[5, 5]]);
    expect(engine.introspect().groups[0]).toMatchObject({ entries: 1, got: 1, last_alert: 120 });
  });

  it('keeps the inclusive boundary and evicts one second later', () => {
    const inside = engineOf([failedLogin], [bruteForce()]).engine;
    expect(
      counts(
        feed(
          inside,
          [0, 60, 120, 180, 300].map((t) => [login(), t]),
        ),
      ).correlations,
    ).toEqual([[5, 5]]);
    const outside = engineOf([failedLogin], [bruteForce()]).engine;
    expect(
      counts(
        feed(
          outside,
          [0, 60, 120, 180, 301].map((t) => [login(), t]),
        ),
      ).correlations,
    ).toEqual([]);
  });

  it('groups by src_ip', () => {
    const { engine } = engineOf([failedLogin], [bruteForce()]);
    const rs = feed(
      engine,
      times.map((t, i) => [login(i % 2 === 0 ? '10.0.0.1' : '10.0.0.2'), t]),
    );
    expect(counts(rs)).toEqual({ detections: 6, correlations: [] });
    expect(engine.stateCount()).toBe(2);
  });

  it('uses the wall clock when events carry no timestamp', () => {
    const { engine } = engineOf([failedLogin], [bruteForce()]);
    const rs = times.map(() => engine.processEvent(new JsonEvent(login())));
    expect(counts(rs)).toEqual({
      detections: 6,
      correlations: [
        [5, 5],
        [6, 6],
      ],
    });
    expect(engine.introspect().groups[0]?.latest).toBe(1_000_000);
  });

  it('hides detections of generate:false-only rules when emitDetections is false', () => {
    const { engine } = engineOf([failedLogin], [bruteForce()], { emitDetections: false });
    expect(
      counts(
        feed(
          engine,
          times.map((t) => [login(), t]),
        ),
      ),
    ).toEqual({
      detections: 0,
      correlations: [
        [5, 5],
        [6, 6],
      ],
    });
    const gen = engineOf([failedLogin], [bruteForce({ generate: true })], { emitDetections: false }).engine;
    expect(
      counts(
        feed(
          gen,
          times.map((t) => [login(), t]),
        ),
      ).detections,
    ).toBe(6);
  });

  it('takes time from the timestamp field and skips events without one when asked', () => {
    const { engine } = engineOf([failedLogin], [bruteForce()], { timestampFallback: 'skip' });
    const rs = times.map((t) => engine.processEvent(new JsonEvent({ ...login(), timestamp: t + 1_700_000_000 })));
    expect(counts(rs).correlations).toEqual([
      [5, 5],
      [6, 6],
    ]);
    const skipped = engine.processEvent(new JsonEvent(login()));
    expect(skipped).toMatchObject({ correlations: [] });
    expect(skipped.detections).toHaveLength(1);
    expect(engine.processEventAt(new JsonEvent(login()), Number.NaN).correlations).toEqual([]);
    expect(engine.stats().eventsWithoutTime).toBe(2);
    expect(engine.introspect().groups[0]?.entries).toBe(6);
  });
});

describe('Okta cross-tenant impersonation (spec 03 §14 A)', () => {
  const rules = [
    detectionRule({ title: 'Proxy session', id: 'proxy', match: { eventType: 'user.session.start', 'securityContext.isProxy': 'true' } }),
    detectionRule({ title: 'MFA deactivated', id: 'mfa', match: { eventType: 'user.mfa.factor.deactivate' } }),
    detectionRule({ title: 'Admin role', id: 'admin', match: { eventType: 'user.account.privilege.grant' } }),
    detectionRule({ title: 'IdP created', id: 'idp', match: { eventType: 'system.idp.lifecycle.create' } }),
  ];
  const chain = (timespan = 1800, attrs: Record<string, unknown> = {}) =>
    correlationRule({
      title: 'Okta Cross-Tenant Impersonation Sequence',
      id: 'okta',
      type: 'temporal_ordered',
      rules: ['proxy', 'mfa', 'admin', 'idp'],
      groupBy: ['actor.alternateId'],
      timespan,
      level: 'critical',
      attrs,
    });
  const ev = (eventType: string, who: string, proxy: boolean, published: string) => ({
    eventType,
    actor: { alternateId: who },
    securityContext: { isProxy: proxy },
    published: `2023-08-15T${published}:00.000Z`,
  });
  const events = [
    ev('user.session.start', 'bob@acme.com', false, '13:55'),
    ev('user.session.start', 'superadmin@acme.com', true, '14:05'),
    ev('user.mfa.factor.deactivate', 'superadmin@acme.com', true, '14:12'),
    ev('application.lifecycle.update', 'ops@acme.com', false, '14:15'),
    ev('user.account.privilege.grant', 'superadmin@acme.com', true, '14:18'),
    ev('system.idp.lifecycle.create', 'superadmin@acme.com', true, '14:25'),
  ];
  const run = (engine: CorrelationEngine, evs: object[]) => evs.map((e) => engine.processEvent(new JsonEvent(e)));

  it('fires once, on the sixth event, at level critical', () => {
    const rs = run(engineOf(rules, [chain()]).engine, events);
    expect(counts(rs)).toEqual({ detections: 4, correlations: [[6, 4]] });
    expect(rs[5]?.correlations[0]).toMatchObject({
      level: 'critical',
      group_key: [['actor.alternateId', 'superadmin@acme.com']],
      correlation_type: 'temporal_ordered',
    });
  });

  it('fires on the wall clock when events lack published', () => {
    const bare = events.map(({ published: _, ...rest }) => rest);
    expect(counts(run(engineOf(rules, [chain()]).engine, bare))).toEqual({ detections: 4, correlations: [[6, 4]] });
  });

  it('does not fire with a 15 minute timespan', () => {
    expect(counts(run(engineOf(rules, [chain(900)]).engine, events)).correlations).toEqual([]);
  });

  it('does not fire when timestamps violate the order', () => {
    const swapped = events.map((e) => ({ ...e }));
    (swapped[2] as { published: string }).published = '2023-08-15T14:18:00.000Z';
    (swapped[4] as { published: string }).published = '2023-08-15T14:12:00.000Z';
    expect(counts(run(engineOf(rules, [chain()]).engine, swapped))).toEqual({ detections: 4, correlations: [] });
  });

  it('re-fires per action and suppression when the attack repeats', () => {
    const attack = [events[1], events[2], events[4], events[5]] as object[];
    const twice = [...attack, ...attack];
    const fired = (attrs: Record<string, unknown>) => counts(run(engineOf(rules, [chain(1800, attrs)]).engine, twice));
    expect(fired({})).toEqual({
      detections: 8,
      correlations: [
        [4, 4],
        [5, 4],
        [6, 4],
        [7, 4],
        [8, 4],
      ],
    });
    expect(fired({ 'tsigma.action': 'reset' }).correlations).toEqual([
      [4, 4],
      [8, 4],
    ]);
    expect(fired({ 'tsigma.suppress': '30m' }).correlations).toEqual([[4, 4]]);
  });
});

describe('value types (spec 03 §6, §14 C–D)', () => {
  const req = detectionRule({ title: 'Request', id: 'req', match: { kind: 'req' } });
  const valueCorr = (
    type: CorrelationRule['type'],
    predicates: { op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq'; value: number }[],
    field: string[],
    percentile?: number,
  ) =>
    correlationRule({
      title: type,
      id: type,
      type,
      rules: ['req'],
      groupBy: ['src_ip'],
      timespan: 3600,
      condition: percentile === undefined ? { kind: 'threshold', predicates, field } : { kind: 'threshold', predicates, field, percentile },
    });

  it('value_count counts distinct values and ignores events without the field', () => {
    const { engine } = engineOf([req], [valueCorr('value_count', [{ op: 'gte', value: 3 }], ['User'])]);
    const rs = feed(
      engine,
      [
        ['a', 1],
        ['b', 2],
        [undefined, 3],
        ['a', 4],
        ['c', 5],
      ].map(([u, t]) => [u === undefined ? { kind: 'req', src_ip: 'x' } : { kind: 'req', src_ip: 'x', User: u }, t as number]),
    );
    expect(counts(rs).correlations).toEqual([[5, 3]]);
    expect(engine.introspect().groups[0]?.entries).toBe(4);
  });

  it('value_count joins several fields', () => {
    const { engine } = engineOf([req], [valueCorr('value_count', [{ op: 'gte', value: 2 }], ['User', 'Host'])]);
    const rs = feed(engine, [
      [{ kind: 'req', User: 'a', Host: 'h' }, 1],
      [{ kind: 'req', User: 'a', Host: 'h' }, 2],
      [{ kind: 'req', User: 'a' }, 3],
      [{ kind: 'req', User: 'a', Host: 'g' }, 4],
    ]);
    expect(counts(rs).correlations).toEqual([[4, 2]]);
    expect(engine.introspect().groups[0]?.window).toEqual({
      kind: 'value_count',
      entries: [
        [1, 'a\u001fh'],
        [2, 'a\u001fh'],
        [4, 'a\u001fg'],
      ],
    });
  });

  it('value_percentile interpolates linearly', () => {
    const { engine } = engineOf([req], [valueCorr('value_percentile', [{ op: 'gt', value: 100 }], ['latency'], 90)]);
    const rs = feed(
      engine,
      [10, 20, 30, 40, 500].map((l, i) => [{ kind: 'req', latency: l }, i]),
    );
    expect(counts(rs).correlations).toEqual([[5, 316]]);
  });

  it('value_sum, value_avg and value_median aggregate numeric views', () => {
    const values = [
      [{ kind: 'req', bytes: '10' }, 1],
      [{ kind: 'req', bytes: 'x' }, 2],
      [{ kind: 'req', bytes: 30 }, 3],
      [{ kind: 'req', bytes: 20 }, 4],
      [{ kind: 'req', bytes: 100 }, 5],
    ] as [Record<string, unknown>, number][];
    const sum = engineOf([req], [valueCorr('value_sum', [{ op: 'gte', value: 60 }], ['bytes'])]).engine;
    expect(counts(feed(sum, values)).correlations).toEqual([
      [4, 60],
      [5, 160],
    ]);
    const avg = engineOf([req], [valueCorr('value_avg', [{ op: 'eq', value: 40 }], ['bytes'])]).engine;
    expect(counts(feed(avg, values)).correlations).toEqual([[5, 40]]);
    const median = engineOf([req], [valueCorr('value_median', [{ op: 'lte', value: 20 }], ['bytes'])]).engine;
    expect(counts(feed(median, values)).correlations).toEqual([
      [1, 10],
      [3, 20],
      [4, 20],
    ]);
  });
});

describe('temporal correlations', () => {
  const a = detectionRule({ title: 'A', id: 'a', name: 'rule_a', match: { step: 'a' } });
  const b = detectionRule({ title: 'B', id: 'b', name: 'rule_b', match: { step: 'b' } });
  const c = detectionRule({ title: 'C', id: 'c', name: 'rule_c', match: { step: 'c' } });

  it('temporal fires once every slot has a hit, in any order', () => {
    const { engine } = engineOf([a, b], [correlationRule({ title: 'T', type: 'temporal', rules: ['rule_a', 'rule_b'], timespan: 60 })]);
    expect(
      counts(
        feed(engine, [
          [{ step: 'b' }, 10],
          [{ step: 'b' }, 11],
          [{ step: 'a' }, 12],
        ]),
      ).correlations,
    ).toEqual([[3, 2]]);
    expect(engine.introspect().groups[0]).toMatchObject({
      group_key_display: '(no group-by)',
      entries: 3,
      window: { kind: 'temporal', hits: { rule_a: [12], rule_b: [10, 11] } },
      threshold: '>= 2',
    });
  });

  it('temporal_ordered needs an ordered assignment', () => {
    const { engine } = engineOf([a, b], [correlationRule({ title: 'T', type: 'temporal_ordered', rules: ['a', 'b'], timespan: 60 })]);
    expect(
      counts(
        feed(engine, [
          [{ step: 'b' }, 10],
          [{ step: 'a' }, 11],
        ]),
      ).correlations,
    ).toEqual([]);
    expect(counts(feed(engine, [[{ step: 'b' }, 12]])).correlations).toEqual([[1, 2]]);
  });

  it('a single hit does not serve two slots of the same rule', () => {
    const { engine } = engineOf([a], [correlationRule({ title: 'T', type: 'temporal_ordered', rules: ['a', 'a'], timespan: 60 })]);
    expect(counts(feed(engine, [[{ step: 'a' }, 10]])).correlations).toEqual([]);
    expect(counts(feed(engine, [[{ step: 'a' }, 10]])).correlations).toEqual([[1, 2]]);
  });

  it('evaluates extended conditions', () => {
    const expr = {
      op: 'and' as const,
      args: [
        { op: 'id' as const, name: 'a' },
        { op: 'not' as const, arg: { op: 'id' as const, name: 'c' } },
      ],
    };
    const corr = correlationRule({
      title: 'X',
      type: 'temporal_ordered',
      rules: ['a', 'b', 'c'],
      timespan: 60,
      condition: { kind: 'expression', expr },
    });
    const { engine } = engineOf([a, b, c], [corr]);
    expect(engine.introspect().correlations[0]?.threshold).toBe('expr: a and not c');
    expect(
      counts(
        feed(engine, [
          [{ step: 'b' }, 1],
          [{ step: 'a' }, 2],
        ]),
      ).correlations,
    ).toEqual([[2, 2]]);
    expect(
      counts(
        feed(engine, [
          [{ step: 'c' }, 3],
          [{ step: 'a' }, 4],
        ]),
      ).correlations,
    ).toEqual([]);
  });
});

describe('groups, aliases and chaining (spec 03 §4, §8)', () => {
  it('aliases map each rule to its own field and name the key part', () => {
    const dns = detectionRule({ title: 'DNS', id: 'dns', name: 'dns_query', match: { type: 'dns' } });
    const conn = detectionRule({ title: 'Conn', id: 'conn', match: { type: 'conn' } });
    const corr = correlationRule({
      title: 'Lookup then connect',
      type: 'temporal_ordered',
      rules: ['dns_query', 'conn'],
      groupBy: ['ip'],
      timespan: 60,
      aliases: [{ alias: 'ip', mapping: { dns_query: 'answer', conn: 'dst' } }],
    });
    const { engine } = engineOf([dns, conn], [corr]);
    const rs = feed(engine, [
      [{ type: 'dns', answer: '1.2.3.4' }, 1],
      [{ type: 'conn', dst: '5.6.7.8' }, 2],
      [{ type: 'conn', dst: '1.2.3.4' }, 3],
    ]);
    expect(counts(rs).correlations).toEqual([[3, 2]]);
    expect(rs[2]?.correlations[0]?.group_key).toEqual([['ip', '1.2.3.4']]);
  });

  it('absent group values form one null group shown as <none>', () => {
    const { engine } = engineOf([failedLogin], [bruteForce({ groupBy: ['src_ip', 'user'] })]);
    const rs = feed(
      engine,
      [0, 1, 2, 3, 4].map((t) => [{ eventType: 'login.failed', src_ip: t % 2 ? { x: 1 } : null, user: 'u' }, t]),
    );
    expect(rs[4]?.correlations[0]?.group_key).toEqual([['user', 'u']]);
    expect(engine.introspect().groups[0]?.group_key_display).toBe('src_ip=<none>, user=u');
  });

  it('chains a correlation over a correlation by name (specification example)', () => {
    const failed = detectionRule({ title: 'Failed', id: 'f-id', name: 'failed_login', match: { outcome: 'fail' } });
    const ok = detectionRule({ title: 'Success', id: 's-id', name: 'successful_login', match: { outcome: 'ok' } });
    const many = correlationRule({
      title: 'Many failures',
      id: 'm-id',
      name: 'multiple_failed_login',
      type: 'event_count',
      rules: ['failed_login'],
      groupBy: ['User'],
      timespan: 600,
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 3 }] },
    });
    const then = correlationRule({
      title: 'Failures then success',
      type: 'temporal_ordered',
      rules: ['multiple_failed_login', 'successful_login'],
      groupBy: ['User'],
      timespan: 600,
      level: 'high',
    });
    const { engine, report } = engineOf([failed, ok], [many, then]);
    expect(report.errors).toEqual([]);
    const rs = feed(engine, [
      [{ outcome: 'fail', User: 'x' }, 1],
      [{ outcome: 'fail', User: 'x' }, 2],
      [{ outcome: 'fail', User: 'x' }, 3],
      [{ outcome: 'ok', User: 'x' }, 4],
    ]);
    expect(rs[2]?.correlations.map((r) => r.rule_title)).toEqual(['Many failures']);
    expect(rs[3]?.correlations).toMatchObject([{ rule_title: 'Failures then success', group_key: [['User', 'x']], aggregated_value: 2 }]);
  });

  it('applies suppression at every chain level', () => {
    const r = detectionRule({ title: 'R', id: 'r', match: { k: 'v' } });
    const low = correlationRule({
      title: 'low',
      id: 'low',
      type: 'event_count',
      rules: ['r'],
      groupBy: ['h'],
      timespan: 60,
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 1 }] },
    });
    const high = correlationRule({
      title: 'high',
      id: 'high',
      type: 'event_count',
      rules: ['low'],
      groupBy: ['h'],
      timespan: 60,
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 2 }] },
      attrs: { 'tsigma.suppress': '30s' },
    });
    const { engine } = engineOf([r], [low, high]);
    const rs = feed(
      engine,
      [1, 2, 3, 40].map((t) => [{ k: 'v', h: 'x' }, t]),
    );
    expect(rs.map((x) => x.correlations.map((c) => `${c.rule_title}:${c.aggregated_value}`))).toEqual([
      ['low:1'],
      ['low:2', 'high:2'],
      ['low:3'],
      ['low:4', 'high:4'],
    ]);
  });

  it('orders first-level results before chained ones', () => {
    const r = detectionRule({ title: 'R', id: 'r', match: { k: 'v' } });
    const low = correlationRule({
      title: 'low',
      id: 'low',
      type: 'event_count',
      rules: ['r'],
      timespan: 60,
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 1 }] },
    });
    const high = correlationRule({
      title: 'high',
      id: 'high',
      type: 'event_count',
      rules: ['low'],
      timespan: 60,
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 1 }] },
    });
    const other = correlationRule({
      title: 'other',
      id: 'other',
      type: 'event_count',
      rules: ['r'],
      timespan: 60,
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 1 }] },
    });
    const { engine } = engineOf([r], [high, low, other]);
    expect(feed(engine, [[{ k: 'v' }, 1]])[0]?.correlations.map((c) => c.rule_title)).toEqual(['low', 'other', 'high']);
  });
});

describe('loading (spec 03 §2, §13)', () => {
  it('resolves references across collections and carries windows over when more are added', () => {
    const engine = new CorrelationEngine();
    engine.addCollection(collectionOf([failedLogin], [bruteForce()]));
    feed(
      engine,
      [0, 30, 60, 90].map((t) => [login(), t]),
    );
    const more = engine.addCollection(
      collectionOf(
        [],
        [
          correlationRule({
            title: 'again',
            type: 'event_count',
            rules: ['bf'],
            timespan: 600,
            condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 2 }] },
          }),
        ],
      ),
    );
    expect(more).toMatchObject({ rulesLoaded: 0, correlationsLoaded: 1, errors: [] });
    expect(engine.introspect({ id: 'bf' }).groups[0]?.entries).toBe(4);
    const rs = feed(
      engine,
      [120, 150].map((t) => [login(), t]),
    );
    expect(rs.map((r) => r.correlations.map((c) => c.rule_title))).toEqual([['Brute Force Detection'], ['Brute Force Detection', 'again']]);
  });

  const r = detectionRule({ title: 'R', id: 'r', match: { k: 'v' } });
  const count = (o: { title: string; id?: string; rules: string[] }) =>
    correlationRule({ ...o, type: 'event_count', timespan: 60, condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 1 }] } });

  it('rejects unknown references, cycles and over-deep chains', () => {
    const chain = Array.from({ length: 11 }, (_, i) => count({ title: `c${i}`, id: `c${i}`, rules: [i === 0 ? 'r' : `c${i - 1}`] }));
    const { report, engine } = engineOf(
      [r],
      [
        count({ title: 'missing', rules: ['nope'] }),
        count({ title: 'x', id: 'x', rules: ['y'] }),
        count({ title: 'y', id: 'y', rules: ['x'] }),
        ...chain,
      ],
    );
    const codes = report.errors.map((e) => [e.title, e.code]);
    expect(codes).toContainEqual(['missing', 'unknown_rule_ref']);
    expect(codes).toContainEqual(['x', 'correlation_cycle']);
    expect(codes).toContainEqual(['y', 'correlation_cycle']);
    expect(codes).toContainEqual(['c10', 'chain_too_deep']);
    expect(report.errors.find((e) => e.code === 'correlation_cycle')?.message).toContain('x -> y -> x');
    expect(engine.introspect().correlations.map((c) => c.title)).toEqual(chain.slice(0, 10).map((c) => c.title));
  });

  it('warns when two rules cannot be told apart by id and title', () => {
    const { report } = engineOf([r, detectionRule({ title: 'R', id: 'r', name: 'twin', match: { k: 'w' } })], []);
    expect(report.errors.map((e) => [e.code, e.severity, e.ruleId])).toEqual([['ambiguous_rule_identity', 'warning', 'r']]);
  });

  it('warns about invalid tuning attributes and ignores them', () => {
    const { report } = engineOf(
      [detectionRule({ title: 'R', id: 'r', match: { k: 'v' }, attrs: { 'tsigma.suppress': '5m' } })],
      [
        correlationRule({
          title: 'c',
          type: 'event_count',
          rules: ['r'],
          timespan: 60,
          attrs: { 'tsigma.action': 'explode' },
          condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 1 }] },
        }),
      ],
    );
    expect(report.errors.map((e) => [e.code, e.severity])).toEqual([
      ['ignored_attribute', 'warning'],
      ['invalid_attribute', 'warning'],
    ]);
  });

  it('throws a CorrelationError in strict mode', () => {
    const engine = new CorrelationEngine();
    expect(() => engine.addCollection(collectionOf([r], [count({ title: 'bad', rules: ['nope'] })]), { strict: true })).toThrow(
      expect.objectContaining({ code: 'unknown_rule_ref' }),
    );
  });

  it('prefers rule-provided timestamp fields', () => {
    const rule = detectionRule({ title: 'R', id: 'r', match: { k: 'v' }, attrs: { 'tsigma.timestamp_field': 'when' } });
    const { engine } = engineOf([rule], [count({ title: 'c', rules: ['r'] })]);
    engine.processEvent(new JsonEvent({ k: 'v', when: 50, timestamp: 99 }));
    expect(engine.introspect().groups[0]?.latest).toBe(50);
  });
});

describe('addCollections', () => {
  it('compiles correlations against the rules of every part, whichever part they come in', () => {
    function* parts() {
      yield collectionOf([], [bruteForce()]);
      yield collectionOf([failedLogin], []);
    }
    const engine = new CorrelationEngine(undefined, { clock: () => 1_000_000 });
    const report = engine.addCollections(parts());
    expect([report.rulesLoaded, report.correlationsLoaded, report.errors]).toEqual([1, 1, []]);
    const results = feed(
      engine,
      [1, 2, 3, 4, 5].map((t) => [login(), t] as [Record<string, unknown>, number]),
    );
    expect(counts(results)).toEqual({ detections: 5, correlations: [[5, 5]] });
  });
});
