// NATS as a dynamic pipeline source against a real nats-server -js (spec 06 §5, 09 §2, §5): the last stream message,
// a core message within the timeout, no message → null, push updates, bad payloads, and the control subject.

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  DefaultSourceResolver,
  RefreshScheduler,
  validateSourceDeclarations,
  type DynamicSource,
  type SourceUpdate,
} from '@tsigma/sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, CONTROL_RESOLVE_SUBJECT, createNatsSourceFetcher, serveResolveControl } from '../../src/index.js';
import { natsServerAvailable, startNatsServer, type NatsServer } from '../helpers/nats-server.js';

const run = natsServerAvailable();

function declare(raw: Record<string, unknown>): DynamicSource {
  return validateSourceDeclarations([raw], { kind: 'file', path: '/tmp/sources.yml' })[0] as DynamicSource;
}

describe.skipIf(!run)('nats source type (spec 06 §5)', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let resolver: DefaultSourceResolver;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'FEEDS', subjects: ['feeds.>'] });
    resolver = new DefaultSourceResolver({ fetchers: { nats: createNatsSourceFetcher({ connection: { url: server.url } }) } });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('a subject captured by a stream resolves to its last message', async () => {
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    await js.publish('feeds.ips', JSON.stringify({ ips: ['10.0.0.1'] }));
    await js.publish('feeds.ips', JSON.stringify({ ips: ['10.0.0.2', '10.0.0.3'] }));
    const src = declare({ id: 'ips', type: 'nats', subject: 'feeds.ips', extract: '.ips' });
    expect(await resolver.resolve(src)).toMatchObject({ data: ['10.0.0.2', '10.0.0.3'], origin: 'fetched' });
  });

  it('without a stream it waits for one core message; none within the timeout resolves to null, not an error', async () => {
    const src = declare({ id: 'core', type: 'nats', subject: 'live.ips', timeout: '3s', format: 'lines' });
    const pending = resolver.resolve(src);
    // The fetcher subscribes after connecting; publish until the message is taken.
    const timer = setInterval(() => nc.publish('live.ips', 'a\nb\n'), 50);
    try {
      expect((await pending).data).toEqual(['a', 'b']);
    } finally {
      clearInterval(timer);
    }
    const silent = declare({ id: 'silent', type: 'nats', subject: 'nobody.publishes', timeout: '200ms' });
    expect(await resolver.resolve(silent)).toMatchObject({ data: null });
    expect(resolver.outcomes().has('silent')).toBe(false);
  });

  it('a payload that is not UTF-8 is a parse error naming the source', async () => {
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    await js.publish('feeds.binary', Uint8Array.of(0x5b, 0xff, 0x5d));
    const src = declare({ id: 'binary', type: 'nats', subject: 'feeds.binary', on_error: 'fail' });
    await expect(resolver.resolve(src)).rejects.toMatchObject({ kind: 'parse', sourceId: 'binary' });
  });

  it('push replaces the value on every message; a message that fails to parse keeps the last good value', async () => {
    const src = declare({ id: 'pushed', type: 'nats', subject: 'push.ips', refresh: 'push', extract: '.ips' });
    const scheduler = new RefreshScheduler([src], resolver);
    const updates: SourceUpdate[] = [];
    scheduler.onUpdate((u) => updates.push(u));
    scheduler.start();
    try {
      const deadline = Date.now() + 10_000;
      while (updates.length === 0 && Date.now() < deadline) {
        nc.publish('push.ips', JSON.stringify({ ips: ['1.1.1.1'] }));
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(updates[0]).toEqual({ id: 'pushed', value: ['1.1.1.1'], changed: true });
      nc.publish('push.ips', '{"ips": [');
      nc.publish('push.ips', JSON.stringify({ ips: ['2.2.2.2'] }));
      while (!updates.some((u) => u.changed && JSON.stringify(u.value) === '["2.2.2.2"]') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(scheduler.values().get('pushed')).toEqual(['2.2.2.2']);
      expect(updates.every((u) => Array.isArray(u.value))).toBe(true);
    } finally {
      await scheduler.stop();
    }
  });

  it('the control subject re-resolves all sources (empty payload) or one by id', async () => {
    const src = declare({ id: 'ctl', type: 'nats', subject: 'feeds.ips', refresh: 'on_demand', extract: '.ips' });
    const scheduler = new RefreshScheduler([src], resolver);
    const stop = serveResolveControl(nc, scheduler);
    try {
      const all = await nc.request(CONTROL_RESOLVE_SUBJECT, '', { timeout: 5000 });
      expect(all.string()).toBe('started');
      await scheduler.idle();
      expect(scheduler.values().get('ctl')).toEqual(['10.0.0.2', '10.0.0.3']);
      expect((await nc.request(CONTROL_RESOLVE_SUBJECT, 'nope', { timeout: 5000 })).string()).toBe('unknown_source');
      expect((await nc.request(CONTROL_RESOLVE_SUBJECT, 'ctl', { timeout: 5000 })).string()).toBe('started');
      await scheduler.idle();
    } finally {
      stop();
      await scheduler.stop();
    }
  });
});
