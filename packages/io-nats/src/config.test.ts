import { describe, expect, it } from 'vitest';
import { natsConfigFromEnv, parseNatsTarget, parseServerUrl, validateNatsConfig, validateSubject } from './config.js';
import { NatsConfigError } from './errors.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof NatsConfigError) return err.code;
    throw err;
  }
  return undefined;
}

const url = 'nats://127.0.0.1:4222';

describe('validateNatsConfig', () => {
  it('accepts one auth method combined with mutual TLS', () => {
    expect(codeOf(() => validateNatsConfig({ url, token: 't', tlsCert: 'c.pem', tlsKey: 'k.pem', tlsCa: 'ca.pem' }))).toBeUndefined();
  });
  it('rejects two auth methods and names both', () => {
    expect(codeOf(() => validateNatsConfig({ url, nkeySeed: 'SU', credentialsFile: 'x.creds' }))).toBe('conflicting_auth');
    try {
      validateNatsConfig({ url, token: 't', user: 'u', password: 'p' });
    } catch (err) {
      expect((err as NatsConfigError).options).toEqual(['token', 'user/password']);
    }
  });
  it('requires user and password together, and cert and key together', () => {
    expect(codeOf(() => validateNatsConfig({ url, user: 'u' }))).toBe('incomplete_auth');
    expect(codeOf(() => validateNatsConfig({ url, password: 'p' }))).toBe('incomplete_auth');
    expect(codeOf(() => validateNatsConfig({ url, tlsCert: 'c.pem' }))).toBe('incomplete_tls');
  });
  it('rejects URLs that are not nats:// or tls://, and credentials inside the URL', () => {
    expect(codeOf(() => validateNatsConfig({ url: 'http://x:4222' }))).toBe('bad_url');
    expect(codeOf(() => validateNatsConfig({ url: 'nats://u:p@x:4222' }))).toBe('bad_url');
  });
});

describe('parseServerUrl / parseNatsTarget', () => {
  it('adds the default port and recognises tls://', () => {
    expect(parseServerUrl('nats://localhost')).toEqual({ hostPort: 'localhost:4222', tls: false });
    expect(parseServerUrl('tls://nats.example:7422')).toEqual({ hostPort: 'nats.example:7422', tls: true });
  });
  it('takes everything after the authority as the subject, verbatim', () => {
    expect(parseNatsTarget('nats://localhost:4222/events.>')).toEqual({ url: 'nats://localhost:4222', subject: 'events.>' });
    expect(parseNatsTarget('tls://h:1/a.*.c')).toEqual({ url: 'tls://h:1', subject: 'a.*.c' });
    expect(codeOf(() => parseNatsTarget('nats://localhost:4222'))).toBe('bad_url');
  });
});

describe('validateSubject', () => {
  it('allows wildcards only on inputs', () => {
    expect(codeOf(() => validateSubject('events.>', 'input'))).toBeUndefined();
    expect(codeOf(() => validateSubject('events.*.x', 'input'))).toBeUndefined();
    expect(codeOf(() => validateSubject('out.>', 'output'))).toBe('bad_subject');
    expect(codeOf(() => validateSubject('dlq.*', 'dlq'))).toBe('bad_subject');
  });
  it('rejects malformed subjects', () => {
    for (const s of ['', 'a..b', 'a.>.b', 'a.b*', 'a b', '.a'])
      expect(
        codeOf(() => validateSubject(s, 'input')),
        s,
      ).toBe('bad_subject');
  });
});

describe('natsConfigFromEnv', () => {
  it('takes auth from the environment when the flags set none', () => {
    expect(natsConfigFromEnv({ url }, { NATS_USER: 'u', NATS_PASSWORD: 'p' })).toEqual({ url, user: 'u', password: 'p' });
  });
  it('lets flags win as a whole over environment auth', () => {
    expect(natsConfigFromEnv({ url, token: 'flag' }, { NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_NKEY: 'SU' })).toEqual({
      url,
      token: 'flag',
    });
  });
  it('names the variables when the environment combination is invalid', () => {
    try {
      natsConfigFromEnv({ url }, { NATS_TOKEN: 't', NATS_CREDS: '/x.creds' });
      expect.unreachable();
    } catch (err) {
      expect((err as NatsConfigError).code).toBe('conflicting_auth');
      expect((err as NatsConfigError).options).toEqual(['NATS_CREDS', 'NATS_TOKEN']);
    }
  });
  it('requires a URL', () => {
    expect(codeOf(() => natsConfigFromEnv({}, {}))).toBe('bad_url');
  });
});
