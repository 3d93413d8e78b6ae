import { describe, expect, it } from 'vitest';
import type { Modifier } from './ast.js';
import { SigmaParseError } from './errors.js';
import { analyzeFieldSpec, parseFieldSpec } from './field-spec.js';

function codeOf(key: string): string | undefined {
  try {
    parseFieldSpec(key);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(SigmaParseError);
    return (e as SigmaParseError).code;
  }
}

function warningsOf(key: string): string[] {
  return analyzeFieldSpec(key)
    .problems.filter((p) => p.severity === 'warning')
    .map((p) => p.code);
}

describe('parseFieldSpec', () => {
  it('keeps a plain field name verbatim, dots and brackets included', () => {
    expect(parseFieldSpec('Image')).toEqual({ name: 'Image', modifiers: [] });
    expect(parseFieldSpec('a.b[any].c')).toEqual({ name: 'a.b[any].c', modifiers: [] });
  });

  it('gives keyword items a null name', () => {
    expect(parseFieldSpec('')).toEqual({ name: null, modifiers: [] });
    expect(parseFieldSpec('|contains')).toEqual({ name: null, modifiers: ['contains'] });
    expect(parseFieldSpec('|all')).toEqual({ name: null, modifiers: ['all'] });
  });

  const single: Modifier[] = [
    'contains',
    'startswith',
    'endswith',
    'all',
    'exists',
    'cased',
    'neq',
    'windash',
    're',
    'base64',
    'base64offset',
    'wide',
    'utf16be',
    'utf16',
    'lt',
    'lte',
    'gt',
    'gte',
    'minute',
    'hour',
    'day',
    'week',
    'month',
    'year',
    'cidr',
    'expand',
    'fieldref',
  ];
  it.each(single)('accepts |%s', (m) => {
    expect(parseFieldSpec(`F|${m}`)).toEqual({ name: 'F', modifiers: [m] });
  });

  it.each([
    ['utf16le', 'wide'],
    ['ignorecase', 'i'],
    ['multiline', 'm'],
    ['dotall', 's'],
  ])('normalises the alias %s to %s', (alias, canonical) => {
    const spec = alias === 'utf16le' ? parseFieldSpec(`F|${alias}|base64`) : parseFieldSpec(`F|re|${alias}`);
    expect(spec.modifiers).toContain(canonical);
    expect(spec.modifiers).not.toContain(alias);
  });

  it('accepts regex flags with re', () => {
    expect(parseFieldSpec('F|re|i|m|s').modifiers).toEqual(['re', 'i', 'm', 's']);
  });

  it('accepts typical combinations', () => {
    expect(parseFieldSpec('F|contains|all').modifiers).toEqual(['contains', 'all']);
    expect(parseFieldSpec('F|wide|base64offset|contains').modifiers).toEqual(['wide', 'base64offset', 'contains']);
    expect(parseFieldSpec('F|fieldref|contains').modifiers).toEqual(['fieldref', 'contains']);
    expect(parseFieldSpec('F|cidr|neq').modifiers).toEqual(['cidr', 'neq']);
    expect(parseFieldSpec('F|neq|gt').modifiers).toEqual(['neq', 'gt']);
    expect(parseFieldSpec('F|expand|contains').modifiers).toEqual(['expand', 'contains']);
    expect(parseFieldSpec('F|re|cased').modifiers).toEqual(['re', 'cased']);
  });

  it('is case-sensitive and suggests the right spelling', () => {
    expect(codeOf('F|Contains')).toBe('unknown_modifier');
    expect(() => parseFieldSpec('CommandLine|contians')).toThrow(/contians.*CommandLine.*did you mean 'contains'/);
  });

  it('rejects |not with a dedicated code', () => {
    expect(codeOf('F|not')).toBe('not_is_not_a_modifier');
  });

  it('rejects an empty modifier', () => {
    expect(codeOf('F|')).toBe('unknown_modifier');
    expect(codeOf('F||contains')).toBe('unknown_modifier');
  });

  it('lists conflicting operators (test vector 3)', () => {
    expect(() => parseFieldSpec('Image|endswith|startswith')).toThrow(/endswith, startswith/);
    expect(codeOf('Image|endswith|startswith')).toBe('conflicting_modifiers');
  });

  it.each([
    'F|contains|re',
    'F|re|cidr',
    'F|lt|gt',
    'F|hour|minute',
    'F|gte|day',
    'F|contains|contains',
    'F|exists|neq',
    'F|exists|all',
    'F|wide|utf16',
    'F|utf16|utf16be',
    'F|base64|base64offset',
    'F|base64|re',
    'F|wide|gt',
    'F|windash|re',
    'F|expand|cidr',
    'F|cidr|cased',
    'F|cidr|contains',
    'F|fieldref|re',
    'F|fieldref|contains|endswith',
    'F|fieldref|base64',
    'F|fieldref|gt',
  ])('rejects %s as conflicting_modifiers', (key) => {
    expect(codeOf(key)).toBe('conflicting_modifiers');
  });

  it.each(['F|i', 'F|contains|m', 'F|s', 'F|ignorecase'])('rejects %s as regex_flag_without_re', (key) => {
    expect(codeOf(key)).toBe('regex_flag_without_re');
  });

  it('warns about cased with re', () => {
    expect(warningsOf('F|re|cased')).toEqual(['conflicting_modifiers']);
  });

  it('warns when transformations are written out of order, regardless of validity', () => {
    expect(warningsOf('F|contains|windash')).toEqual(['modifier_order']);
    expect(warningsOf('F|base64|wide')).toEqual(['modifier_order']);
    expect(warningsOf('F|contains|expand')).toEqual(['modifier_order']);
    expect(warningsOf('F|windash|contains')).toEqual([]);
    expect(warningsOf('F|expand|windash|wide|base64offset|contains')).toEqual([]);
    expect(warningsOf('F|contains|all|neq')).toEqual([]);
  });

  it('reports several unknown modifiers at once in analyzeFieldSpec', () => {
    expect(analyzeFieldSpec('F|foo|not|contains').problems.map((p) => p.code)).toEqual(['unknown_modifier', 'not_is_not_a_modifier']);
  });

  it('hands out a fresh spec and problem list for a key analysed before', () => {
    const first = analyzeFieldSpec('Image|windash|contains|all');
    first.spec.modifiers.push('cased');
    const again = analyzeFieldSpec('Image|windash|contains|all');
    expect(again.spec).toEqual({ name: 'Image', modifiers: ['windash', 'contains', 'all'] });
    expect(again.spec).not.toBe(first.spec);
    const warned = analyzeFieldSpec('Image|contains|windash');
    expect(warned.problems.map((p) => p.code)).toEqual(['modifier_order']);
    warned.problems.length = 0;
    expect(analyzeFieldSpec('Image|contains|windash').problems.map((p) => p.code)).toEqual(['modifier_order']);
  });
});
