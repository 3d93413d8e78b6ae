import { describe, expect, it } from 'vitest';
import { SourceError } from './errors.js';
import { decodeUtf8, parseSourceText } from './format.js';

function failure(fn: () => unknown): SourceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SourceError) return err;
    throw err;
  }
  throw new Error('expected a SourceError');
}

describe('parseSourceText (spec 09 §2, §9 test 2)', () => {
  it('csv: rows become objects keyed by the header; a short row is a parse error naming its line', () => {
    expect(parseSourceText('\uFEFFip,owner\n10.0.0.1,a\n"10.0.0.2","b, c"\n', 'csv', 'owners')).toEqual([
      { ip: '10.0.0.1', owner: 'a' },
      { ip: '10.0.0.2', owner: 'b, c' },
    ]);
    const err = failure(() => parseSourceText('ip,owner\n10.0.0.1,a\n10.0.0.2', 'csv', 'owners'));
    expect(err.kind).toBe('parse');
    expect(err.sourceId).toBe('owners');
    expect(err.message).toContain('line 3');
    expect(parseSourceText('', 'csv', 'owners')).toEqual([]);
  });

  it('lines: CRLF and blank lines give trimmed, non-empty strings', () => {
    expect(parseSourceText('a\r\n\r\n  b  \r\n\nc', 'lines', 'l')).toEqual(['a', 'b', 'c']);
  });

  it('yaml: one document is its value, several an array', () => {
    expect(parseSourceText('a: 1\n', 'yaml', 'y')).toEqual({ a: 1 });
    expect(parseSourceText('a: 1\n---\n- x\n', 'yaml', 'y')).toEqual([{ a: 1 }, ['x']]);
    expect(failure(() => parseSourceText('a: [1\n', 'yaml', 'y')).kind).toBe('parse');
  });

  it('json: malformed text is a parse error naming the source', () => {
    const err = failure(() => parseSourceText('{"ips": [', 'json', 'feed'));
    expect(err).toMatchObject({ kind: 'parse', sourceId: 'feed' });
    expect(err.message).toMatch(/^source 'feed': invalid JSON/);
  });

  it('invalid UTF-8 is a parse error', () => {
    expect(failure(() => decodeUtf8(Uint8Array.of(0x5b, 0xff, 0x5d), 'bin')).kind).toBe('parse');
  });
});
