import { describe, expect, it } from 'vitest';
import { SourceError } from './errors.js';
import { compileExtractor } from './extract.js';

const doc = {
  items: [
    { ip: '10.0.0.1', sev: 9 },
    { ip: '10.0.0.2', sev: 3 },
    { ip: '10.0.0.3', sev: 8 },
  ],
};

async function failure(p: Promise<unknown> | (() => unknown)): Promise<SourceError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof SourceError) return err;
    throw err;
  }
  throw new Error('expected a SourceError');
}

describe('compileExtractor (spec 09 §3, §9 test 5)', () => {
  it('JSONPath and CEL give the same list', async () => {
    const path = await compileExtractor({ type: 'jsonpath', expr: '$.items[?(@.sev > 7)].ip' }, 's');
    const cel = await compileExtractor({ type: 'cel', expr: 'data.items.filter(i, i.sev > 7).map(i, i.ip)' }, 's');
    expect(path(doc)).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(cel(doc)).toEqual(path(doc));
    const all = await compileExtractor({ type: 'jsonpath', expr: '$.items[*].ip' }, 's');
    expect(all(doc)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('jq: one output is the value, several an array', async () => {
    expect((await compileExtractor({ type: 'jq', expr: '.items | map(.ip)' }, 's'))(doc)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect((await compileExtractor({ type: 'jq', expr: '.items[].sev' }, 's'))(doc)).toEqual([9, 3, 8]);
  });

  it('no output, or a lone null, is an extract error naming the source', async () => {
    const empty = await compileExtractor({ type: 'jq', expr: '.items[] | select(.sev > 100)' }, 'feed');
    const err = await failure(() => empty(doc));
    expect(err).toMatchObject({ kind: 'extract', sourceId: 'feed' });
    expect(err.message).toContain('expression produced no value');
    const nul = await compileExtractor({ type: 'jq', expr: '.missing' }, 'feed');
    expect((await failure(() => nul(doc))).kind).toBe('extract');
  });

  it('an expression that does not compile is an extract error', async () => {
    expect((await failure(compileExtractor({ type: 'jq', expr: '.items[' }, 'a'))).kind).toBe('extract');
    expect((await failure(compileExtractor({ type: 'cel', expr: 'data.(' }, 'b'))).kind).toBe('extract');
    expect((await failure(compileExtractor({ type: 'jsonpath', expr: 'items' }, 'c'))).kind).toBe('extract');
    expect((await failure(compileExtractor({ type: 'jq', expr: 'halt_error' }, 'd'))).kind).toBe('extract');
  });
});
