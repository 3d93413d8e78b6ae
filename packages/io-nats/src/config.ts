// NATS connection settings (spec 06 §1): the config shape, its validation and the environment fallbacks.
// Pure: no network and no file reads here (files are read by connectNats, at connect time).

import { NatsConfigError } from './errors.js';

/** How to reach and authenticate to a NATS server; at most one auth method, TLS combines with any. */
export interface NatsConnectConfig {
  /** `nats://host:port` or `tls://host:port` (the latter implies `requireTls`). */
  url: string;
  /** JWT + NKey `.creds` file. */
  credentialsFile?: string;
  /** NKey seed (`SU...`). */
  nkeySeed?: string;
  token?: string;
  user?: string;
  password?: string;
  /** PEM client certificate; with `tlsKey` this is mutual TLS. */
  tlsCert?: string;
  /** PEM client key. */
  tlsKey?: string;
  /** PEM CA bundle used to verify the server. */
  tlsCa?: string;
  /** Refuse a server that does not negotiate TLS. */
  requireTls?: boolean;
  /** Client connection name shown by the server; default `tsigma`. */
  name?: string;
}

/** Default client connection name. */
export const DEFAULT_CONNECTION_NAME = 'tsigma';

const AUTH_METHODS = [
  ['credentialsFile', 'NATS_CREDS'],
  ['nkeySeed', 'NATS_NKEY'],
  ['token', 'NATS_TOKEN'],
  ['user', 'NATS_USER'],
  ['password', 'NATS_PASSWORD'],
] as const;

/**
 * Checks a config without touching the network; throws a NatsConfigError naming the offending options.
 *
 * @example validateNatsConfig({ url: 'nats://127.0.0.1:4222', token: 't', user: 'u' }) // throws conflicting_auth
 */
export function validateNatsConfig(cfg: NatsConnectConfig): void {
  parseServerUrl(cfg.url);
  const methods: string[] = [];
  if (cfg.credentialsFile !== undefined) methods.push('credentialsFile');
  if (cfg.nkeySeed !== undefined) methods.push('nkeySeed');
  if (cfg.token !== undefined) methods.push('token');
  if (cfg.user !== undefined || cfg.password !== undefined) methods.push('user/password');
  if (methods.length > 1) {
    throw new NatsConfigError('conflicting_auth', `only one NATS auth method may be set, got ${methods.join(', ')}`, methods);
  }
  if ((cfg.user === undefined) !== (cfg.password === undefined)) {
    const missing = cfg.user === undefined ? 'user' : 'password';
    throw new NatsConfigError('incomplete_auth', `NATS user and password must be given together (${missing} is missing)`, [
      'user',
      'password',
    ]);
  }
  if ((cfg.tlsCert === undefined) !== (cfg.tlsKey === undefined)) {
    const missing = cfg.tlsCert === undefined ? 'tlsCert' : 'tlsKey';
    throw new NatsConfigError('incomplete_tls', `tlsCert and tlsKey must be given together (${missing} is missing)`, ['tlsCert', 'tlsKey']);
  }
  if (cfg.name !== undefined && cfg.name.trim() === '') {
    throw new NatsConfigError('bad_option', 'the NATS connection name must not be empty', ['name']);
  }
}

/** The server address of a `nats://` / `tls://` URL, split into what the client needs. */
interface ServerAddress {
  /** `host:port` (port 4222 when absent). */
  hostPort: string;
  /** True for `tls://`. */
  tls: boolean;
}

/** NATS client default port. */
const DEFAULT_PORT = 4222;

