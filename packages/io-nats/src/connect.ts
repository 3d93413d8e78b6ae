// Opens NATS connections from a NatsConnectConfig (spec 06 §1): validates first, reads key files at connect
// time, maps failures to errors naming the URL, and logs disconnects/reconnects. Never logs secrets.

import { readFile } from 'node:fs/promises';
import {
  AuthorizationError,
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { silentLogger, type Logger } from '@tsigma/eval';
import { DEFAULT_CONNECTION_NAME, parseServerUrl, validateNatsConfig, type NatsConnectConfig } from './config.js';
import { NatsConfigError, NatsIoError } from './errors.js';

/** Pause between reconnect attempts (spec 06 §1); attempts are unlimited once the first connect succeeded. */
export const RECONNECT_WAIT_MS = 2000;

/** How long the initial connect may take before it is reported as unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * Validates `cfg`, reads its credential and TLS files, and connects. A failed initial connect rejects with a
 * NatsIoError (`unreachable`, `authorization` or `tls`) naming the URL; later disconnects reconnect forever and are
 * reported to `logger` (default: silent).
 *
 * @example
 * const nc = await connectNats({ url: 'nats://127.0.0.1:4222', user: 'u', password: 'p' });
 */
export async function connectNats(cfg: NatsConnectConfig, logger: Logger = silentLogger): Promise<NatsConnection> {
  validateNatsConfig(cfg);
  const opts = await buildOptions(cfg);
  let nc: NatsConnection;
  try {
    nc = await connect(opts);
  } catch (err) {
    throw classifyConnectError(cfg.url, err);
  }
  void watchStatus(nc, cfg.url, logger);
  return nc;
}

async function buildOptions(cfg: NatsConnectConfig): Promise<NodeConnectionOptions> {
  const address = parseServerUrl(cfg.url);
  const opts: NodeConnectionOptions = {
    servers: address.hostPort,
    name: cfg.name ?? DEFAULT_CONNECTION_NAME,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    timeout: CONNECT_TIMEOUT_MS,
    // The spec wants a failed initial connect to be an error, not a silent retry loop.
    waitOnFirstConnect: false,
  };
  if (cfg.credentialsFile !== undefined)
    opts.authenticator = credsAuthenticator(await readSecretFile(cfg.credentialsFile, 'credentialsFile'));
  if (cfg.nkeySeed !== undefined) opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(cfg.nkeySeed.trim()));
  if (cfg.token !== undefined) opts.token = cfg.token;
  if (cfg.user !== undefined && cfg.password !== undefined) {
    opts.user = cfg.user;
    opts.pass = cfg.password;
  }
  const wantsTls = address.tls || cfg.requireTls === true || cfg.tlsCa !== undefined || cfg.tlsCert !== undefined;
  if (wantsTls) {
    const tls: NonNullable<NodeConnectionOptions['tls']> = {};
    if (cfg.tlsCa !== undefined) tls.ca = await readText(cfg.tlsCa, 'tlsCa');
    if (cfg.tlsCert !== undefined && cfg.tlsKey !== undefined) {
      tls.cert = await readText(cfg.tlsCert, 'tlsCert');
      tls.key = await readText(cfg.tlsKey, 'tlsKey');
    }
    opts.tls = tls;
  }
  return opts;
}

async function readText(path: string, option: string): Promise<string> {
  return new TextDecoder().decode(await readSecretFile(path, option));
}

/** Reads a key or credentials file; the error names the path and the option, never the contents. */
async function readSecretFile(path: string, option: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'read failed';
    throw new NatsConfigError('unreadable_file', `cannot read ${option} file ${path} (${reason})`, [option, path], { cause: err });
  }
}

function classifyConnectError(url: string, err: unknown): NatsIoError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof AuthorizationError || /authorization|authentication/i.test(message)) {
    return new NatsIoError('authorization', url, `authorization failed (check the NATS credentials): ${message}`, { cause: err });
  }
  if (/tls|ssl|certificate|self.signed/i.test(message)) {
    return new NatsIoError('tls', url, `TLS negotiation failed: ${message}`, { cause: err });
  }
  return new NatsIoError('unreachable', url, `cannot connect to the NATS server: ${message}`, { cause: err });
}

/** Logs connection state changes at info until the connection closes. */
async function watchStatus(nc: NatsConnection, url: string, logger: Logger): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect') logger.info('disconnected from the NATS server', { url });
    else if (s.type === 'reconnect') logger.info('reconnected to the NATS server', { url });
    else if (s.type === 'error') logger.warn('NATS connection error', { url, error: s.error.message });
  }
}
