// HTTP sources against a real loopback server (spec 09 §9 tests 3, 10, 11 and the bad-input list).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultSourceResolver, resolveAll, SourceCache, SourceError, type LookupFn } from '../../src/index.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { declare, rejection } from '../helpers/sources.js';

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(() => server.close());

describe('http sources', () => {
  it('200 → value; 500 with use_cached → the previous value from the cache; fail → HTTP 500', async () => {
    const resolver = new DefaultSourceResolver({ cache: await SourceCache.open() });
    const src = declare({ id: 'ips', type: 'http', url: `${server.url}/ips`, extract: '.ips' });
    server.reply({ body: JSON.stringify({ ips: ['10.0.0.5', '203.0.113.42'] }) });
    expect(await resolver.resolve(src)).toMatchObject({ data: ['10.0.0.5', '203.0.113.42'], origin: 'fetched' });

    server.reply({ status: 500, body: 'upstream down' });
    expect(await resolver.resolve(src)).toMatchObject({ data: ['10.0.0.5', '203.0.113.42'], origin: 'cache' });

    const err = await rejection(resolver.resolve({ ...src, onError: 'fail' }));
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ kind: 'fetch', sourceId: 'ips' });
    expect(err.message).toContain('HTTP 500');
    expect(err.message).toContain('upstream down');
  });

  it('use_default answers the declared default when the feed fails', async () => {
    server.reply({ status: 503 });
    const src = declare({ id: 'd', type: 'http', url: server.url, on_error: 'use_default', default: ['x'] });
    expect(await new DefaultSourceResolver().resolve(src)).toMatchObject({ data: ['x'], origin: 'default' });
  });

  it('an 11 MiB Content-Length is a resource_limit error; so is a body that grows past the limit while streaming', async () => {
    server.reply((res) => {
      res.writeHead(200, { 'content-length': String(11 * 1024 * 1024) });
      res.write('[');
    });
    const src = declare({ id: 'big', type: 'http', url: server.url, on_error: 'fail' });
    expect(await rejection(new DefaultSourceResolver().resolve(src))).toMatchObject({ kind: 'resource_limit', sourceId: 'big' });

    server.reply((res) => {
      res.writeHead(200);
      res.end(JSON.stringify(['a'.repeat(2000)]));
    });
    const small = declare({ id: 'small', type: 'http', url: server.url, on_error: 'fail', max_body_size: 1000 });
    expect(await rejection(new DefaultSourceResolver().resolve(small))).toMatchObject({ kind: 'resource_limit', sourceId: 'small' });
  });

  it('Authorization: Bearer ${FEED_TOKEN} arrives with the environment value', async () => {
    process.env['FEED_TOKEN'] = 's3cret';
    server.reply({ body: '[1]' });
    const src = declare({ id: 'auth', type: 'http', url: server.url, headers: { Authorization: 'Bearer ${FEED_TOKEN}' } });
    await new DefaultSourceResolver().resolve(src);
    expect(server.lastHeaders()?.authorization).toBe('Bearer s3cret');
    delete process.env['FEED_TOKEN'];
  });

  it('a slow server is a timeout error', async () => {
    server.reply((res) => {
      res.writeHead(200);
      res.write('[');
      // never ends: the deadline must abort the request
    });
    const src = declare({ id: 'slow', type: 'http', url: server.url, timeout: '200ms', on_error: 'fail' });
    expect(await rejection(new DefaultSourceResolver().resolve(src))).toMatchObject({ kind: 'timeout', sourceId: 'slow' });
  });

  it('malformed JSON is a parse error; an extraction with no output is an extract error that falls back to the cache', async () => {
    const resolver = new DefaultSourceResolver({ cache: await SourceCache.open() });
    server.reply({ body: '{"ips": [' });
    const bad = declare({ id: 'bad', type: 'http', url: server.url, on_error: 'fail' });
    expect(await rejection(resolver.resolve(bad))).toMatchObject({ kind: 'parse', sourceId: 'bad' });

    const src = declare({ id: 'shape', type: 'http', url: server.url, extract: '.ips[]?' });
    server.reply({ body: '{"ips": ["a"]}' });
    expect((await resolver.resolve(src)).data).toBe('a');
    server.reply({ body: '{"indicators": []}' });
    expect(await resolver.resolve(src)).toMatchObject({ data: 'a', origin: 'cache' });
    const err = await rejection(resolver.resolve({ ...src, onError: 'fail' }));
    expect(err).toMatchObject({ kind: 'extract', sourceId: 'shape' });
    expect(err.message).toContain('expression produced no value');
  });

  it('an unreachable URL is a fetch error; required+fail rejects resolveAll, optional resolves to null', async () => {
    const closed = await startFeedServer();
    const url = closed.url;
    await closed.close();
    const req = declare({ id: 'down', type: 'http', url, on_error: 'fail' });
    const resolver = new DefaultSourceResolver();
    expect(await rejection(resolveAll(resolver, [req]))).toMatchObject({ kind: 'fetch', sourceId: 'down' });
    const opt = declare({ id: 'down', type: 'http', url, on_error: 'fail', required: false });
    expect(await resolveAll(resolver, [opt])).toEqual(new Map([['down', null]]));
  });
});

describe('egress policy at connection time (spec 09 §9 test 10)', () => {
  it('169.254.169.254 is denied under default', async () => {
    const src = declare({ id: 'meta', type: 'http', url: 'http://169.254.169.254/latest/meta-data/', on_error: 'fail', timeout: '2s' });
    const err = await rejection(new DefaultSourceResolver().resolve(src));
    expect(err).toMatchObject({ kind: 'fetch', sourceId: 'meta' });
    expect(err.message).toContain('egress policy denied link-local address 169.254.169.254');
  });

  it('127.0.0.1:<port> is allowed under default and denied under strict', async () => {
    server.reply({ body: '["ok"]' });
    const src = declare({ id: 'local', type: 'http', url: `${server.url}/x`, on_error: 'fail' });
    expect((await new DefaultSourceResolver({ egress: { preset: 'default' } }).resolve(src)).data).toEqual(['ok']);
    const err = await rejection(new DefaultSourceResolver({ egress: { preset: 'strict' } }).resolve(src));
    expect(err.message).toContain('egress policy denied loopback address 127.0.0.1');
  });

  it('a host name resolving to ::ffff:169.254.169.254 is denied, checked on the resolved address', async () => {
    const { createHttpFetcher } = await import('../../src/index.js');
    const lookup: LookupFn = (_host, options, cb) => {
      if (options.all === true) cb(null, [{ address: '::ffff:169.254.169.254', family: 6 }]);
      else cb(null, '::ffff:169.254.169.254', 6);
    };
    const resolver = new DefaultSourceResolver({ fetchers: { http: createHttpFetcher({ lookup }) } });
    const src = declare({ id: 'rebind', type: 'http', url: 'http://feeds.example.test/', on_error: 'fail', timeout: '2s' });
    const err = await rejection(resolver.resolve(src));
    expect(err.message).toContain('egress policy denied link-local address ::ffff:169.254.169.254');
  });

  it('the host allowlist refuses other hosts', async () => {
    const src = declare({ id: 'allow', type: 'http', url: `${server.url}/x`, on_error: 'fail' });
    const resolver = new DefaultSourceResolver({ egress: { preset: 'default', allowHosts: ['feeds.example.com'] } });
    expect((await rejection(resolver.resolve(src))).message).toContain('egress policy denied host 127.0.0.1');
  });
});