/** Parses `nats://host[:port]` or `tls://host[:port]` (a path is not allowed here; see parseNatsTarget). */
export function parseServerUrl(url: string): ServerAddress {
  const m = /^(nats|tls):\/\/([^/\s]+)$/.exec(url);
  if (m === null) {
    throw new NatsConfigError('bad_url', `"${url}" is not a NATS server URL; expected nats://host:port or tls://host:port`, ['url']);
  }
  const authority = m[2] as string;
  if (authority.includes('@')) {
    // Credentials in the URL would end up in logs and process listings; the spec takes them from flags or env.
    throw new NatsConfigError('bad_url', 'credentials in the NATS URL are not accepted; use user/password, token, nkey or creds options', [
      'url',
    ]);
  }
  const hostPort = /:\d+$/.test(authority) ? authority : `${authority}:${DEFAULT_PORT}`;
  return { hostPort, tls: m[1] === 'tls' };
}

/**
 * Splits the daemon's flag form `nats://host:port/<subject>` (also `tls://`): everything after the first `/`
 * following the authority is the subject, verbatim.
 *
 * @example parseNatsTarget('nats://localhost:4222/events.>') // { url: 'nats://localhost:4222', subject: 'events.>' }
 */
export function parseNatsTarget(target: string): { url: string; subject: string } {
  const m = /^((?:nats|tls):\/\/[^/\s]+)\/(.+)$/.exec(target);
  if (m === null) {
    throw new NatsConfigError('bad_url', `"${target}" must look like nats://host:port/<subject>`, ['url']);
  }
  const url = m[1] as string;
  parseServerUrl(url);
  const subject = m[2] as string;
  validateSubject(subject, 'input');
  return { url, subject };
}

/** Where a subject is used: inputs may contain wildcards, everything the process publishes to may not. */
export type SubjectRole = 'input' | 'output' | 'dlq' | 'incident';

/** Rejects malformed subjects, and wildcards outside inputs (a publish subject must be concrete). */
export function validateSubject(subject: string, role: SubjectRole): void {
  const tokens = subject.split('.');
  const bad = subject.length === 0 || /\s/.test(subject) || tokens.some((t) => t.length === 0);
  const misplacedTail = tokens.some(
    (t, i) => (t.includes('>') && (t !== '>' || i !== tokens.length - 1)) || (t.includes('*') && t !== '*'),
  );
  if (bad || misplacedTail) {
    throw new NatsConfigError('bad_subject', `"${subject}" is not a valid NATS ${role} subject`, [subject]);
  }
  if (role !== 'input' && tokens.some((t) => t === '*' || t === '>')) {
    throw new NatsConfigError('bad_subject', `the ${role} subject "${subject}" must be concrete (no * or >)`, [subject]);
  }
}

/**
 * Fills auth settings from `NATS_CREDS`, `NATS_NKEY`, `NATS_TOKEN`, `NATS_USER`, `NATS_PASSWORD` when the flags
 * set no auth method (flags win as a whole, so a flag never combines with a leftover variable), then validates.
 *
 * @example natsConfigFromEnv({ url: 'nats://127.0.0.1:4222' }) // picks up NATS_TOKEN if set
 */
export function natsConfigFromEnv(flags: Partial<NatsConnectConfig>, env: NodeJS.ProcessEnv = process.env): NatsConnectConfig {
  if (flags.url === undefined) throw new NatsConfigError('bad_url', 'a NATS URL is required', ['url']);
  const cfg: NatsConnectConfig = { ...flags, url: flags.url };
  const flagAuth = AUTH_METHODS.some(([key]) => flags[key] !== undefined);
  if (!flagAuth) {
    for (const [key, variable] of AUTH_METHODS) {
      const value = env[variable];
      if (value !== undefined && value !== '') cfg[key] = value;
    }
  }
  try {
    validateNatsConfig(cfg);
  } catch (err) {
    if (flagAuth || !(err instanceof NatsConfigError)) throw err;
    // Name the variables, since that is what the operator has to change.
    const vars = AUTH_METHODS.filter(([, v]) => env[v] !== undefined && env[v] !== '').map(([, v]) => v);
    throw new NatsConfigError(err.code, `${err.message} (from environment: ${vars.join(', ')})`, vars, { cause: err });
  }
  return cfg;
}
