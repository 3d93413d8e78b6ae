// A rules path with nothing to run is a rule error (exit 2) naming the path, never a silent success: evaluating
// zero rules reads like "no findings".
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsigmaInProcess as tsigma } from './in-process.js';

const FIX = resolve(import.meta.dirname, 'fixtures');

function dirWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsigma-no-rules-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('a rules path without rules', () => {
  it('eval on an empty directory exits 2 naming it', async () => {
    const empty = dirWith({ 'notes.txt': 'not a rule file' });
    const r = await tsigma(['eval', '-r', empty, '-e', '{"CommandLine":"whoami"}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tsigma: ${empty}: no rule files (*.yml, *.yaml) found\n`);
    expect(r.stdout).toBe('');
  });

  it('eval on files that hold no usable rule (not Sigma, binary junk, empty) exits 2 after listing the problems', async () => {
    const junk = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 97 + 13) % 256));
    const dir = dirWith({ 'config.yml': 'hello: world\n', 'junk.yml': junk, 'empty.yaml': '' });
    const r = await tsigma(['eval', '-r', dir, '-e', '{"CommandLine":"whoami"}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.yml:1:1: error\[missing_field\]/);
    expect(r.stderr).toMatch(
      new RegExp(
        `tsigma: ${dir}: no detection or correlation rule could be loaded from 3 rule file\\(s\\) \\(\\d+ rule error\\(s\\)\\)\\n$`,
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('eval of a single junk file given as -r exits 2 too', async () => {
    const dir = dirWith({ 'junk.bin': Buffer.from([0, 1, 2, 255, 254, 10, 0, 7]) });
    const r = await tsigma(['eval', '-r', join(dir, 'junk.bin'), '-e', '{}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`tsigma: ${join(dir, 'junk.bin')}: no detection or correlation rule could be loaded`);
  });

  it('validate, fields and explain on an empty directory exit 2 naming it; validate still prints its summary', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tsigma-no-rules-'));
    mkdirSync(join(empty, 'sub'));
    const validate = await tsigma(['validate', empty]);
    expect(validate.code).toBe(2);
    expect(validate.stdout).toContain(`Parsed 0 documents from ${empty}`);
    expect(validate.stderr).toBe(`tsigma: ${empty}: no rule files (*.yml, *.yaml) found\n`);
    const onlyEmptyFile = await tsigma(['validate', dirWith({ 'blank.yml': '\n' })]);
    expect(onlyEmptyFile.code).toBe(2);
    expect(onlyEmptyFile.stderr).toMatch(/no Sigma document could be loaded from 1 rule file\(s\)\n$/);
    for (const args of [
      ['fields', '-r', empty],
      ['explain', '-r', empty, '-e', '{}'],
    ]) {
      const r = await tsigma(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`tsigma: ${empty}: no rule files (*.yml, *.yaml) found\n`);
    }
  });

  it('a directory with rules is unaffected, and a filter-only directory still validates', async () => {
    expect((await tsigma(['eval', '-r', join(FIX, 'rules-whoami'), '-e', '{"CommandLine":"x"}'])).code).toBe(0);
    const filterOnly = dirWith({
      'filter.yml':
        'title: Quiet\nlogsource: {product: windows}\nfilter:\n  rules: [x]\n  selection: {User: svc}\n  condition: selection\n',
    });
    expect((await tsigma(['validate', filterOnly])).code).toBe(0);
  });
});
