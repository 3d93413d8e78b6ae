// The SQLite cache on a real database file across a simulated restart (spec 09 §4, §9 test 9), and a corrupt file.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultSourceResolver, openSqliteCachePersistence, SourceCache, SourceConfigError } from '../../src/index.js';
import { startFeedServer } from '../helpers/feed-server.js';
import { declare, rejection } from '../helpers/sources.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsigma-cache-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('SQLite source cache', () => {
  it('a fetched value survives a restart; a source down at start-up falls back to it and says so', async () => {
    const db = join(dir, 'state.db');
    const server = await startFeedServer({ body: '{"ips":["10.0.0.5"]}' });
    const src = declare({ id: 'ips', type: 'http', url: server.url, extract: '.ips' });

    // First process: the feed is up.
    const p1 = openSqliteCachePersistence(db);
    const first = new DefaultSourceResolver({ cache: await SourceCache.open({ persistence: p1 }) });
    expect((await first.resolve(src)).origin).toBe('fetched');
    p1.close();
    await server.close();

    // Second process: the feed is down; the persisted value answers.
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const p2 = openSqliteCachePersistence(db);
    const cache = await SourceCache.open({ persistence: p2, logger });
    expect(cache.get('ips')).toEqual(['10.0.0.5']);
    const second = new DefaultSourceResolver({ cache, logger });
    const resolved = await second.resolve(src);
    expect(resolved).toMatchObject({ data: ['10.0.0.5'], origin: 'cache' });
    expect(warnings.join('\n')).toMatch(/source 'ips': .*using the cached value stored at/);

    // A TTL shorter than the entry's age hides it, also after the restart.
    const aged = await SourceCache.open({ persistence: p2, ttlMs: 1, now: () => Date.now() + 10_000 });
    expect(aged.get('ips')).toBeUndefined();
    p2.close();
  });

  it('a corrupt database file is an error naming the file; the source then has no cache and its policy applies', async () => {
    const db = join(dir, 'corrupt.db');
    await writeFile(db, 'this is not a sqlite database '.repeat(200));
    const err = await rejection(Promise.resolve().then(() => openSqliteCachePersistence(db)));
    expect(err).toBeInstanceOf(SourceConfigError);
    expect(err).toMatchObject({ code: 'cache_file', subject: db });

    const closed = await startFeedServer();
    await closed.close();
    const resolver = new DefaultSourceResolver({ cache: await SourceCache.open() });
    const cached = declare({ id: 'feed', type: 'http', url: closed.url });
    expect(await rejection(resolver.resolve(cached))).toMatchObject({ kind: 'fetch', sourceId: 'feed' });
    const dflt = declare({ id: 'feed', type: 'http', url: closed.url, on_error: 'use_default', default: [] });
    expect(await resolver.resolve(dflt)).toMatchObject({ data: [], origin: 'default' });
  });
});
