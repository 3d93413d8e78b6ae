import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RuntimeError } from '../errors.js';
import { openEventInputs } from './event-inputs.js';
import { expandInputDirectories } from './input-directories.js';

const dir = mkdtempSync(join(tmpdir(), 'tsigma-dir-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('expandInputDirectories', () => {
  it('replaces a directory by its event files, recursive and sorted, skipping hidden entries and other files', async () => {
    mkdirSync(join(dir, 'logs/z'), { recursive: true });
    mkdirSync(join(dir, 'logs/.git'));
    for (const f of ['z/b.JSON', 'a.ndjson', 'c.jsonl', 'd.log', 'e.evtx', 'hive.dat', '.hidden.json', '.git/x.json']) {
      writeFileSync(join(dir, 'logs', f), '{"a": 1}\n');
    }
    const inline = { kind: 'inline', text: '{}' } as const;
    const out = await expandInputDirectories([inline, { kind: 'file', path: join(dir, 'logs') }, { kind: 'file', path: 'missing.json' }]);
    expect(out).toEqual([
      inline,
      ...['a.ndjson', 'c.jsonl', 'd.log', 'e.evtx', 'z/b.JSON'].map((f) => ({ kind: 'file', path: join(dir, 'logs', f), optional: true })),
      { kind: 'file', path: 'missing.json' },
    ]);
  });

  it('names a directory without event files', async () => {
    mkdirSync(join(dir, 'empty'));
    const error = await expandInputDirectories([{ kind: 'file', path: join(dir, 'empty') }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).message).toBe(
      `${join(dir, 'empty')}: no event files (.evtx, .json, .ndjson, .jsonl, .log) under this directory`,
    );
  });

  it('an optional input that cannot be opened is reported and skipped; a named one still fails the read', async () => {
    writeFileSync(join(dir, 'ok.ndjson'), '{"n": 1}\n');
    const warnings: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (m: string, f?: object) => warnings.push(`${JSON.stringify(f)} ${m}`),
      error: () => undefined,
    };
    const source = openEventInputs(
      [
        { kind: 'file', path: join(dir, 'broken.evtx'), optional: true },
        { kind: 'file', path: join(dir, 'ok.ndjson'), optional: true },
      ],
      { logger },
    );
    expect((await source.recv())?.payload).toBe('{"n": 1}');
    expect(warnings).toEqual([expect.stringMatching(/"code":"unreadable_input".* cannot read input \(ENOENT\)/)]);
    const strict = openEventInputs([{ kind: 'file', path: join(dir, 'broken.evtx') }]);
    await expect(strict.recv()).rejects.toThrow(/broken\.evtx: cannot read input \(ENOENT\)/);
  });
});
