import fc from 'fast-check';
import type { EvaluationResult } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { counterIds, detection, entityDetection } from '../test/builders.js';
import { parseAlertPipelineConfig } from './config.js';
import { AlertPipelineError } from './errors.js';
import type { AlertPipeline } from './pipeline.js';
import { AlertPipelineState } from './state.js';

function warnings(): { list: string[]; state: () => AlertPipelineState } {
  const list: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (msg: string, f?: object) => list.push(`${msg} ${JSON.stringify(f)}`) };
  return { list, state: () => new AlertPipelineState({ logger }) };
}

const FULL = [
  'dedup:',
  '  fingerprint: [match.SourceIp]',
  'group:',
  '  by: [match.SourceIp]',
  'inhibit_rules:',
  '  - name: crit',
  '    source_match: [{ selector: level, value: critical }]',
  '    target_match: [{ selector: level, value: high }]',
  '    equal: [match.SourceIp]',
  '    duration: 5m',
].join('\n');

describe('snapshot and restore', () => {
  it('a snapshot is plain JSON with the documented sections', () => {
    const p = parseAlertPipelineConfig(FULL);
    const st = new AlertPipelineState({ newId: counterIds('sil') });
    p.process([detection('10.0.0.1', 'critical')], st, 10);
    st.silences.add({ matchers: [{ selector: 'rule', value: 'x' }], ends_at: '2030-01-01T00:00:00Z' }, 'api', 5, 10);
    const snap = p.snapshot(st);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.version).toBe(1);
    expect(snap.dedup[0]).toMatchObject({
      first_seen: 10,
      last_seen: 10,
      last_emitted: 10,
      fire_count: 1,
      emitted_count: 1,
      fields: [['match.SourceIp', '10.0.0.1']],
    });
    expect(snap.dedup[0]?.sample).not.toHaveProperty('event');
    expect(snap.incidents[0]).toMatchObject({
      first_seen: 10,
      reported: false,
      dirty: true,
      group_by: { 'match.SourceIp': '10.0.0.1' },
      max_level: 'critical',
      result_count: 1,
      results: [],
    });
    expect(snap.silences).toEqual([
      {
        id: 'sil-1',
        matchers: [{ selector: 'rule', op: '=', value: 'x' }],
        starts_at: null,
        ends_at: 1893456000,
        created_by: null,
        comment: null,
      },
    ]);
    expect(snap.inhibit_sources).toEqual([{ rule: 'crit', equal_key: '\x1f10.0.0.1', last_seen: 10 }]);
  });

  it('restores inhibition sources and drops those of unknown rules or past their duration', () => {
    const p = parseAlertPipelineConfig(FULL);
    const st = new AlertPipelineState();
    p.process([detection('10.0.0.1', 'critical')], st, 0);
    const snap = { ...p.snapshot(st), inhibit_sources: [...p.snapshot(st).inhibit_sources, { rule: 'gone', equal_key: '', last_seen: 0 }] };
    const restored = new AlertPipelineState();
    p.restore(restored, snap, 100);
    expect(restored.inhibit.size).toBe(1);
    expect(p.process([detection('10.0.0.1', 'high')], restored, 100)).toEqual([]);
    const late = new AlertPipelineState();
    p.restore(late, snap, 300);
    expect(late.inhibit.size).toBe(0);
  });

  it('stages the config does not have restore nothing', () => {
    const full = parseAlertPipelineConfig(FULL);
    const st = new AlertPipelineState();
    full.process([detection('10.0.0.1')], st, 0);
    const dedupOnly = parseAlertPipelineConfig('dedup:\n  fingerprint: [match.SourceIp]\n');
    const restored = new AlertPipelineState();
    expect(dedupOnly.restore(restored, full.snapshot(st), 1)).toBe(true);
    expect([restored.dedup.size, restored.incidents.size]).toEqual([1, 0]);
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'garbage', ''],
    ['an array', [], ''],
    ['no version', { dedup: [] }, 'version'],
    ['a version that is not a number', { version: '1' }, 'version'],
    ['a section that is not an array', { version: 1, dedup: {} }, 'dedup'],
  ])('a corrupt snapshot (%s) is snapshot_corrupt and leaves the state alone', (_name, snap, key) => {
    const p = parseAlertPipelineConfig(FULL);
    const st = new AlertPipelineState();
    p.process([detection('10.0.0.1')], st, 0);
    let error: unknown;
    try {
      p.restore(st, snap, 0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AlertPipelineError);
    expect(error).toMatchObject({ code: 'snapshot_corrupt', spot: { source: 'snapshot', key } });
    expect(st.dedup.size).toBe(1);
  });

  it('a corrupt section names the snapshot version', () => {
    const p = parseAlertPipelineConfig(FULL);
    expect(() => p.restore(new AlertPipelineState(), { version: 1, incidents: 'x' }, 0)).toThrow(
      /snapshot version 1: incidents must be an array/,
    );
  });

  it('entries that fail validation are skipped with a warning; the rest load', () => {
    const p = parseAlertPipelineConfig(FULL);
    const st = new AlertPipelineState();
    p.process([detection('10.0.0.1'), detection('10.0.0.2')], st, 0);
    const snap = p.snapshot(st);
    const broken = {
      ...snap,
      dedup: [{ ...snap.dedup[0], fire_count: -1 }, snap.dedup[1]],
      incidents: [{ ...snap.incidents[0], max_level: 'severe' }, snap.incidents[1]],
      silences: [
        {
          id: 's',
          matchers: [{ selector: 'rule', op: '=~', value: '(' }],
          starts_at: null,
          ends_at: null,
          created_by: null,
          comment: null,
        },
        5,
      ],
      inhibit_sources: [{ rule: 'crit' }],
    };
    const w = warnings();
    const restored = w.state();
    expect(p.restore(restored, broken, 1)).toBe(true);
    expect([restored.dedup.size, restored.incidents.size, restored.silences.apiCount, restored.inhibit.size]).toEqual([1, 1, 0, 0]);
    expect(w.list.map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { section: string; index: number })).toMatchObject([
      { section: 'silences', index: 0 },
      { section: 'silences', index: 1 },
      { section: 'dedup', index: 0 },
      { section: 'incidents', index: 0 },
      { section: 'inhibit_sources', index: 0 },
    ]);
  });

  it('restore keeps within the caps of the current config', () => {
    const wide = parseAlertPipelineConfig('dedup:\n  fingerprint: [match.SourceIp]\ngroup:\n  by: [match.SourceIp]\n');
    const st = new AlertPipelineState();
    wide.process([detection('a'), detection('b'), detection('c')], st, 0);
    const narrow = parseAlertPipelineConfig(
      'dedup:\n  fingerprint: [match.SourceIp]\n  max_active_alerts: 2\ngroup:\n  by: [match.SourceIp]\n  caps:\n    max_open_incidents: 1\n',
    );
    const w = warnings();
    const restored = w.state();
    narrow.restore(restored, wide.snapshot(st), 1);
    expect([restored.dedup.size, restored.incidents.size]).toEqual([2, 1]);
    expect(w.list).toHaveLength(3);
  });

  it('install on reload: a dropped stage loses its state, a changed group.mode clears incidents, static silences re-seed', () => {
    const old = parseAlertPipelineConfig(FULL + '\nsilences:\n  - { id: maint, matchers: [{ selector: rule, value: x }] }\n');
    const st = new AlertPipelineState();
    old.install(st);
    old.process([detection('10.0.0.1', 'critical')], st, 0);
    expect(st.silences.list(0).map((s) => s.id)).toEqual(['maint']);

    const sameStages = parseAlertPipelineConfig(FULL);
    sameStages.install(st, old);
    expect([st.dedup.size, st.incidents.size, st.inhibit.size, st.silences.list(0).length]).toEqual([1, 1, 1, 0]);

    const graph = parseAlertPipelineConfig(
      'dedup:\n  fingerprint: [match.SourceIp]\ngroup:\n  mode: entity_graph\n  entities: [match.SourceIp]\n',
    );
    graph.install(st, sameStages);
    expect([st.dedup.size, st.incidents.size, st.inhibit.size]).toEqual([1, 0, 0]);

    parseAlertPipelineConfig('').install(st, graph);
    expect(st.dedup.size).toBe(0);
  });
});

