import { describe, expect, it } from 'vitest';
import { MAX_CONDITION_CHARS, MAX_CONDITION_DEPTH, parseCondition, parseConditionText, selectDetectionNames } from './condition.js';
import { SigmaParseError } from './errors.js';

function failure(text: string): SigmaParseError {
  try {
    parseCondition(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SigmaParseError);
    return e as SigmaParseError;
  }
  throw new Error(`expected '${text.slice(0, 40)}' to fail`);
}

const id = (name: string) => ({ op: 'id', name });

describe('parseCondition', () => {
  it('parses a single identifier', () => {
    expect(parseCondition('selection')).toEqual(id('selection'));
    expect(parseCondition('  sel-1_a  ')).toEqual(id('sel-1_a'));
  });

  it('applies precedence or < and < not (test vector 4)', () => {
    expect(parseCondition('sel1 or not sel2 and (1 of filter_* or all of them)')).toEqual({
      op: 'or',
      args: [
        id('sel1'),
        {
          op: 'and',
          args: [
            { op: 'not', arg: id('sel2') },
            {
              op: 'or',
              args: [
                { op: 'of', quantifier: 'any', pattern: 'filter_*' },
                { op: 'of', quantifier: 'all', pattern: 'them' },
              ],
            },
          ],
        },
      ],
    });
    expect(parseCondition('a or not b and c')).toEqual({
      op: 'or',
      args: [id('a'), { op: 'and', args: [{ op: 'not', arg: id('b') }, id('c')] }],
    });
  });

  it('flattens same-operator chains, also through parentheses', () => {
    expect(parseCondition('a and b and c')).toEqual({ op: 'and', args: [id('a'), id('b'), id('c')] });
    expect(parseCondition('a or (b or c) or d')).toEqual({ op: 'or', args: [id('a'), id('b'), id('c'), id('d')] });
    expect(parseCondition('(a and b) or c')).toEqual({ op: 'or', args: [{ op: 'and', args: [id('a'), id('b')] }, id('c')] });
  });

  it('nests not and parentheses', () => {
    expect(parseCondition('not not a')).toEqual({ op: 'not', arg: { op: 'not', arg: id('a') } });
    expect(parseCondition('not (a or b)')).toEqual({ op: 'not', arg: { op: 'or', args: [id('a'), id('b')] } });
    expect(parseCondition('((a))')).toEqual(id('a'));
  });

  it('parses every selector form', () => {
    expect(parseCondition('1 of sel*')).toEqual({ op: 'of', quantifier: 'any', pattern: 'sel*' });
    expect(parseCondition('any of sel*')).toEqual({ op: 'of', quantifier: 'any', pattern: 'sel*' });
    expect(parseCondition('all of them')).toEqual({ op: 'of', quantifier: 'all', pattern: 'them' });
    expect(parseCondition('3 of sel*main')).toEqual({ op: 'of', quantifier: 3, pattern: 'sel*main' });
    expect(parseCondition('all of selection')).toEqual({ op: 'of', quantifier: 'all', pattern: 'selection' });
  });

  it('treats keywords as whole lowercase words only', () => {
    expect(parseCondition('and_filter or or_x')).toEqual({ op: 'or', args: [id('and_filter'), id('or_x')] });
    expect(parseCondition('AND')).toEqual(id('AND'));
    expect(parseCondition('1')).toEqual(id('1'));
  });

  it('accepts tabs and newlines as separators', () => {
    expect(parseCondition('a\n\tand\r\nb')).toEqual({ op: 'and', args: [id('a'), id('b')] });
  });

  it.each([
    ['', 1, 'expected identifier'],
    ['a and', 6, "expected identifier after 'and', found end of input"],
    ['a or or b', 6, 'expected identifier'],
    ['(a', 3, "expected ')'"],
    ['a)', 2, "unmatched ')'"],
    ['a b', 3, 'unexpected'],
    ['not', 4, 'expected identifier'],
    ['all them', 5, "expected 'of'"],
    ['1 of', 5, "'them' or a name pattern"],
    ['all of and', 8, "'them' or a name pattern"],
    ['0 of them', 1, '0 of'],
    ['sel*', 1, 'wildcards are only allowed'],
    ['a and $b', 7, "unexpected character '$'"],
    ['them', 1, 'expected identifier'],
    ['of', 1, 'expected identifier'],
  ])('rejects %j at column %i', (text, column, message) => {
    const e = failure(text);
    expect(e.code).toBe('condition_syntax');
    expect(e.line).toBe(1);
    expect(e.column).toBe(column);
    expect(e.message).toContain(message);
  });

  it('reports the line of a multi-line condition', () => {
    const e = failure('a and\nb or');
    expect([e.line, e.column]).toEqual([2, 5]);
  });

  it('rejects the v1 aggregation form (test vector 5)', () => {
    expect(failure('selection | count() by src > 5').code).toBe('deprecated_aggregation');
    expect(failure('selection | near dns').code).toBe('deprecated_aggregation');
    expect(failure('selection | count() by src > 5').column).toBe(11);
  });

  it('limits length and nesting', () => {
    expect(failure('a or '.repeat(MAX_CONDITION_CHARS / 5 + 1) + 'b').code).toBe('condition_too_complex');
    expect(failure('('.repeat(MAX_CONDITION_DEPTH + 1) + 'a' + ')'.repeat(MAX_CONDITION_DEPTH + 1)).code).toBe('condition_too_complex');
    expect(failure('not '.repeat(MAX_CONDITION_DEPTH + 1) + 'a').code).toBe('condition_too_complex');
    expect(() => parseCondition('('.repeat(MAX_CONDITION_DEPTH) + 'a' + ')'.repeat(MAX_CONDITION_DEPTH))).not.toThrow();
  });

  it('rejects selectors where only identifiers are allowed', () => {
    expect(() => parseConditionText('1 of rule_*', false)).toThrow(/not allowed/);
  });

  it('lists references with their offsets', () => {
    expect(parseConditionText('a and 1 of b*').refs).toEqual([
      { kind: 'id', name: 'a', offset: 0 },
      { kind: 'pattern', name: 'b*', offset: 11 },
    ]);
  });
});

