import { describe, expect, it } from 'vitest';
import { HttpResponseCache } from './http-cache.js';

describe('HttpResponseCache', () => {
  it('hit while younger than the TTL; older is removed and counted as expiration and miss', () => {
    let now = 1000;
    const events: string[] = [];
    const cache = new HttpResponseCache(
      100,
      10,
      { onHit: () => events.push('hit'), onMiss: () => events.push('miss'), onExpiration: () => events.push('exp') },
      () => now,
    );
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', { a: 1 });
    now += 99;
    expect(cache.get('k')).toEqual({ value: { a: 1 } });
    now += 1;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(events).toEqual(['miss', 'hit', 'exp', 'miss']);
  });

  it('evicts the oldest inserted entry when full', () => {
    const cache = new HttpResponseCache(1_000_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual({ value: 2 });
    expect(cache.get('c')).toEqual({ value: 3 });
  });
});
