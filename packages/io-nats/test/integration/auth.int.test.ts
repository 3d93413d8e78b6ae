// Spec 06 §6.2 test 11 plus connect-time failures: bad credentials, unreachable servers, accounts without
// JetStream, and config errors raised before any I/O. The server has one JetStream account and one without.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, NatsConfigError, NatsIoError, NatsSink, type NatsConnectConfig } from '../../src/index.js';
import { natsServerAvailable, startNatsServer, type NatsServer } from '../helpers/nats-server.js';

const CONFIG = `
accounts {
  JS: { jetstream: enabled, users: [ { user: u, password: p } ] }
  PLAIN: { users: [ { user: nojs, password: p } ] }
}
`;

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const run = natsServerAvailable();

describe.skipIf(!run)('NATS connection and authentication (spec 06 §1, §6.2 test 11)', () => {
  let server: NatsServer;

  beforeAll(async () => {
    server = await startNatsServer([], CONFIG);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('without credentials the connect fails with an authorization error naming the URL', async () => {
    const err = await failure(connectNats({ url: server.url }));
    expect(err).toBeInstanceOf(NatsIoError);
    expect((err as NatsIoError).code).toBe('authorization');
    expect((err as NatsIoError).target).toBe(server.url);
  });

  it('wrong password is an authorization error too', async () => {
    const err = await failure(connectNats({ url: server.url, user: 'u', password: 'wrong' }));
    expect((err as NatsIoError).code).toBe('authorization');
  });

  it('user/password works and JetStream publishes are acknowledged', async () => {
    const cfg: NatsConnectConfig = { url: server.url, user: 'u', password: 'p' };
    const sink = await NatsSink.connect(cfg, 'auth.ok');
    await expect(sink.sendRaw('{"ok":true}')).resolves.toBeUndefined();
    await sink.close();
  });

  it('token and user together are rejected before any I/O', async () => {
    // Port 1 on loopback has no server: reaching the network would give `unreachable`, not a config error.
    const err = await failure(connectNats({ url: 'nats://127.0.0.1:1', token: 't', user: 'u', password: 'p' }));
    expect(err).toBeInstanceOf(NatsConfigError);
    expect((err as NatsConfigError).code).toBe('conflicting_auth');
    expect((err as NatsConfigError).options).toEqual(['token', 'user/password']);
  });

  it('an account without JetStream is reported as "JetStream is not enabled on <url>"', async () => {
    const err = await failure(NatsSink.connect({ url: server.url, user: 'nojs', password: 'p' }, 'auth.nojs'));
    expect(err).toBeInstanceOf(NatsIoError);
    expect((err as NatsIoError).code).toBe('jetstream_disabled');
    expect((err as Error).message).toContain(`JetStream is not enabled on ${server.url}`);
  });

  it('an unreachable server is a clear unreachable error, not a silent retry', async () => {
    const err = await failure(connectNats({ url: 'nats://127.0.0.1:1' }));
    expect((err as NatsIoError).code).toBe('unreachable');
    expect((err as NatsIoError).target).toBe('nats://127.0.0.1:1');
  });

  it('an unreadable credentials file is a config error naming the path', async () => {
    const err = await failure(connectNats({ url: server.url, credentialsFile: '/nonexistent/x.creds' }));
    expect((err as NatsConfigError).code).toBe('unreadable_file');
    expect((err as NatsConfigError).options).toContain('/nonexistent/x.creds');
  });
});
