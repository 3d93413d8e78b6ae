import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readFastYaml } from './fast-yaml.js';
import { readLibraryYaml } from './yaml-tree.js';

/** The library's trees, or undefined when it reports a syntax error or a tree problem. */
function library(text: string): unknown {
  const docs = readLibraryYaml(text);
  if (docs.some((d) => 'syntax' in d || d.problems.length > 0)) return undefined;
  return docs.map((d) => ('tree' in d ? d.tree : undefined));
}

/** Whenever the fast path accepts a text, it must build exactly the library's trees. */
function agrees(text: string): boolean {
  const fast = readFastYaml(text);
  if (fast === undefined) return false;
  expect(fast).toEqual(library(text));
  return true;
}

describe('readFastYaml', () => {
  it.each([
    [
      'block mapping with nested values',
      'title: T\nlogsource:\n  product: windows\ndetection:\n  sel:\n    A|contains:\n      - x\n      - "y\\tz"\n  condition: sel\n',
    ],
    ['compact sequences and maps in sequences', 'a:\n- x\n- k: 1\n  j: two\n- - nested\nb: ~\n'],
    ['comments and blank lines', "# head\n\na: 1 # one\n\n  # indented comment\nb: 'it''s'   # q\nc: \"#not\"\n"],
    [
      'core schema scalars',
      'a: yes\nb: 2024-01-31\nc: 0x1F\nd: 0o17\ne: -1.5e3\nf: .inf\ng: .NaN\nh: True\ni: NULL\nj: 1.\nk: +7\nl: -enc\nm: :x\n',
    ],
    ['literal block scalars', 'description: |\n  line one\n\n  line two\n\n\nb: |-\n    kept   \n    # not a comment\nc: 1\n'],
    ['a literal block at the end without a newline', 'a: |\n  x'],
    ['empty values', 'a:\nb:   # nothing\nc:\n  -\n  - \n'],
    ['several documents', '# lead\n---\na: 1\n--- # two\nb: 2\n---\n'],
    ['quoted keys and odd plain keys', '\'|contains|all\':\n  - a\n  - b\n"x y": 1\nC:\\\\path: 2\nkey with spaces : 3\n'],
    ['double-quoted escapes', 'a: "\\x41\\u00e9\\U0001F600\\\\ \\" \\/ \\0"\n'],
    ['an indented top-level mapping', '  a: 1\n  b: 2\n'],
    ['only comments', '# nothing here\n'],
    ['empty text', ''],
    ['multi-line plain scalars', 'a: one\n  two\n   three\nb: x\n'],
    [
      'multi-line plain list items with empty lines between',
      'fp:\n  - Standard users who are\n    admins\n\n\n    in fact\n  - Other\nlevel: high\n',
    ],
    ['a continued plain value followed by a comment line', 'a: one\n  two\n# c\nb: 1\n'],
    ['tabs in comment-only lines', 'a:\n  - x\n    # \t tab in a comment\n  - y\n'],
  ])('matches the library on %s', (_name, text) => {
    expect(agrees(text)).toBe(true);
  });

  it.each([
    ['flow collections', 'a: [1, 2]\n'],
    ['flow mappings', 'a: {b: 1}\n'],
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['folded block scalars', 'a: >\n  x\n'],
    ['keep chomping', 'a: |+\n  x\n'],
    ['indentation indicators', 'a: |2\n   x\n'],
    ['multi-line quoted scalars', 'a: "one\n  two"\n'],
    ['tabs', 'a:\t1\n'],
    ['a tab after a value', 'a: 1\t# c\n'],
    ['comments in a continued plain scalar', 'a: one # c\n  two\n'],
    ['a continuation line with a comment', 'a: one\n  two # c\n'],
    ['a continuation line that looks like a key', 'a: one\n  b: two\n'],
    ['a continuation line starting with a dash', 'a:\n  - one\n    - two\n'],
    ['CRLF line ends', 'a: 1\r\nb: 2\r\n'],
    ['directives', '%YAML 1.2\n---\na: 1\n'],
    ['document end markers', 'a: 1\n...\n'],
    ['content on the marker line', '--- a: 1\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['duplicate keys in a long mapping', `${Array.from({ length: 20 }, (_, i) => `k${i}: ${i}\n`).join('')}k3: again\n`],
    ['duplicate keys late in a long mapping', `${Array.from({ length: 20 }, (_, i) => `k${i}: ${i}\n`).join('')}x: 1\nx: 2\n`],
    ['nested mappings on one line', 'a: b: c\n'],
    ['bad indentation', 'a: 1\n  b: 2\n'],
    ['a byte order mark', '\uFEFFa: 1\n'],
    ['explicit keys', '? a\n: 1\n'],
    ['unknown escapes', 'a: "\\q"\n'],
    ['comments glued to quotes', 'a: "x"#c\n'],
    ['a top-level plain scalar continued', 'x\ny\n'],
  ])('leaves %s to the library', (_name, text) => {
    expect(readFastYaml(text)).toBeUndefined();
  });

  it('agrees with the library on YAML the library writes', () => {
    const key = fc.oneof(
      fc.constantFrom('a', 'B|contains', '|all', 'x y', '-k', 'null', '1', 'true', "it's", 'a:b', '#c'),
      fc.string({ maxLength: 6 }),
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        'yes',
        'no',
        '~',
        'null',
        '0x1F',
        '1.0',
        '-enc',
        ':x',
        '#x',
        'a #b',
        'C:\\Windows\\*',
        'multi\nline\n',
        ' lead',
        'trail ',
        "'q'",
        '"d"',
      ),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    let accepted = 0;
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), fc.boolean(), (doc, compact) => {
        const text = stringify(doc, { indentSeq: !compact, lineWidth: 0 });
        if (agrees(text)) accepted++;
      }),
      { numRuns: 400 },
    );
    // The generator must exercise the fast path, not only the fallback.
    expect(accepted).toBeGreaterThan(40);
  });

  it('never accepts what the library would read differently (random fragments)', () => {
    const fragment = fc.constantFrom(
      'a',
      'b',
      'key',
      '- ',
      '-',
      ': ',
      ':',
      '  ',
      '    ',
      '\n',
      '---\n',
      '#c',
      ' #c',
      "'",
      "''",
      '"',
      '\\',
      '\\x4',
      '|',
      '|-',
      '>',
      '[',
      '{',
      '~',
      'null',
      'true',
      '0x1',
      '1.5',
      '.inf',
      '-1',
      'x y',
      ',',
      '?',
      '&a',
      '*a',
      '!t',
      '%',
      '@',
      '...',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }), (parts) => {
        agrees(parts.join(''));
      }),
      { numRuns: 2000 },
    );
  });
});
