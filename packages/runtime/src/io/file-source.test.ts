import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSource } from './file-source.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsigma-file-source-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function next(src: FileSource): Promise<string | undefined> {
  return (await src.recv())?.payload;
}

describe('FileSource', () => {
  it('reads every non-blank line, then null without follow', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'one\n\ntwo\r\nthree');
    const src = new FileSource(path);
    expect(await next(src)).toBe('one');
    const two = await src.recv();
    expect(two?.payload).toBe('two');
    expect(two?.origin).toBe(`${path}:3`);
    expect(await next(src)).toBe('three');
    expect(await src.recv()).toBeNull();
    await src.close();
  });

  it('drops a byte-order mark before the first line, which would hide the first record from every decoder', async () => {
    const path = join(dir, 'bom.ndjson');
    writeFileSync(path, '\uFEFF{"n":1}\n{"n":2}\n');
    const src = new FileSource(path);
    expect(await next(src)).toBe('{"n":1}');
    expect(await next(src)).toBe('{"n":2}');
    await src.close();
  });

  it('rejects naming the path when the file is missing and not followed', async () => {
    const path = join(dir, 'missing.log');
    await expect(new FileSource(path).recv()).rejects.toMatchObject({ code: 'io', subject: path });
  });

  it('follows appended lines, including a line completed by a later write', async () => {
    const path = join(dir, 'f.log');
    writeFileSync(path, 'first\n');
    const src = new FileSource(path, { follow: true, pollIntervalMs: 5 });
    expect(await next(src)).toBe('first');
    const pending = next(src);
    appendFileSync(path, 'sec');
    appendFileSync(path, 'ond\nthird\n');
    expect(await pending).toBe('second');
    expect(await next(src)).toBe('third');
    await src.close();
  });

  it('follows a rotation by rename + recreate, finishing the old file first', async () => {
    const path = join(dir, 'r.log');
    writeFileSync(path, 'old-1\n');
    const src = new FileSource(path, { follow: true, pollIntervalMs: 5 });
    expect(await next(src)).toBe('old-1');
    appendFileSync(path, 'old-2\n');
    renameSync(path, join(dir, 'r.log.1'));
    const pending = next(src);
    writeFileSync(path, 'new-1\nnew-2\n');
    expect(await pending).toBe('old-2');
    expect(await next(src)).toBe('new-1');
    expect(await next(src)).toBe('new-2');
    await src.close();
  });

  it('waits while the path is missing between rename and recreate', async () => {
    const path = join(dir, 'gap.log');
    writeFileSync(path, 'a\n');
    const src = new FileSource(path, { follow: true, pollIntervalMs: 5 });
    expect(await next(src)).toBe('a');
    renameSync(path, join(dir, 'gap.log.1'));
    const pending = next(src);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    writeFileSync(path, 'b\n');
    expect(await pending).toBe('b');
    await src.close();
  });

  it('starts over after an in-place truncation', async () => {
    const path = join(dir, 't.log');
    writeFileSync(path, 'long line number one\n');
    const src = new FileSource(path, { follow: true, pollIntervalMs: 5 });
    expect(await next(src)).toBe('long line number one');
    truncateSync(path, 0);
    const pending = next(src);
    appendFileSync(path, 'x\n');
    expect(await pending).toBe('x');
    await src.close();
  });

  it('waits for a file that does not exist yet, and can start at the end', async () => {
    const path = join(dir, 'later.log');
    const src = new FileSource(path, { follow: true, pollIntervalMs: 5 });
    const pending = next(src);
    writeFileSync(path, 'appeared\n');
    expect(await pending).toBe('appeared');
    await src.close();

    const tail = new FileSource(path, { follow: true, fromEnd: true, pollIntervalMs: 5 });
    await tail.open();
    const fresh = next(tail);
    appendFileSync(path, 'fresh\n');
    expect(await fresh).toBe('fresh');
    await tail.close();
  });

  it('close() resolves a pending recv with null', async () => {
    const path = join(dir, 'c.log');
    writeFileSync(path, '');
    const src = new FileSource(path, { follow: true, pollIntervalMs: 1000 });
    const pending = src.recv();
    await new Promise((r) => setTimeout(r, 5));
    await src.close();
    expect(await pending).toBeNull();
  });
});
