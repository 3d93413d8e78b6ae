import { describe, expect, it } from 'vitest';
import { parseLogfmt } from './logfmt.js';
import { ParseFailure } from './parse-failure.js';

describe('parseLogfmt', () => {
  it('parses a Heroku router line', () => {
    const line =
      'at=info method=GET path="/" host=myapp.herokuapp.com request_id=c8a87e05-3e11-4d8a-8e3e-1b2f8c7d9a10 ' +
      'fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=200 bytes=13 protocol=https';
    expect(parseLogfmt(line)).toEqual({
      at: 'info',
      method: 'GET',
      path: '/',
      host: 'myapp.herokuapp.com',
      request_id: 'c8a87e05-3e11-4d8a-8e3e-1b2f8c7d9a10',
      fwd: '204.204.204.204',
      dyno: 'web.1',
      connect: '1ms',
      service: '18ms',
      status: '200',
      bytes: '13',
      protocol: 'https',
    });
  });

  it('parses a Heroku error line with a quoted description', () => {
    const event = parseLogfmt(
      'at=error code=H12 desc="Request timeout" method=GET path="/slow" dyno=web.2 connect=0ms service=30000ms status=503',
    );
    expect(event).toMatchObject({ at: 'error', code: 'H12', desc: 'Request timeout', status: '503' });
  });

  it('parses a Grafana Loki / Prometheus-style line with dotted and tab-separated keys', () => {
    const event = parseLogfmt('level=info ts=2024-01-15T10:30:00.123Z caller=main.go:42\tmsg="Starting Loki" version=2.9.0 trace.id=abc');
    expect(event).toEqual({
      level: 'info',
      ts: '2024-01-15T10:30:00.123Z',
      caller: 'main.go:42',
      msg: 'Starting Loki',
      version: '2.9.0',
      'trace.id': 'abc',
    });
    expect(Object.keys(event)).toEqual(['level', 'ts', 'caller', 'msg', 'version', 'trace.id']);
  });

  it('unescapes \\" and \\\\ in quoted values and keeps other backslashes', () => {
    expect(parseLogfmt('msg="say \\"hi\\" from C:\\\\temp\\n now"')).toEqual({ msg: 'say "hi" from C:\\temp\\n now' });
  });

  it('gives an unterminated quote the rest of the line', () => {
    expect(parseLogfmt('a=1 msg="unterminated value b=2')).toEqual({ a: '1', msg: 'unterminated value b=2' });
  });

  it('handles empty values, bare keys and tokens that start with =', () => {
    expect(parseLogfmt('empty= flag =orphan k="" x=1')).toEqual({ empty: '', flag: 'true', k: '', x: '1' });
  });

  it('keeps the first occurrence of a repeated key', () => {
    expect(parseLogfmt('user=alice user=bob')).toEqual({ user: 'alice' });
  });

  it('keeps = inside unquoted values', () => {
    expect(parseLogfmt('query=a=b&c=d')).toEqual({ query: 'a=b&c=d' });
  });

  it('starts a new token right after a closing quote', () => {
    expect(parseLogfmt('a="x"y b=2')).toEqual({ a: 'x', y: 'true', b: '2' });
  });

  it('does not let __proto__ change the prototype', () => {
    const event = parseLogfmt('__proto__=x a=1') as Record<string, string>;
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.keys(event)).toEqual(['__proto__', 'a']);
    expect(event['__proto__']).toBe('x');
  });

  it('fails on a line without any pair', () => {
    for (const line of ['', '   \t ', '=a =b']) {
      const result = parseLogfmt(line);
      expect(result).toBeInstanceOf(ParseFailure);
      expect((result as ParseFailure).code).toBe('logfmt_no_pairs');
    }
  });
});
