// Properties of lintText and fixText over generated rule texts: linting never throws, and fixing is idempotent,
// keeps every comment, and leaves no fixable finding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixText } from './fix.js';
import { lintText } from './lint-text.js';

const RUNS = 200;

/** A rule whose keys, logsource values, lists and wildcards vary in the ways the fixes repair. */
const ruleText = fc
  .record({
    upperKeys: fc.subarray(['Title', 'Description', 'Level', 'Author']),
    product: fc.constantFrom('windows', 'Windows', "'WINDOWS'", '"Linux"'),
    tags: fc.array(fc.constantFrom('attack.t1059', 'attack.execution', 'Attack.Bad', 'cve.2021-1234'), { maxLength: 5 }),
    fields: fc.array(fc.constantFrom('CommandLine', 'Image', 'User'), { maxLength: 4 }),
    wildcard: fc.constantFrom("'*'", '"*"', 'whoami', "'*x'"),
    modifier: fc.constantFrom('', '|contains', '|re', '|endswith'),
    comments: fc.boolean(),
  })
  .map(({ upperKeys, product, tags, fields, wildcard, modifier, comments }) => {
    const key = (k: string): string => (upperKeys.includes(k[0]?.toUpperCase() + k.slice(1)) ? k[0]?.toUpperCase() + k.slice(1) : k);
    const c = (text: string): string => (comments ? ` # ${text}` : '');
    const lines = [
      `${key('title')}: Generated${c('title')}`,
      `${key('description')}: d`,
      `${key('author')}: a`,
      `${key('level')}: low`,
      ...(tags.length > 0 ? ['tags:', ...tags.map((t, i) => `  - ${t}${c(`tag ${i}`)}`)] : []),
      ...(fields.length > 0 ? ['fields:', ...fields.map((f) => `  - ${f}`)] : []),
      'logsource:',
      `  product: ${product}${c('product')}`,
      'detection:',
      '  sel:',
      `    Image${modifier}: ${wildcard}${c('value')}`,
      '  condition: sel',
      '',
    ];
    return lines.join('\n');
  });

describe('lint properties', () => {
  it('fixText is idempotent, keeps comments and leaves nothing fixable', () => {
    fc.assert(
      fc.property(ruleText, (text) => {
        const fixed = fixText(text);
        expect(fixText(fixed)).toBe(fixed);
        expect(lintText(fixed).filter((f) => f.fixable)).toEqual([]);
        const comments = (t: string): string[] => t.match(/# [a-z0-9 ]+/g) ?? [];
        // Deleting a duplicate list line takes its comment with it; every other comment stays.
        const kept = comments(fixed);
        for (const comment of comments(text).filter((x) => !x.startsWith('# tag'))) expect(kept).toContain(comment);
      }),
      { numRuns: RUNS },
    );
  });

  it('lintText never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(Array.isArray(lintText(text))).toBe(true);
        expect(typeof fixText(text)).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });
});
