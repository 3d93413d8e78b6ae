import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationResult, EventValue } from '@tsigma/eval';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FanOutSink } from './fan-out-sink.js';
import { FileSink } from './file-sink.js';
import type { Sink } from './io-types.js';
import { StdoutSink } from './stdout-sink.js';
import { PassThrough } from 'node:stream';

const detection = {
  author: null,
  rule_title: 'Whoami',
  rule_id: 'r1',
  level: 'medium',
  tags: [],
  matched_selections: ['selection'],
  matched_fields: [{ field: 'CommandLine', value: 'whoami' }],
} as EvaluationResult;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsigma-file-sink-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a result JSON cannot encode', () => {
  it('makes FileSink and StdoutSink reject (not throw) with `unserializable`, writing nothing of that call', async () => {
    let value: EventValue = 1;
    for (let i = 0; i < 100_000; i++) value = { n: value };
    const deep = { ...detection, rule_title: 'Deep', matched_fields: [{ field: 'n', value }] } as EvaluationResult;
    const path = join(dir, 'out.ndjson');
    const file = new FileSink(path);
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (d: Buffer) => (written += d.toString()));
    for (const sink of [file, new StdoutSink(false, stream)]) {
      const sent = sink.send([detection, deep]);
      expect(sent).toBeInstanceOf(Promise);
      await expect(sent).rejects.toMatchObject({ code: 'unserializable', subject: 'result of rule "Deep" (r1)' });
    }
    await file.close();
    expect(existsSync(path) ? readFileSync(path, 'utf8') : '').toBe('');
    expect(written).toBe('');
  });
});

describe('FileSink', () => {
  it('appends one JSON line per result to an existing file, creating nothing for an empty batch', async () => {
    const path = join(dir, 'out.ndjson');
    writeFileSync(path, 'existing\n');
    const sink = new FileSink(path);
    expect(sink.label).toBe(`file:${path}`);
    await sink.send([detection, detection]);
    await sink.send([]);
    await sink.sendRaw('{"raw":true}');
    expect(readFileSync(path, 'utf8')).toBe(`existing\n${JSON.stringify(detection)}\n${JSON.stringify(detection)}\n{"raw":true}\n`);
    await sink.close();
  });

  it('creates a missing file, and data is readable right after send resolves', async () => {
    const path = join(dir, 'new.ndjson');
    const sink = new FileSink(path);
    await sink.send([detection]);
    expect(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([detection]);
    await sink.close();
  });

  it('fsyncs after every batch only with the every-batch policy', async () => {
    const never = new FileSink(join(dir, 'never.ndjson'));
    const every = new FileSink(join(dir, 'every.ndjson'), { fsync: 'every-batch' });
    for (let i = 0; i < 3; i++) {
      await never.send([detection]);
      await every.send([detection]);
    }
    await every.sendRaw('{}');
    await every.send([]);
    expect(never.syncCount).toBe(0);
    expect(every.syncCount).toBe(4);
    await never.close();
    await every.close();
  });

  it('keeps call order for concurrent sends', async () => {
    const path = join(dir, 'order.ndjson');
    const sink = new FileSink(path);
    await Promise.all(Array.from({ length: 50 }, (_, i) => sink.sendRaw(JSON.stringify({ i }))));
    await sink.close();
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { i: number }).i),
    ).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rejects with the sink label when the file cannot be written', async () => {
    const sink = new FileSink(join(dir, 'no', 'such', 'dir.ndjson'));
    await expect(sink.send([detection])).rejects.toMatchObject({ code: 'io', subject: sink.label });
    await sink.close();
  });
});

describe('StdoutSink', () => {
  it('writes compact or pretty JSON to the given stream', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    await new StdoutSink(false, out).send([detection]);
    await new StdoutSink(true, out).send([detection]);
    await new StdoutSink(false, out).send([]);
    expect(chunks.join('')).toBe(`${JSON.stringify(detection)}\n${JSON.stringify(detection, null, 2)}\n`);
  });
});

describe('FanOutSink', () => {
  it('sends to each child in order and stops at the first failure', async () => {
    const seen: string[] = [];
    const ok = (label: string): Sink => ({
      label,
      send: async () => void seen.push(`${label}:send`),
      sendRaw: async () => void seen.push(`${label}:raw`),
      close: async () => void seen.push(`${label}:close`),
    });
    const broken: Sink = {
      label: 'broken',
      send: () => Promise.reject(new Error('down')),
      sendRaw: () => Promise.reject(new Error('down')),
      close: () => Promise.reject(new Error('close failed')),
    };
    const fan = new FanOutSink([ok('a'), broken, ok('b')]);
    await expect(fan.send([detection])).rejects.toThrow('down');
    await expect(fan.close()).rejects.toThrow('close failed');
    expect(seen).toEqual(['a:send', 'a:close', 'b:close']);
    const good = new FanOutSink([ok('x'), ok('y')]);
    await good.sendRaw('{}');
    expect(seen.slice(-2)).toEqual(['x:raw', 'y:raw']);
  });
});
