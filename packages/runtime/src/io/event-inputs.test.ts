import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@tsigma/eval';
import { fixture } from '../../test/helpers.js';
import { RuntimeError } from '../errors.js';
import { openEventInputs, type EventInput, type InputInfo } from './event-inputs.js';
import type { RawEvent } from './io-types.js';

const dir = mkdtempSync(join(tmpdir(), 'tsigma-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): EventInput {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { kind: 'file', path };
}

function stream(text: string | Buffer, chunkSize = 7): EventInput {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return { kind: 'stream', stream: Readable.from(chunks), name: 'stdin' };
}

async function drain(inputs: EventInput[], seen: InputInfo[] = []): Promise<RawEvent[]> {
  const source = openEventInputs(inputs, { onInput: (i) => seen.push(i) });
  const out: RawEvent[] = [];
  for (let batch = await source.recvMany!(3); batch !== null; batch = await source.recvMany!(3)) out.push(...batch);
  return out;
}

describe('openEventInputs', () => {
  it('reads NDJSON lines with <name>:<line> origins, counting blank lines, and a BOM does not hide the first record', async () => {
    const events = await drain([stream('\uFEFF{"n":1}\n\n{"n":2}\r\n{"n":3}')]);
    expect(events.map((e) => [e.payload, e.origin])).toEqual([
      ['{"n":1}', 'stdin:1'],
      ['{"n":2}', 'stdin:3'],
      ['{"n":3}', 'stdin:4'],
    ]);
  });

  it('reads a JSON array and pretty-printed objects as documents, a broken one as a failure at its line', async () => {
    const seen: InputInfo[] = [];
    const events = await drain([stream('[{"a":1},\n {"b":2}]\n'), file('pretty.log', '{\n  "c": 3\n}\n{\n  "d": \n}\n{"e":5}\n')], seen);
    expect(seen.map((s) => s.kind)).toEqual(['json-documents', 'json-documents']);
    expect(events.filter((e) => e.failure === undefined).map((e) => JSON.parse(e.payload) as object)).toEqual([
      { a: 1 },
      { b: 2 },
      { c: 3 },
      { e: 5 },
    ]);
    const broken = events.find((e) => e.failure !== undefined);
    expect(broken?.origin).toBe(join(dir, 'pretty.log') + ':4');
    expect(events.every((e) => e.format?.kind === 'json')).toBe(true);
  });

  it('reads .json files as documents whatever their first line looks like', async () => {
    const seen: InputInfo[] = [];
    const events = await drain([file('one.json', '{"a":1}\n{"b":2}\n')], seen);
    expect(seen[0]?.kind).toBe('json-documents');
    expect(events).toHaveLength(2);
  });

  it('keeps other text as lines for the configured format', async () => {
    const seen: InputInfo[] = [];
    const events = await drain([stream('<34>Oct 11 22:14:15 host su: test\nplain text\n')], seen);
    expect(seen[0]?.kind).toBe('lines');
    expect(events.map((e) => e.payload)).toEqual(['<34>Oct 11 22:14:15 host su: test', 'plain text']);
  });

  it('decides on a 3 MB first line without a newline by reading it once', async () => {
    const long = `{"CommandLine":"${'x'.repeat(3 << 20)}"}`;
    const events = await drain([stream(long, 64 * 1024)]);
    expect(events).toHaveLength(1);
  });

  it('reads a one-line JSON array of 100,000 events (about 5 MB) as documents', async () => {
    const array = JSON.stringify(Array.from({ length: 100_000 }, (_, n) => ({ CommandLine: `cmd /c dir ${n}`, n })));
    const seen: InputInfo[] = [];
    const events = await drain([stream(array, 64 * 1024)], seen);
    expect(seen[0]?.kind).toBe('json-documents');
    expect(events).toHaveLength(100_000);
    expect(JSON.parse((events[99_999] as RawEvent).payload)).toEqual({ CommandLine: 'cmd /c dir 99999', n: 99_999 });
  });

  it('reads EVTX files by extension or magic: decoded records, payload only on demand', async () => {
    const copy = join(dir, 'security-log.bin');
    writeFileSync(copy, (await import('node:fs')).readFileSync(fixture('evtx', 'new-user-security.evtx')));
    const seen: InputInfo[] = [];
    const events = await drain(
      [
        { kind: 'file', path: fixture('evtx', 'new-user-security.evtx') },
        { kind: 'file', path: copy },
      ],
      seen,
    );
    expect(seen.map((s) => s.kind)).toEqual(['evtx', 'evtx']);
    expect(events.length).toBeGreaterThan(1);
    expect(events.length % 2).toBe(0);
    const first = events[0] as RawEvent;
    expect(first.value).toHaveProperty('Event.System');
    expect(first.origin).toMatch(/new-user-security\.evtx#\d+$/);
    expect(JSON.parse(first.payload)).toEqual(first.value);
    expect(seen[0]?.progress().totalBytes).toBeGreaterThan(0);
  });

  it('gives inline events the json format, in command-line order with the other inputs', async () => {
    const events = await drain([{ kind: 'inline', text: '{"x":1}' }, stream('{"y":2}\n'), { kind: 'inline', text: '{"z":3}' }]);
    expect(events.map((e) => [e.payload, e.format?.kind ?? 'configured'])).toEqual([
      ['{"x":1}', 'json'],
      ['{"y":2}', 'configured'],
      ['{"z":3}', 'json'],
    ]);
  });

  it('reads the inputs before a missing file, then fails naming it', async () => {
    const source = openEventInputs([stream('{"a":1}\n'), { kind: 'file', path: join(dir, 'missing.ndjson') }], { logger: silentLogger });
    expect((await source.recv())?.payload).toBe('{"a":1}');
    const failure = await source.recv().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RuntimeError);
    expect(failure).toMatchObject({ code: 'io', subject: join(dir, 'missing.ndjson') });
  });

  it('refuses a directory with a clear error instead of reading it', async () => {
    const failure = await openEventInputs([{ kind: 'file', path: dir }])
      .recv()
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'io', subject: dir });
    expect(String((failure as Error).message)).toContain('is a directory');
  });

  it('stops at close() while waiting for input', async () => {
    const pending = new PassThrough();
    const source = openEventInputs([{ kind: 'stream', stream: pending, name: 'stdin' }]);
    pending.write('{"a":1}\n');
    expect((await source.recv())?.payload).toBe('{"a":1}');
    const waiting = source.recv();
    await source.close();
    expect(await waiting).toBeNull();
  });
});