describe('restore on arbitrary input', () => {
  it('returns a boolean or throws snapshot_corrupt; whatever loads keeps process and tick working', () => {
    const p = parseAlertPipelineConfig(FULL);
    const entry = fc.dictionary(
      fc.constantFrom(
        'fingerprint',
        'id',
        'first_seen',
        'last_seen',
        'sample',
        'fields',
        'rule',
        'equal_key',
        'matchers',
        'refs',
        'entities',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const snap = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({
        version: fc.constantFrom(1, 2),
        dedup: fc.array(entry, { maxLength: 3 }),
        incidents: fc.array(entry, { maxLength: 3 }),
        silences: fc.array(entry, { maxLength: 3 }),
        inhibit_sources: fc.array(entry, { maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(snap, (value) => {
        const st = new AlertPipelineState();
        try {
          expect(typeof p.restore(st, value, 100)).toBe('boolean');
        } catch (error) {
          expect(error).toMatchObject({ code: 'snapshot_corrupt' });
          return;
        }
        p.process([detection('10.0.0.1', 'critical'), detection('10.0.0.1', 'high')], st, 100);
        p.tick(st, 200);
      }),
      { numRuns: 1000 },
    );
  });
});

// --- property: snapshot + restore at any point, then continuing, emits what the uninterrupted run emits ---

type Step = { kind: 'result'; dt: number; ip: number; user: number; level: 'high' | 'critical' | 'low' } | { kind: 'tick'; dt: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('result' as const),
    dt: fc.integer({ min: 0, max: 40 }),
    ip: fc.integer({ min: 0, max: 4 }),
    user: fc.integer({ min: 0, max: 3 }),
    level: fc.constantFrom('high' as const, 'critical' as const, 'low' as const),
  }),
  fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 120 }) }),
);

