import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParsedSigmaCollection } from './collection.js';
import { findSigmaRuleFiles, parseSigmaDirectory, parseSigmaFile, parseSigmaFiles, readSigmaFiles } from './parse-files.js';

const tree = join(import.meta.dirname, '../test/fixtures/tree');
const scratch = mkdtempSync(join(tmpdir(), 'tsigma-parser-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('parseSigmaFile', () => {
  it('parses a file and records its name', async () => {
    const c = await parseSigmaFile(join(tree, 'b.yml'));
    expect(c.rules).toHaveLength(1);
    expect(c.rules[0]?.source.file).toBe(join(tree, 'b.yml'));
    expect(c.hasErrors()).toBe(false);
  });

  it('turns an unreadable file into one io error', async () => {
    const path = join(tree, 'missing.yml');
    const c = await parseSigmaFile(path);
    expect(c.errors.map((e) => [e.code, e.file])).toEqual([['io', path]]);
    expect(c.hasErrors()).toBe(true);
  });
});

describe('parseSigmaDirectory', () => {
  it('parses *.yml and *.yaml recursively in path order, skipping hidden directories', async () => {
    const c = await parseSigmaDirectory(tree);
    expect(c.rules.map((r) => r.title)).toEqual(['B']);
    expect(c.correlations.map((r) => r.title)).toEqual(['A correlation']);
    expect(c.errors.map((e) => [e.code, e.file])).toEqual([['unknown_modifier', join(tree, 'sub/bad.yml')]]);
  });

  it('survives symlink cycles and reports dangling links and missing directories as io errors', async () => {
    const root = join(scratch, 'cycle');
    mkdirSync(join(root, 'inner'), { recursive: true });
    writeFileSync(join(root, 'inner', 'r.yml'), 'title: R\nlogsource: {}\ndetection:\n  s: x\n  condition: s\n');
    symlinkSync(root, join(root, 'inner', 'loop'));
    symlinkSync(join(root, 'nowhere.yml'), join(root, 'dangling.yml'));
    const c = await parseSigmaDirectory(root);
    expect(c.rules.map((r) => r.title)).toEqual(['R']);
    expect(c.errors.map((e) => e.code)).toEqual(['io']);
    const missing = await parseSigmaDirectory(join(scratch, 'does-not-exist'));
    expect(missing.errors.map((e) => e.code)).toEqual(['io']);
  });
});

describe('parseSigmaFiles', () => {
  it('keeps the given order and reports an unreadable file where it stands', async () => {
    const dir = join(scratch, 'many');
    mkdirSync(dir, { recursive: true });
    const paths: string[] = [];
    for (let i = 0; i < 100; i++) {
      const path = join(dir, `r${String(i).padStart(3, '0')}.yml`);
      writeFileSync(
        path,
        `title: R${i}\ndescription: ${'x'.repeat((i * 7919) % 20000)}\nlogsource: {}\ndetection:\n  s: x\n  condition: s\n`,
      );
      paths.push(path);
    }
    const missing = join(dir, 'missing.yml');
    paths.splice(50, 0, missing);
    const reversed = [...paths].reverse();
    const c = await parseSigmaFiles(reversed);
    expect(c.rules.map((r) => r.title)).toEqual(
      reversed.filter((p) => p !== missing).map((p) => `R${Number(/r(\d+)\.yml$/.exec(p)?.[1])}`),
    );
    expect(c.errors.map((e) => [e.code, e.file])).toEqual([['io', missing]]);
    expect((await parseSigmaFiles([])).rules).toEqual([]);
  });

  it('gathers 200,000 problems of one file, 190,000 of them from one document (no argument spread of the lists)', async () => {
    // One document holds at most 200,000 YAML nodes, so the problems come from two documents.
    const doc = (title: string, n: number): string =>
      `title: ${title}\nrelated:\n${'  - 1\n'.repeat(n)}logsource:\n  product: windows\ndetection:\n  s: x\n  condition: s\n`;
    const path = join(scratch, 'many-problems.yml');
    writeFileSync(path, `${doc('A', 190_000)}---\n${doc('B', 10_000)}`);
    // Capturing a stack for each of 200,000 problems would be most of this test's time; none is looked at.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let c: ParsedSigmaCollection;
    try {
      c = await parseSigmaFiles([path]);
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(c.rules.map((r) => r.title)).toEqual(['A', 'B']);
    expect(c.errors).toHaveLength(200_000);
    expect(c.errors[189_999]).toMatchObject({ code: 'invalid_value', severity: 'warning', file: path, line: 190_002, ruleTitle: 'A' });
    expect(c.errors[199_999]).toMatchObject({ code: 'invalid_value', documentIndex: 1, ruleTitle: 'B' });
  }, 60_000);

  it('readSigmaFiles parses each file only when iterated, one collection per file', () => {
    const dir = join(scratch, 'lazy');
    mkdirSync(dir, { recursive: true });
    const a = join(dir, 'a.yml');
    const b = join(dir, 'b.yml');
    writeFileSync(a, 'title: A\nlogsource: {}\ndetection:\n  s: x\n  condition: s\n');
    const parts = readSigmaFiles([a, b, join(dir, 'missing.yml')]);
    const next = (): ParsedSigmaCollection | undefined => parts.next().value as ParsedSigmaCollection | undefined;
    expect(next()?.rules.map((r) => r.title)).toEqual(['A']);
    // b.yml is written after the first file was parsed, and is still read: reading is lazy.
    writeFileSync(b, 'title: B\nlogsource: {}\ndetection:\n  s: x\n  condition: s\n');
    expect(next()?.rules.map((r) => r.title)).toEqual(['B']);
    expect(next()?.errors.map((e) => e.code)).toEqual(['io']);
    expect(parts.next().done).toBe(true);
  });
});

describe('findSigmaRuleFiles', () => {
  it('lists the files parseSigmaDirectory reads, sorted, and reports a missing directory', async () => {
    const found = await findSigmaRuleFiles(tree);
    expect(found.errors).toEqual([]);
    expect(found.files.length).toBeGreaterThan(0);
    expect(found.files).toEqual([...found.files].sort());
    expect(found.files.every((f) => /\.ya?ml$/i.test(f) && !f.includes('/.'))).toBe(true);
    expect(found.files).toContain(join(tree, 'sub/bad.yml'));
    const missing = await findSigmaRuleFiles(join(scratch, 'does-not-exist'));
    expect(missing).toMatchObject({ files: [], errors: [{ code: 'io' }] });
  });
});
