import { describe, expect, it } from 'vitest';
import { counterIds, detection } from '../test/builders.js';
import { SilenceError, type SilenceErrorCode } from './errors.js';
import { buildSilence, parseRfc3339, SilenceStore, type SilenceSpec } from './silence.js';

const T0 = parseRfc3339('2026-01-01T00:00:00Z') as number;
const ip = (value: string): SilenceSpec['matchers'] => [{ selector: 'match.SourceIp', op: '=', value }];

function refusal(fn: () => unknown): SilenceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SilenceError) return error;
    throw error;
  }
  throw new Error('expected a SilenceError');
}

describe('parseRfc3339', () => {
  it('reads RFC 3339 with Z, offsets and fractions; refuses anything else', () => {
    expect(T0).toBe(1767225600);
    expect(parseRfc3339('2026-01-01T01:00:00+01:00')).toBe(T0);
    expect(parseRfc3339('2026-01-01T00:00:00.999Z')).toBe(T0);
    for (const bad of ['2026-01-01', '2026-02-30T00:00:00Z', '2026-01-01T00:00:00', 'yesterday', '2026-13-01T00:00:00Z'])
      expect(parseRfc3339(bad)).toBeUndefined();
  });
});

describe('SilenceStore', () => {
  it('API silences: add, list with state, match only while active, remove', () => {
    const store = new SilenceStore(counterIds('sil'));
    const s = store.add(
      { matchers: ip('10.0.0.1'), starts_at: '2026-01-01T00:00:00Z', ends_at: '2026-01-01T01:00:00Z', created_by: 'ops' },
      'api',
      10,
      T0 - 100,
    );
    expect(s.id).toBe('sil-1');
    expect(store.list(T0 - 1)).toEqual([
      {
        id: 'sil-1',
        matchers: [{ selector: 'match.SourceIp', op: '=', value: '10.0.0.1' }],
        starts_at: '2026-01-01T00:00:00Z',
        ends_at: '2026-01-01T01:00:00Z',
        created_by: 'ops',
        origin: 'api',
        state: 'pending',
      },
    ]);
    expect(store.activeMatch(detection('10.0.0.1'), T0 - 1)).toBeUndefined();
    expect(store.activeMatch(detection('10.0.0.1'), T0)).toBe('sil-1');
    expect(store.activeMatch(detection('10.0.0.2'), T0)).toBeUndefined();
    expect(store.activeMatch(detection('10.0.0.1'), T0 + 3600)).toBeUndefined();
    expect(store.list(T0 + 3600)[0]?.state).toBe('expired');
    expect(store.activeCount(T0)).toBe(1);
    expect(store.remove('sil-1')).toBe('removed');
    expect(store.remove('sil-1')).toBe('not_found');
  });

  it('static silences cannot be removed through the API and are replaced whole by setStatic', () => {
    const store = new SilenceStore();
    const stat = buildSilence({ id: 'maint', matchers: ip('10.0.0.1') }, 'static', () => 'unused');
    store.setStatic([stat]);
    store.add({ matchers: ip('10.0.0.9') }, 'api', 10, T0);
    expect(store.remove('maint')).toBe('static');
    expect(store.activeMatch(detection('10.0.0.1'), T0)).toBe('maint');
    store.setStatic([]);
    expect(store.activeMatch(detection('10.0.0.1'), T0)).toBeUndefined();
    expect(store.list(T0).map((s) => s.origin)).toEqual(['api']);
  });

  it('gc deletes expired silences of both origins', () => {
    const store = new SilenceStore(counterIds());
    store.setStatic([buildSilence({ matchers: ip('a'), ends_at: '2026-01-01T00:00:10Z' }, 'static', () => '')]);
    store.add({ matchers: ip('b'), ends_at: '2026-01-01T00:00:20Z' }, 'api', 10, T0);
    store.add({ matchers: ip('c') }, 'api', 10, T0);
    store.gc(T0 + 15);
    expect(store.list(T0 + 15).map((s) => s.matchers[0]?.value)).toEqual(['b', 'c']);
    store.gc(T0 + 20);
    expect(store.list(T0 + 20).map((s) => s.matchers[0]?.value)).toEqual(['c']);
  });

  it.each<[string, SilenceSpec, SilenceErrorCode, string]>([
    ['no matcher', { matchers: [] }, 'invalid', 'matchers'],
    ['bad selector', { matchers: [{ selector: 'x.y', value: '1' }] }, 'invalid', 'matchers[0].selector'],
    ['bad regex', { matchers: [{ selector: 'rule', op: '=~', value: '[' }] }, 'invalid', 'matchers[0].value'],
    ['bad timestamp', { matchers: ip('a'), starts_at: '1 Jan 2026' }, 'invalid', 'starts_at'],
    [
      'ends before it starts',
      { matchers: ip('a'), starts_at: '2026-01-01T00:10:00Z', ends_at: '2026-01-01T00:00:00Z' },
      'invalid',
      'ends_at',
    ],
    ['ends in the past', { matchers: ip('a'), ends_at: '2025-12-31T00:00:00Z' }, 'invalid', 'ends_at'],
  ])('refuses %s naming the field', (_name, spec, code, field) => {
    const error = refusal(() => new SilenceStore().add(spec, 'api', 10, T0));
    expect(error).toMatchObject({ code, field });
  });

  it('refuses a duplicate id and a silence past the cap; the static ones do not count', () => {
    const store = new SilenceStore(counterIds());
    store.setStatic([buildSilence({ id: 'maint', matchers: ip('a') }, 'static', () => '')]);
    expect(refusal(() => store.add({ id: 'maint', matchers: ip('b') }, 'api', 10, T0))).toMatchObject({ code: 'duplicate', field: 'id' });
    store.add({ matchers: ip('b') }, 'api', 2, T0);
    store.add({ matchers: ip('c') }, 'api', 2, T0);
    expect(refusal(() => store.add({ matchers: ip('d') }, 'api', 2, T0))).toMatchObject({ code: 'limit' });
    expect(store.apiCount).toBe(2);
  });
});
