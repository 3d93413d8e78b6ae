import { Alias } from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { readLibraryYaml } from './yaml-tree.js';

// The library's own failure modes, which real input only reaches in a fresh process (see the CLI's large-inputs test).
const failure = vi.hoisted(() => ({ error: undefined as Error | undefined }));
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  return {
    ...yaml,
    parseAllDocuments: (...args: Parameters<typeof yaml.parseAllDocuments>) => {
      if (failure.error !== undefined) throw failure.error;
      return yaml.parseAllDocuments(...args);
    },
  };
});

describe('readLibraryYaml', () => {
  it('turns a stack overflow into a syntax error, also when V8 reports it as a SyntaxError from a regex compile', () => {
    failure.error = new SyntaxError('Invalid regular expression: /(.*?)[ \\t]*\\r?\\n/sy: Maximum call stack size exceeded');
    expect(readLibraryYaml('a: 1')).toEqual([{ syntax: 'YAML nests too deeply to be read (Maximum call stack size exceeded)', offset: 0 }]);
    failure.error = new RangeError('Maximum call stack size exceeded');
    expect(readLibraryYaml('a: 1')).toEqual([{ syntax: 'YAML nests too deeply to be read (Maximum call stack size exceeded)', offset: 0 }]);
  });

  it('lets any other error of the library through', () => {
    failure.error = new SyntaxError('Invalid regular expression: /(/: Unterminated group');
    expect(() => readLibraryYaml('a: 1')).toThrow(SyntaxError);
    failure.error = undefined;
    expect(readLibraryYaml('a: 1')).toMatchObject([{ tree: { kind: 'map' }, problems: [] }]);
  });

  it('resolves each alias of an alias bomb once, not once per expansion', () => {
    // Five levels of eight aliases expand to about 85,000 nodes (under the document budget) but hold only 40 aliases.
    const levels = Array.from({ length: 5 }, (_, k) => `b${k + 1}: &a${k + 1} [${Array(8).fill(`*a${k}`).join(', ')}]`);
    const resolve = vi.spyOn(Alias.prototype, 'resolve');
    try {
      const [doc] = readLibraryYaml(['b0: &a0 lol', ...levels].join('\n'));
      expect(doc).toMatchObject({ tree: { kind: 'map' }, problems: [] });
      expect(resolve.mock.calls.length).toBeLessThanOrEqual(40);
    } finally {
      resolve.mockRestore();
    }
  });

  it('caps the nodes aliases expand to across all documents of a file, not only per document', () => {
    // Each document's aliases expand to about 85,000 nodes: the first two fit the file's 200,000, the third does not.
    const bomb = ['b0: &a0 lol', ...Array.from({ length: 5 }, (_, k) => `b${k + 1}: &a${k + 1} [${Array(8).fill(`*a${k}`).join(', ')}]`)];
    const docs = readLibraryYaml([bomb, bomb, bomb, ['title: plain']].map((d) => d.join('\n')).join('\n---\n'));
    expect(docs.map((d) => ('problems' in d ? d.problems.map((p) => p.code) : d.syntax))).toEqual([[], [], ['invalid_value'], []]);
    expect(docs[2]).toMatchObject({ problems: [{ message: expect.stringContaining('expands aliases past 200000 nodes') as unknown }] });
  });
});
