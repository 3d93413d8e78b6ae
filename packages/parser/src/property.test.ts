// Robustness properties: no input makes the parser throw anything but SigmaParseError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCondition } from './condition.js';
import { SigmaParseError } from './errors.js';
import { parseFieldSpec } from './field-spec.js';
import { parseSigmaYaml } from './parse-yaml.js';
import { parseTimespan } from './timespan.js';

const RUNS = 300;

/** Fragments that steer random documents towards Sigma-shaped YAML. */
const token = fc.constantFrom(
  'title',
  'detection',
  'condition',
  'logsource',
  'correlation',
  'filter',
  'rules',
  'action',
  'global',
  'repeat',
  'reset',
  'selection',
  'sel*',
  'not',
  'and',
  'or',
  '1 of',
  'all of them',
  '|contains',
  '|all',
  '|re',
  '|cidr',
  '|exists',
  '|gt',
  '|base64offset',
  '|windash',
  '|not',
  '|hour',
  'type',
  'event_count',
  'temporal',
  'timespan',
  '5m',
  'group-by',
  'gte',
  'field',
  ':',
  ': ',
  '- ',
  '  ',
  '\n',
  '---\n',
  '[',
  ']',
  '{',
  '}',
  ',',
  "'",
  '"',
  '*',
  '?',
  '\\',
  '&a ',
  '*a',
  '!!str ',
  '|',
  '>',
  '#',
  'null',
  'true',
  '~',
  '0x1F',
  '1.5',
  '-1',
  '2024-01-31',
  'yes',
  '_tsigma',
  '%',
  '\t',
);
const yamlish = fc.array(token, { maxLength: 60 }).map((parts) => parts.join(''));

const structured = fc
  .record({
    title: fc.string(),
    keys: fc.array(
      fc.tuple(fc.constantFrom('A', 'B|contains', 'C|re', 'D|all', '|contains', 'E|cidr', 'F|lt', 'G|exists', 'H|zz'), fc.jsonValue()),
      { maxLength: 4 },
    ),
    condition: fc.oneof(fc.string(), fc.constantFrom('sel', 'not sel', '1 of sel*', 'all of them', 'sel |')),
  })
  .map(({ title, keys, condition }) =>
    JSON.stringify({ title, logsource: { product: 'x' }, detection: { sel: Object.fromEntries(keys), condition } }),
  );

function onlySigmaErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SigmaParseError);
  }
}

describe('robustness', () => {
  it('parseSigmaYaml never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const c = parseSigmaYaml(text);
        expect(Array.isArray(c.errors)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseSigmaYaml never throws on random bytes decoded as UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        parseSigmaYaml(new TextDecoder().decode(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  it('parseSigmaYaml never throws on YAML-ish documents', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        parseSigmaYaml(text, { file: 'p.yml' });
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('parseSigmaYaml never throws on Sigma-shaped documents', () => {
    fc.assert(
      fc.property(structured, (text) => {
        const c = parseSigmaYaml(text);
        expect(c.rules.length + c.errors.filter((e) => e.severity === 'error').length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseCondition, parseFieldSpec and parseTimespan throw only SigmaParseError', () => {
    const conditionish = fc
      .array(fc.constantFrom('a', 'b_1', 'sel*', 'not', 'and', 'or', '(', ')', '1', '0', 'of', 'all', 'any', 'them', ' ', '|', '$', '\n'), {
        maxLength: 30,
      })
      .map((p) => p.join(' '));
    fc.assert(
      fc.property(fc.oneof(fc.string(), conditionish), (s) => onlySigmaErrors(() => parseCondition(s))),
      { numRuns: RUNS * 2 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => onlySigmaErrors(() => parseFieldSpec(s))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string(), (s) => onlySigmaErrors(() => parseTimespan(s))),
      { numRuns: RUNS },
    );
  });
});
