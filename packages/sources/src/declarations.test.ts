import { describe, expect, it } from 'vitest';
import { assertUniqueIds, validateSourceDeclarations } from './declarations.js';
import { SourceConfigError } from './errors.js';

const file = { kind: 'file' as const, path: '/etc/tsigma/sources/feeds.yml' };
const pipeline = { kind: 'pipeline' as const, name: 'dyn', file: 'pipelines/dyn.yml' };

function problem(raw: unknown): SourceConfigError {
  try {
    validateSourceDeclarations(raw, file);
  } catch (err) {
    if (err instanceof SourceConfigError) return err;
    throw err;
  }
  throw new Error('expected a SourceConfigError');
}

describe('validateSourceDeclarations', () => {
  it('applies the defaults of spec 09 §1 and resolves relative paths against the declaring file', () => {
    const [s] = validateSourceDeclarations([{ id: 'ips', type: 'file', path: 'ips.json' }], file);
    expect(s).toMatchObject({
      id: 'ips',
      format: 'json',
      refresh: { kind: 'once' },
      required: true,
      onError: 'use_cached',
      timeoutMs: 30_000,
      path: '/etc/tsigma/sources/ips.json',
    });
    expect(s && 'default' in s).toBe(false);
  });

  it('reads every type-specific key', () => {
    const [http, cmd, nats] = validateSourceDeclarations(
      [
        { id: 'h', type: 'http', url: 'https://x.example/feed', body: '{}', headers: { A: 'b' }, max_body_size: 5, refresh: '5m' },
        { id: 'c', type: 'command', command: 'whoami', max_stdout: 7, extract: { type: 'cel', expr: 'data' } },
        { id: 'n', type: 'nats', subject: 'feeds.ips', refresh: 'push' },
      ],
      pipeline,
    );
    expect(http).toMatchObject({ method: 'POST', headers: { A: 'b' }, maxBodySize: 5, refresh: { kind: 'interval', ms: 300_000 } });
    expect(cmd).toMatchObject({ command: ['whoami'], maxStdout: 7, extract: { type: 'cel', expr: 'data' } });
    expect(nats).toMatchObject({ subject: 'feeds.ips', refresh: { kind: 'push' }, timeoutMs: 1000 });
  });

  it.each([
    [{ id: 'a', type: 'file', path: 'x', colour: 1 }, 'colour'],
    [{ id: 'a', type: 'ftp' }, 'type'],
    [{ id: 'a', type: 'file', path: 'x', format: 'xml' }, 'format'],
    [{ id: 'a', type: 'file', path: 'x', extract: { type: 'xpath', expr: '/' } }, 'extract.type'],
    [{ id: 'a', type: 'file', path: 'x', refresh: 'sometimes' }, 'refresh'],
    [{ id: 'a', type: 'file', path: 'x', on_error: 'ignore' }, 'on_error'],
    [{ id: 'a', type: 'http' }, 'url'],
    [{ id: 'a', type: 'file', path: 'x', on_error: 'use_default' }, 'default'],
    [{ id: 'a', type: 'http', url: 'http://x/', refresh: 'watch' }, 'refresh'],
    [{ id: 'a', type: 'file', path: 'x', refresh: 'push' }, 'refresh'],
    [{ id: '1a', type: 'file', path: 'x' }, 'id'],
    [{ id: 'a', type: 'command', command: [] }, 'command'],
  ])('rejects %j naming the file, the source and the key', (entry, key) => {
    const err = problem([entry]);
    expect(err.code).toBe('invalid_declaration');
    expect(err.subject).toBe(`file ${file.path}`);
    expect(err.message).toContain(`(${key})`);
  });

  it('names both sites for a duplicate id (spec 09 §9 test 8)', () => {
    const a = validateSourceDeclarations([{ id: 'ip_blocklist', type: 'file', path: 'a' }], pipeline);
    const b = validateSourceDeclarations([{ id: 'ip_blocklist', type: 'file', path: 'b' }], file);
    expect(() => assertUniqueIds([...a, ...b])).toThrowError(
      "source id 'ip_blocklist' declared in pipeline 'dyn' (pipelines/dyn.yml) and in file /etc/tsigma/sources/feeds.yml",
    );
  });
});