describe('selectDetectionNames', () => {
  const names = ['selection', 'sel_main', 'selXmain', 'filter_1', '_private', '_sel'];
  it('picks names for them and patterns', () => {
    expect(selectDetectionNames('them', names)).toEqual(['selection', 'sel_main', 'selXmain', 'filter_1']);
    expect(selectDetectionNames('sel*', names)).toEqual(['selection', 'sel_main', 'selXmain']);
    expect(selectDetectionNames('sel*main', names)).toEqual(['sel_main', 'selXmain']);
    expect(selectDetectionNames('*', names)).toEqual(['selection', 'sel_main', 'selXmain', 'filter_1']);
    expect(selectDetectionNames('_*', names)).toEqual(['_private', '_sel']);
    expect(selectDetectionNames('filter', names)).toEqual([]);
    expect(selectDetectionNames('filter_1', names)).toEqual(['filter_1']);
  });

  it('matches several stars like a whole-name glob (pieces may not overlap, regex characters are literal)', () => {
    const more = ['aba', 'abba', 'ab_x_ba', 'a.c', 'abc', 'sel_a_b', 'sel_b_a'];
    expect(selectDetectionNames('ab*ba', more)).toEqual(['abba', 'ab_x_ba']);
    expect(selectDetectionNames('a*b*a', more)).toEqual(['aba', 'abba', 'ab_x_ba']);
    expect(selectDetectionNames('a.c', more)).toEqual(['a.c']);
    expect(selectDetectionNames('sel*a*b', more)).toEqual(['sel_a_b']);
    expect(selectDetectionNames('**c', more)).toEqual(['a.c', 'abc']);
  });
});
