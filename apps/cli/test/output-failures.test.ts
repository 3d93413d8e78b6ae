// Input a user can get wrong, and output that cannot be written, end every command with its documented exit code
// and one line on stderr: never Node's exit 1 or 13, never a stack trace. The built binary runs as a child process.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsigmaInProcess } from './in-process.js';

const BIN = resolve(import.meta.dirname, '../dist/main.js');
const FIX = resolve(import.meta.dirname, 'fixtures');

/** Runs the binary with stdout (or stderr) on /dev/full, where every write fails with ENOSPC. */
function toFullDisk(args: string[], stream: 'stdout' | 'stderr' = 'stdout') {
  const full = openSync('/dev/full', 'w');
  try {
    const stdio = stream === 'stdout' ? (['ignore', full, 'pipe'] as const) : (['ignore', 'pipe', full] as const);
    return spawnSync(process.execPath, [BIN, ...args], { stdio: [...stdio], encoding: 'utf8', timeout: 60_000 });
  } finally {
    closeSync(full);
  }
}

describe('output that cannot be written', () => {
  const whoami = join(FIX, 'rules-whoami');
  const cases: [string, string[]][] = [
    ['eval json', ['eval', '-r', whoami, '-e', '{"CommandLine":"whoami"}', '--output-format', 'json']],
    ['eval table', ['eval', '-r', whoami, '-e', '{"CommandLine":"whoami"}', '--output-format', 'table']],
    ['validate', ['validate', whoami]],
    ['parse', ['parse', join(whoami, 'whoami.yml')]],
    ['explain', ['explain', '-r', whoami, '-e', '{"CommandLine":"whoami"}']],
    ['fields', ['fields', '-r', whoami]],
    ['evtx dump', ['evtx', 'dump', join(FIX, 'evtx/new-user-security.evtx')]],
  ];
  it.each(cases)('%s on a full disk exits 4 with one line', (_name, args) => {
    const r = toFullDisk(args);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^tsigma: cannot write output: ENOSPC: no space left on device, write\n$/);
  });

  it('a stderr that cannot be written ends eval with exit 4 too, after the results were written', () => {
    const r = toFullDisk(['eval', '-r', whoami, '-e', '{"CommandLine":"whoami"}'], 'stderr');
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('"rule_title":"Detect Whoami Execution"');
  });
});

describe('inputs that fail part-way', () => {
  it('a missing second input exits 2 naming it, after the first input was evaluated and written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-inputs-'));
    const first = join(dir, 'first.ndjson');
    // Several batches, so the missing file is met while results of the first are still being delivered.
    writeFileSync(first, Array.from({ length: 3000 }, (_, i) => JSON.stringify({ CommandLine: `whoami ${i}` })).join('\n'));
    const missing = join(dir, 'missing.ndjson');
    const r = spawnSync(process.execPath, [BIN, 'eval', '-r', join(FIX, 'rules-whoami'), '-i', first, '-i', missing], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tsigma: ${missing}: cannot read input (ENOENT)\n`);
    expect(r.stdout.trim().split('\n')).toHaveLength(3000);
  });
});

describe('values nested too deeply for JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsigma-deep-'));
  writeFileSync(
    join(dir, 'deep.yml'),
    'title: Deep\nlogsource: {product: test}\ndetection:\n  sel:\n    n|contains: zzz\n  condition: sel\nlevel: low\n',
  );
  // explain reads its one event itself, so this does not depend on what the event inputs accept.
  const event = `{"n":${'{"n":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;

  it('explain shows a deep actual value cut, in the human view', async () => {
    const r = await tsigmaInProcess(['explain', '-r', join(dir, 'deep.yml'), '-e', event]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FAIL n\|contains "zzz" {2}actual=\{"n":\{"n":[^\n]{900,1000}… \(value mismatch\)\n/);
  });

  it('explain as JSON refuses the event with the usage exit code and says why', async () => {
    const r = await tsigmaInProcess(['explain', '-r', join(dir, 'deep.yml'), '-e', event, '--output-format', 'json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^tsigma: event: nested too deeply to print its explanation as JSON \(.+\)\n$/);
  });
});
