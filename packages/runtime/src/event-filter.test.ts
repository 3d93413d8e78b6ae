import { describe, expect, it } from 'vitest';
import { RuntimeError } from './errors.js';
import { createEventFilter } from './event-filter.js';

const doc = { records: [{ CommandLine: 'whoami' }, { CommandLine: 'whoami /all' }, 3] };

describe('createEventFilter', () => {
  it('jq: every output is one value, non-objects included (the processor drops them)', async () => {
    const f = await createEventFilter({ jq: '.records[]' });
    expect(f(doc)).toEqual(doc.records);
    expect(f({ records: [] })).toEqual([]);
    expect((await createEventFilter({ jq: '.a, .b' }))({ a: { x: 1 } })).toEqual([{ x: 1 }, null]);
  });

  it('jq: a runtime error on one input throws filter_runtime and leaves the filter usable', async () => {
    const f = await createEventFilter({ jq: '.records[]' });
    expect(() => f(5)).toThrow(RuntimeError);
    try {
      f('text');
    } catch (e) {
      expect((e as RuntimeError).code).toBe('filter_runtime');
    }
    expect(f({ records: [{ a: 1 }] })).toEqual([{ a: 1 }]);
  });

  it('jq: a program that does not compile rejects at creation, naming the expression', async () => {
    const err = await createEventFilter({ jq: '.records[' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('invalid_filter');
    expect((err as RuntimeError).subject).toBe('jq .records[');
    expect((err as RuntimeError).message).toContain('syntax error');
  });

  it('jq: a program failing only on the null probe still compiles', async () => {
    const f = await createEventFilter({ jq: '.records | keys' });
    expect(f({ records: { b: 1, a: 2 } })).toEqual([['a', 'b']]);
  });

  it('JSONPath: every selected node is one value', async () => {
    const f = await createEventFilter({ jsonpath: '$.records[*]' });
    expect(f(doc)).toEqual(doc.records);
    expect(f({})).toEqual([]);
    expect((await createEventFilter({ jsonpath: '$..CommandLine' }))(doc)).toEqual(['whoami', 'whoami /all']);
    expect((await createEventFilter({ jsonpath: "$.records[?(@.CommandLine == 'whoami')]" }))(doc)).toEqual([doc.records[0]]);
  });

  it.each(['$.records[', 'records[*]', '$.records[*]]', "$['a", '$.', '$[?(@.a==', '$.a b'])(
    'JSONPath: %j rejects at creation',
    async (path) => {
      const err = await createEventFilter({ jsonpath: path }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_filter', subject: `jsonpath ${path}` });
    },
  );

  it('needs exactly one expression', async () => {
    await expect(createEventFilter({})).rejects.toMatchObject({ code: 'invalid_filter' });
    await expect(createEventFilter({ jq: '.', jsonpath: '$' })).rejects.toMatchObject({ code: 'invalid_filter' });
  });
});
