// Command sources as real child processes and file sources on real files with a real watcher (spec 09 §9 tests 1, 4).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultSourceResolver, RefreshScheduler, type SourceUpdate } from '../../src/index.js';
import { declare, rejection } from '../helpers/sources.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsigma-sources-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const node = process.execPath;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('command sources', () => {
  it('[node, -e, print [1,2]] → [1,2], run without a shell', async () => {
    const src = declare({ id: 'cmd', type: 'command', command: [node, '-e', 'console.log(JSON.stringify([1,2]))'] });
    expect((await new DefaultSourceResolver().resolve(src)).data).toEqual([1, 2]);
    // A shell would expand this; argv passes it through as one literal argument.
    const literal = declare({
      id: 'lit',
      type: 'command',
      format: 'lines',
      command: [node, '-e', 'console.log(process.argv[1])', '$(echo pwned); `id`'],
    });
    expect((await new DefaultSourceResolver().resolve(literal)).data).toEqual(['$(echo pwned); `id`']);
  });

  it('exit 2 with stderr "bad" → fetch error with the code and stderr', async () => {
    const src = declare({
      id: 'exits',
      type: 'command',
      on_error: 'fail',
      command: [node, '-e', 'process.stderr.write("bad"); process.exit(2)'],
    });
    const err = await rejection(new DefaultSourceResolver().resolve(src));
    expect(err).toMatchObject({ kind: 'fetch', sourceId: 'exits' });
    expect(err.message).toContain('exited with code 2');
    expect(err.message).toContain('bad');
  });

  it('a child that sleeps past timeout: 200ms → timeout, and the child is gone', async () => {
    const pidFile = join(dir, 'sleeper.pid');
    const script = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000)`;
    const src = declare({ id: 'sleeper', type: 'command', on_error: 'fail', timeout: '200ms', command: [node, '-e', script] });
    const err = await rejection(new DefaultSourceResolver().resolve(src));
    expect(err).toMatchObject({ kind: 'timeout', sourceId: 'sleeper' });
    const { readFile } = await import('node:fs/promises');
    expect(isAlive(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('stdout past max_stdout → resource_limit; a missing binary → fetch', async () => {
    const big = declare({
      id: 'chatty',
      type: 'command',
      on_error: 'fail',
      max_stdout: 1000,
      command: [node, '-e', 'process.stdout.write("x".repeat(100000))'],
    });
    expect(await rejection(new DefaultSourceResolver().resolve(big))).toMatchObject({ kind: 'resource_limit', sourceId: 'chatty' });
    const missing = declare({ id: 'nobin', type: 'command', on_error: 'fail', command: ['/nonexistent/tsigma-feed'] });
    expect(await rejection(new DefaultSourceResolver().resolve(missing))).toMatchObject({ kind: 'fetch', sourceId: 'nobin' });
  });

  it('malformed CSV from a command is a parse error naming the line', async () => {
    const src = declare({
      id: 'owners',
      type: 'command',
      format: 'csv',
      on_error: 'fail',
      command: [node, '-e', 'process.stdout.write("ip,owner\\n10.0.0.1,a\\n10.0.0.2")'],
    });
    const err = await rejection(new DefaultSourceResolver().resolve(src));
    expect(err).toMatchObject({ kind: 'parse', sourceId: 'owners' });
    expect(err.message).toContain('line 3');
  });
});

describe('file sources', () => {
  it('json + extract .ips → the array; an unreadable file is a fetch error naming the path', async () => {
    const path = join(dir, 'feed.json');
    await writeFile(path, JSON.stringify({ ips: ['10.0.0.1'] }));
    const src = declare({ id: 'f', type: 'file', path: 'feed.json', extract: '.ips' }, dir);
    expect((await new DefaultSourceResolver().resolve(src)).data).toEqual(['10.0.0.1']);
    const gone = declare({ id: 'g', type: 'file', path: 'missing.json', on_error: 'fail' }, dir);
    const err = await rejection(new DefaultSourceResolver().resolve(gone));
    expect(err).toMatchObject({ kind: 'fetch', sourceId: 'g' });
    expect(err.message).toContain(join(dir, 'missing.json'));
  });

  it('an optional source that failed at start-up is retried once after start(), a required one is not', async () => {
    const late = declare({ id: 'late', type: 'file', path: 'late.json', required: false }, dir);
    const strict = declare({ id: 'strict', type: 'file', path: 'strict.json', required: true }, dir);
    const resolver = new DefaultSourceResolver();
    for (const src of [late, strict]) await rejection(resolver.resolve(src));
    // The feeds come up after the daemon did.
    await writeFile(join(dir, 'late.json'), JSON.stringify(['up']));
    await writeFile(join(dir, 'strict.json'), JSON.stringify(['up']));
    const scheduler = new RefreshScheduler([late, strict], resolver, { retryFailedOptionalMs: 50 });
    const updates: SourceUpdate[] = [];
    scheduler.onUpdate((u) => updates.push(u));
    scheduler.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await scheduler.idle();
      expect(updates).toEqual([{ id: 'late', value: ['up'], changed: true }]);
      expect(scheduler.status().map((s) => [s.source_id, s.status])).toEqual([
        ['late', 'resolved'],
        ['strict', 'failed'],
      ]);
    } finally {
      await scheduler.stop();
    }
  });

  it('refresh: watch → an update with changed: true after a rewrite, changed: false for identical content', async () => {
    const path = join(dir, 'watched.json');
    await writeFile(path, JSON.stringify({ ips: ['a'] }));
    const src = declare({ id: 'w', type: 'file', path: 'watched.json', extract: '.ips', refresh: 'watch' }, dir);
    const resolver = new DefaultSourceResolver();
    await resolver.resolve(src);
    const scheduler = new RefreshScheduler([src], resolver);
    const updates: SourceUpdate[] = [];
    const next = (): Promise<SourceUpdate> =>
      new Promise((resolve) => {
        const off = scheduler.onUpdate((u) => {
          updates.push(u);
          off();
          resolve(u);
        });
      });
    scheduler.start();
    try {
      const changed = next();
      const started = Date.now();
      await writeFile(path, JSON.stringify({ ips: ['a', 'b'] }));
      expect(await changed).toEqual({ id: 'w', value: ['a', 'b'], changed: true });
      expect(Date.now() - started).toBeLessThan(1000);
      await scheduler.idle();

      const same = next();
      await writeFile(path, JSON.stringify({ ips: ['a', 'b'] }));
      expect(await same).toEqual({ id: 'w', value: ['a', 'b'], changed: false });
      expect(scheduler.values().get('w')).toEqual(['a', 'b']);
      expect(scheduler.status()[0]).toMatchObject({ source_id: 'w', status: 'resolved', refresh: 'watch' });
    } finally {
      await scheduler.stop();
    }
  });

  it('trigger: single and all, already_pending while resolving, unknown_source', async () => {
    const slow = declare({
      id: 'slow',
      type: 'command',
      command: [node, '-e', 'setTimeout(() => console.log("[1]"), 300)'],
      refresh: 'on_demand',
    });
    const resolver = new DefaultSourceResolver();
    const scheduler = new RefreshScheduler([slow], resolver);
    expect(scheduler.trigger({ kind: 'single', id: 'slow' })).toBe('started');
    expect(scheduler.trigger({ kind: 'single', id: 'slow' })).toBe('already_pending');
    expect(scheduler.trigger({ kind: 'all' })).toBe('already_pending');
    expect(scheduler.trigger({ kind: 'single', id: 'nope' })).toBe('unknown_source');
    await scheduler.idle();
    expect(scheduler.values().get('slow')).toEqual([1]);
    await scheduler.stop();
  });

  it('an interval below 1 s is clamped with a warning naming the source; failed refreshes keep the last good value', async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (m: string, f?: Record<string, unknown>) => warnings.push(`${String(f?.['source_id'])}: ${m}`),
      error() {},
    };
    const path = join(dir, 'flaky.json');
    await writeFile(path, '["good"]');
    const src = declare({ id: 'fast', type: 'file', path: 'flaky.json', refresh: '100ms', on_error: 'fail' }, dir);
    const resolver = new DefaultSourceResolver();
    await resolver.resolve(src);
    const scheduler = new RefreshScheduler([src], resolver, { logger });
    scheduler.start();
    expect(warnings).toEqual(['fast: refresh interval of 100 ms is below the minimum; using 1000 ms']);
    await writeFile(path, '["good"');
    expect(scheduler.trigger({ kind: 'single', id: 'fast' })).toBe('started');
    await scheduler.idle();
    expect(scheduler.values().get('fast')).toEqual(['good']);
    expect(scheduler.status()[0]).toMatchObject({
      status: 'failed',
      last_error: expect.stringMatching(/^parse: source 'fast'/) as unknown,
    });
    expect(warnings.at(-1)).toMatch(/^fast: refresh failed: .*keeping the last good value/);
    await scheduler.stop();
  });
});
