import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldPath, JsonEvent, MAX_EVENT_DEPTH, MAX_PATH_SEGMENTS, type EventValue } from './event.js';

// Spec 02 §2 written as plainly as possible (split and join on every lookup), to check the fast lookups against.
function referenceGet(root: unknown, path: string): EventValue | undefined {
  const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  if (typeof root === 'object' && root !== null && !Array.isArray(root) && hasOwn(root, path)) {
    const direct = (root as Record<string, EventValue>)[path];
    if (direct !== undefined) return direct;
  }
  const segs = path.split('.');
  if (segs.length > MAX_PATH_SEGMENTS) return undefined;
  const out: EventValue[] = [];
  const walk = (node: unknown, i: number, depth: number): void => {
    if (i === segs.length) {
      out.push(node as EventValue);
      return;
    }
    if (depth >= MAX_EVENT_DEPTH || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const el of node) walk(el, segs[i] === '*' ? i + 1 : i, depth + 1);
      return;
    }
    const obj = node as Record<string, unknown>;
    if (segs[i] === '*') {
      for (const key of Object.keys(obj)) walk(obj[key], i + 1, depth + 1);
      return;
    }
    for (let j = segs.length; j > i; j--) {
      const key = segs.slice(i, j).join('.');
      if (!hasOwn(obj, key)) continue;
      const before = out.length;
      walk(obj[key], j, depth + 1);
      if (out.length > before) return;
    }
  };
  walk(root, 0, 0);
  if (out.length === 0) return undefined;
  return out.length === 1 ? out[0] : out;
}

// Small key and segment alphabets, so that random paths often meet random keys, dotted keys included.
const SEGMENTS = ['a', 'b', 'c', '*', ''];
const KEYS = ['a', 'b', 'c', 'a.b', 'b.c', 'a.b.c', '*', '', '.a', 'a.'];
const arbPath = fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 5 }).map((segs) => segs.join('.'));
const arbTree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', 'y', 1, true, null),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 }),
  ),
})).node;

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

  it('finds dotted literal keys at the root, in the middle and at the leaf', () => {
    const ev = new JsonEvent({ 'a.b': { c: { 'd.e': 'leaf' } }, x: { 'y.z': { w: 1 } } });
    expect(ev.get('a.b.c.d.e')).toBe('leaf');
    expect(ev.get('x.y.z.w')).toBe(1);
    expect(ev.get('x.y.z')).toEqual({ w: 1 });
    expect(ev.get('x.y')).toBeUndefined();
    expect(ev.get('a.b.c.d')).toBeUndefined();
  });

  it('prefers the longest run at every level and backtracks to shorter ones', () => {
    const ev = new JsonEvent({ a: { 'b.c': { d: 'long' }, b: { 'c.d': 'mid', c: { d: 'short', e: 'only-short' } } } });
    expect(ev.get('a.b.c.d')).toBe('long');
    expect(ev.get('a.b.c.e')).toBe('only-short');
  });

  it('combines arrays, dotted keys and * segments', () => {
    const ev = new JsonEvent({ list: [{ 'k.v': 1 }, { k: { v: 2 } }, [{ k: { v: 3 } }]], m: { p: { 'x.y': 'a' }, q: { x: { y: 'b' } } } });
    expect(ev.get('list.k.v')).toEqual([1, 2, 3]);
    expect(ev.get('m.*.x.y')).toEqual(['a', 'b']);
    expect(ev.get('list.*.k.v')).toEqual([1, 2, 3]);
    expect(ev.get('*')).toEqual([ev.get('list'), ev.get('m')]);
  });

  it('answers parsed paths like text ones before and after it learns the event has no dotted keys', () => {
    const ev = new JsonEvent({ '*': 'star key', a: { b: [{ c: 1 }, { c: 2 }] } });
    expect(ev.hasDottedKeys()).toBe(false);
    expect(ev.resolve(new FieldPath('a.b.c'))).toEqual([1, 2]);
    expect(ev.resolve(new FieldPath('*'))).toBe('star key');
    expect(ev.resolve(new FieldPath('*.b.c'))).toEqual([1, 2]);
    expect(ev.resolve(new FieldPath('a.x'))).toBeUndefined();
    const dotted = new JsonEvent({ 'a.b': 'flat', a: { b: 'nested' } });
    expect(dotted.resolve(new FieldPath('a.b'))).toBe('flat');
    expect(dotted.hasDottedKeys()).toBe(true);
    expect(dotted.resolve(new FieldPath('a.b'))).toBe('flat');
  });

  it('answers an own flat key longer than the path limit but walks no further', () => {
    const long = Array.from({ length: MAX_PATH_SEGMENTS + 1 }, () => 'a').join('.');
    expect(new JsonEvent({ [long]: 'flat' }).get(long)).toBe('flat');
    expect(new JsonEvent([{ [long]: 'flat' }]).get(long)).toBeUndefined();
    const atLimit = Array.from({ length: MAX_PATH_SEGMENTS }, () => 'a').join('.');
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_PATH_SEGMENTS; i++) deep = { a: deep };
    expect(new JsonEvent(deep).get(atLimit)).toBe('leaf');
  });

  it('stops a walk at the event depth limit, with or without dotted keys', () => {
    const path = Array.from({ length: MAX_EVENT_DEPTH + 1 }, () => 'a').join('.');
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_EVENT_DEPTH + 1; i++) deep = { a: deep };
    expect(new JsonEvent(deep).get(path)).toBeUndefined();
    (deep as Record<string, unknown>)['x.y'] = 1;
    expect(new JsonEvent(deep).get(path)).toBeUndefined();
  });

  it('answers like the plain spec 02 §2 walk on random trees and paths, by text and parsed', () => {
    fc.assert(
      fc.property(arbTree, fc.array(fc.tuple(arbPath, fc.boolean()), { minLength: 1, maxLength: 6 }), (tree, lookups) => {
        const ev = new JsonEvent(tree);
        // Twice each, so answers given after the dotted-key scan and from the cache are checked too.
        for (const [path, parsed] of [...lookups, ...lookups]) {
          const found = parsed ? ev.resolve(new FieldPath(path)) : ev.get(path);
          expect(found).toEqual(referenceGet(tree, path));
        }
      }),
      { numRuns: 3000 },
    );
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
