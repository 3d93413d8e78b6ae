// The built `tsigma` on inputs that outgrow the call stack: lists spread into a call, nesting (issue 12). Each command
// runs in a fresh process, where some overflows surface differently than in a test worker.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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
