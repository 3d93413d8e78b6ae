// The built `tsigma` on inputs that outgrow the call stack: lists spread into a call, nesting (issue 12). Each command
// runs in a fresh process, where some overflows surface differently than in a test worker.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tsigmaInProcess } from './in-process.js';

const BIN = resolve(import.meta.dirname, '../dist/main.js');
const scratch = mkdtempSync(join(tmpdir(), 'tsigma-cli-large-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('tsigma on large inputs', () => {
  it('fields lists 130,000 fields of 10,000 rule documents in one file', () => {
    const perRule = 13;
    const docs: string[] = [];
    for (let d = 0; d < 10_000; d++) {
      const items = Array.from({ length: perRule }, (_, j) => `    F${d * perRule + j}: x\n`).join('');
      docs.push(`title: R${d}\nlogsource:\n  product: windows\ndetection:\n  sel:\n${items}  condition: sel\n`);
    }
    const file = join(scratch, 'rules.yml');
    writeFileSync(file, docs.join('---\n'));
    const r = spawnSync(process.execPath, [BIN, 'fields', '-r', file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(130_001);
    expect(lines[0]).toMatch(/^FIELD +RULES +SOURCES$/);
    expect(lines[130_000]).toMatch(/^F99999 +1 +detection$/);
  }, 60_000);

  it('parse reports a rule nesting flow collections 5,000 deep as a YAML error, without a stack trace', () => {
    // `parse` reads nothing else first, so the library meets this input with its regexes not yet compiled.
    const file = join(scratch, 'deep.yml');
    writeFileSync(
      file,
      `title: Deep\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a: ${'{a: '.repeat(5000)}x${'}'.repeat(5000)}\n  condition: sel\n`,
    );
    const r = spawnSync(process.execPath, [BIN, 'parse', file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toContain(`${file}:1:1: error[yaml_syntax]: YAML nests too deeply to be read`);
    expect(r.stderr).not.toMatch(/internal error|^ {4}at /m);
    expect(r.status).toBe(0);
  }, 60_000);
});

describe('numbers beyond a double (issue 12)', () => {
  it('an integer past 2^53 matches only its own rule value and prints with every digit; 1e400 is not null', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-bignum-'));
    try {
      writeFileSync(
        join(dir, 'big.yml'),
        'title: Big id\nid: big\nlogsource: {product: test}\ndetection:\n  sel:\n    Id: 9007199254740992\n  condition: sel\n',
      );
      const neighbour = await tsigmaInProcess(['eval', '-r', dir, '-e', '{"Id": 9007199254740993}', '--output-format', 'ndjson']);
      expect(neighbour.stdout).toBe('');
      const same = await tsigmaInProcess([
        'eval',
        '-r',
        dir,
        '-e',
        '{"Id": 9007199254740992, "x": 1e400}',
        '--include-event',
        '--output-format',
        'ndjson',
      ]);
      expect(JSON.parse(same.stdout)).toMatchObject({ rule_id: 'big', event: { Id: '9007199254740992', x: '1e400' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