function config(mode: 'group_by' | 'entity_graph', include: 'refs' | 'results', repeat: number): string {
  return [
    'dedup:',
    '  fingerprint: [match.SourceIp, match.User]',
    `  repeat_interval: ${repeat}s`,
    '  resolve_timeout: 200s',
    'group:',
    `  mode: ${mode}`,
    mode === 'group_by' ? '  by: [match.SourceIp]' : '  entities: [match.SourceIp, match.User]',
    '  group_wait: 20s',
    '  group_interval: 45s',
    `  repeat_interval: ${repeat * 2}s`,
    '  resolve_timeout: 150s',
    `  include: ${include}`,
    '  stop_values: ["u3"]',
    'silences:',
    '  - matchers: [{ selector: match.SourceIp, value: "10.0.0.4" }, { selector: level, value: low }]',
    'inhibit_rules:',
    '  - source_match: [{ selector: level, value: critical }]',
    '    target_match: [{ selector: level, value: low }]',
    '    equal: [match.SourceIp]',
    '    duration: 60s',
  ].join('\n');
}

const START = 1000;

/** Runs the steps; when `restoreAt` is given, the state goes through a JSON snapshot into a fresh state there. */
function emissions(p: AlertPipeline, steps: readonly Step[], restoreAt: number | undefined): string[] {
  const ids = counterIds('inc');
  let st = new AlertPipelineState({ newId: () => ids() });
  p.install(st);
  const out: string[] = [];
  let now = START;
  steps.forEach((s, i) => {
    if (i === restoreAt) {
      const json = JSON.stringify(p.snapshot(st));
      st = new AlertPipelineState({ newId: () => ids() });
      p.install(st);
      // Restored as of the first step's time: nothing in it can have expired by then, so restore-time pruning (tested
      // above) stays out of the comparison; what is compared is everything the snapshot carries.
      expect(p.restore(st, JSON.parse(json), START)).toBe(true);
    }
    now += s.dt;
    if (s.kind === 'tick') {
      const t = p.tick(st, now);
      for (const line of t.dedupLines) out.push(`dedup ${JSON.stringify(line)}`);
      for (const inc of t.incidents) out.push(`incident ${JSON.stringify(inc)}`);
    } else {
      const r: EvaluationResult = entityDetection(`10.0.0.${s.ip}`, `u${s.user}`);
      r.level = s.level;
      for (const kept of p.process([r], st, now)) out.push(`result ${JSON.stringify(kept)}`);
    }
  });
  return out;
}

describe('property: snapshot + restore is invisible', () => {
  it.each([
    ['group_by', 'refs', 30],
    ['group_by', 'results', 0],
    ['entity_graph', 'refs', 25],
  ] as const)('%s / %s / repeat %ss', (mode, include, repeat) => {
    const p = parseAlertPipelineConfig(config(mode, include, repeat));
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.nat(), (steps, at) => {
        const restoreAt = at % (steps.length + 1);
        expect(emissions(p, steps, restoreAt)).toEqual(emissions(p, steps, undefined));
      }),
      { numRuns: 150 },
    );
  });
});
