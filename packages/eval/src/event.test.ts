import { describe, expect, it } from 'vitest';
import { JsonEvent, MAX_EVENT_DEPTH, MAX_PATH_SEGMENTS } from './event.js';

describe('JsonEvent.get', () => {
  it('prefers an own flat key over nesting', () => {
    const ev = new JsonEvent({ 'actor.alternateId': 'bob@x.com', actor: { alternateId: 'eve' } });
    expect(ev.get('actor.alternateId')).toBe('bob@x.com');
  });

  it('walks nested objects', () => {
    expect(new JsonEvent({ a: { b: { c: 1 } } }).get('a.b.c')).toBe(1);
  });

  it('tries the longest dotted key run first at any depth', () => {
    const ev = new JsonEvent({ a: { 'b.c': 'long', b: { c: 'short' } } });
    expect(ev.get('a.b.c')).toBe('long');
  });

  it('falls back to a shorter run when the longer one leads nowhere', () => {
    const ev = new JsonEvent({ a: { 'b.c': { x: 1 }, b: { c: { d: 'short' } } } });
    expect(ev.get('a.b.c.d')).toBe('short');
  });

  it('is transparent through arrays and collects every result', () => {
    const ev = new JsonEvent({ items: [{ name: 'a' }, { name: 'b' }, { other: 1 }] });
    expect(ev.get('items.name')).toEqual(['a', 'b']);
    expect(new JsonEvent({ items: [{ name: 'a' }] }).get('items.name')).toBe('a');
  });

  it('selects every child with a * segment', () => {
    const ev = new JsonEvent({ UserData: { Provider: { Data: 'x' } }, list: [{ v: 1 }, { v: 2 }] });
    expect(ev.get('UserData.*.Data')).toBe('x');
    expect(ev.get('list.*.v')).toEqual([1, 2]);
  });

  it('treats a present null as present and a missing key as absent', () => {
    const ev = new JsonEvent({ User: null });
    expect(ev.get('User')).toBeNull();
    expect(ev.get('Other')).toBeUndefined();
    expect(ev.get('constructor')).toBeUndefined();
    expect(ev.get('toString')).toBeUndefined();
  });

  it('is case-sensitive', () => {
    expect(new JsonEvent({ Image: 'x' }).get('image')).toBeUndefined();
  });

  it('stops at the path and depth limits', () => {
    const path = Array.from({ length: MAX_PATH_SEGMENTS + 1 }, () => 'a').join('.');
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_PATH_SEGMENTS + 1; i++) deep = { a: deep };
    expect(new JsonEvent(deep).get(path)).toBeUndefined();
    let nested: unknown = 'leaf';
    for (let i = 0; i < MAX_EVENT_DEPTH + 5; i++) nested = [nested];
    expect(new JsonEvent({ x: nested }).someLeaf((t) => t === 'leaf')).toBe(false);
  });

  it('answers dotted lookups on a non-object root', () => {
    expect(new JsonEvent([{ a: 1 }, { a: 2 }]).get('a')).toEqual([1, 2]);
  });

  it('returns the same answer from its cache', () => {
    const ev = new JsonEvent({ a: { b: 'x' } });
    expect(ev.get('a.b')).toBe('x');
    expect(ev.get('a.b')).toBe('x');
    expect(ev.get('a.c')).toBeUndefined();
    expect(ev.get('a.c')).toBeUndefined();
  });
});

describe('JsonEvent.someLeaf', () => {
  it('visits strings, numbers and booleans but not keys or nulls', () => {
    const seen: string[] = [];
    new JsonEvent({ key: 'v', n: 4688, b: true, z: null, arr: ['x', { deep: 1.5 }] }).someLeaf((t) => {
      seen.push(t);
      return false;
    });
    expect(seen).toEqual(['v', '4688', 'true', 'x', '1.5']);
  });

  it('stops at the first leaf the predicate accepts', () => {
    let calls = 0;
    expect(new JsonEvent(['a', 'b', 'c']).someLeaf((t) => (calls++, t === 'b'))).toBe(true);
    expect(calls).toBe(2);
  });
});
