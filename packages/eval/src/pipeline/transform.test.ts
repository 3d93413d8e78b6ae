import type { Detection, DetectionItem, SigmaRule } from '@tsigma/parser';
import { describe, expect, it } from 'vitest';

import { buildCorrelation, buildFilter, buildRule } from '../../test/fixtures/pipelines/build-rule.js';
import { PipelineError } from './errors.js';
import { parseTransformationItems } from './parse-items.js';
import { sortPipelines, transformRule } from './transform.js';
import type { AnyRule, Pipeline } from './types.js';

function pipeline(items: unknown[], extra: Partial<Pipeline> = {}): Pipeline {
  return {
    name: 'test',
    priority: 0,
    vars: {},
    items: parseTransformationItems(items),
    postprocessing: [],
    finalizers: [],
    sources: [],
    ...extra,
  };
}

function apply(items: unknown[], rule: AnyRule, extra: Partial<Pipeline> = {}) {
  return transformRule([pipeline(items, extra)], rule);
}

function det(rule: AnyRule, name: string): Detection {
  if (rule.kind === 'correlation') throw new Error('no detections');
  const d = rule.detection.named.get(name);
  if (d === undefined) throw new Error(`no detection ${name}`);
  return d;
}

function items(rule: AnyRule, name = 'sel'): DetectionItem[] {
  const d = det(rule, name);
  if (d.kind !== 'allOf') throw new Error(`${name} is ${d.kind}`);
  return d.items;
}

/** Compact view of a detection: field names and value source texts. */
function show(d: Detection): unknown {
  switch (d.kind) {
    case 'allOf':
      return d.items.map((i) => [
        [i.field.name, ...i.field.modifiers].join('|'),
        i.values.map((v) => (v.type === 'string' ? v.value.original : v.type === 'null' ? null : v.value)),
      ]);
    case 'anyOf':
      return { anyOf: d.branches.map(show) };
    case 'keywords':
      return { keywords: d.values.map((v) => (v.type === 'string' ? v.value.original : v.type === 'null' ? null : v.value)) };
  }
}

function errorOf(fn: () => unknown): PipelineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PipelineError) return e;
    throw e;
  }
  throw new Error('expected a PipelineError');
}

const proc = { product: 'windows', category: 'process_creation' };

describe('transformRule basics', () => {
  it('returns an equal copy with no pipelines and never mutates its input', () => {
    const r = buildRule({ detection: { sel: { CommandLine: 'x' } } });
    const before = structuredClone(r);
    expect(transformRule([], r).rule).toEqual(r);
    apply(
      [
        { type: 'field_name_mapping', mapping: { CommandLine: 'cmd' } },
        { type: 'add_condition', conditions: { EventID: 1 } },
      ],
      r,
    );
    expect(r).toEqual(before);
  });

  it('reports applied item ids sorted and merges state, later pipelines winning', () => {
    const r = buildRule({ detection: { sel: { a: 'x' } } });
    const p1 = pipeline(
      [
        { id: 'z_item', type: 'set_state', key: 'k', val: 'one' },
        { id: 'a_item', type: 'set_state', key: 'only1', val: 1 },
      ],
      { priority: 1 },
    );
    const p2 = pipeline([{ id: 'm_item', type: 'set_state', key: 'k', val: 'two' }], { priority: 2 });
    const out = transformRule([p2, p1], r);
    expect(out.appliedItems).toEqual(['a_item', 'm_item', 'z_item']);
    expect(out.state).toEqual({ k: 'two', only1: 1 });
  });

  it('sortPipelines orders by priority and keeps ties in load order', () => {
    const a = pipeline([], { name: 'a', priority: 5 });
    const b = pipeline([], { name: 'b', priority: 1 });
    const c = pipeline([], { name: 'c', priority: 5 });
    expect(sortPipelines([a, b, c]).map((p) => p.name)).toEqual(['b', 'a', 'c']);
  });
});

describe('field name transformations', () => {
  it('field_name_mapping renames field items, not keywords (vector 1 shape)', () => {
    const r = buildRule({ detection: { sel: { 'CommandLine|contains': 'whoami' }, kw: ['CommandLine'] } });
    const out = apply([{ type: 'field_name_mapping', mapping: { CommandLine: 'process.command_line' } }], r).rule;
    expect(show(det(out, 'sel'))).toEqual([['process.command_line|contains', ['whoami']]]);
    expect(show(det(out, 'kw'))).toEqual({ keywords: ['CommandLine'] });
  });

  it('alternatives any expands the allOf into an anyOf of combinations (vector 2)', () => {
    const r = buildRule({ detection: { sel: { Hashes: 'abc', User: 'x' } } });
    const out = apply([{ type: 'field_name_mapping', mapping: { Hashes: ['file.hash.md5', 'file.hash.sha256'] } }], r).rule;
    expect(show(det(out, 'sel'))).toEqual({
      anyOf: [
        [
          ['file.hash.md5', ['abc']],
          ['User', ['x']],
        ],
        [
          ['file.hash.sha256', ['abc']],
          ['User', ['x']],
        ],
      ],
    });
  });

  it('alternatives first keeps one item with a coalesce list (vector 3)', () => {
    const r = buildRule({ detection: { sel: { 'Hashes|exists': false } } });
    const out = apply(
      [{ type: 'field_name_mapping', alternatives: 'first', mapping: { Hashes: ['file.hash.md5', 'file.hash.sha256'] } }],
      r,
    ).rule;
    const [item] = items(out);
    expect(item?.field).toEqual({ name: 'file.hash.md5', modifiers: ['exists'], coalesce: ['file.hash.md5', 'file.hash.sha256'] });
  });

  it('chained first mappings rename every earlier alternative', () => {
    const r = buildRule({ detection: { sel: { Image: 'x' } } });
    const out = apply(
      [
        { type: 'field_name_mapping', alternatives: 'first', mapping: { Image: ['a.Image', 'Image'] } },
        {
          type: 'field_name_prefix',
          alternatives: 'first',
          prefix: ['p.', ''],
          field_name_conditions: [{ type: 'exclude_fields', match_type: 'regex', fields: ['^a\\.'] }],
        },
      ],
      r,
    ).rule;
    expect(items(out)[0]?.field.coalesce).toEqual(['a.Image', 'Image']);
  });

  it('more than 4096 combinations fail with mapping_explosion', () => {
    const sel: Record<string, string> = {};
    for (let i = 0; i < 13; i++) sel[`f${i}`] = 'v';
    const r = buildRule({ detection: { sel } });
    const e = errorOf(() => apply([{ type: 'field_name_prefix', prefix: ['a.', 'b.'] }], r));
    expect(e.code).toBe('mapping_explosion');
  });

  it('field_name_prefix_mapping replaces the first matching prefix in mapping order', () => {
    const r = buildRule({ detection: { sel: { 'winlog.user': 'x', 'other.f': 'y' } } });
    const out = apply([{ type: 'field_name_prefix_mapping', mapping: { 'winlog.': 'user.', win: 'nope.' } }], r).rule;
    expect(items(out).map((i) => i.field.name)).toEqual(['user.user', 'other.f']);
  });

  it('field_name_prefix and field_name_suffix', () => {
    const r = buildRule({ detection: { sel: { a: 'x' } } });
    expect(items(apply([{ type: 'field_name_prefix', prefix: 'p.' }], r).rule)[0]?.field.name).toBe('p.a');
    expect(items(apply([{ type: 'field_name_suffix', suffix: '.keyword' }], r).rule)[0]?.field.name).toBe('a.keyword');
  });

  it.each([
    ['lower', 'CommandLine', 'commandline'],
    ['upper', 'CommandLine', 'COMMANDLINE'],
    ['title', 'process-command line', 'Process_Command_Line'],
    ['snake_case', 'CommandLine', 'command_line'],
  ])('field_name_transform %s', (func, from, to) => {
    const r = buildRule({ detection: { sel: { [from]: 'x', Keep: 'y' } } });
    const out = apply([{ type: 'field_name_transform', transform_func: func, mapping: { Keep: 'kept' } }], r).rule;
    expect(items(out).map((i) => i.field.name)).toEqual([to, 'kept']);
  });

  it('renames fieldref targets; any lists keep the first name, first lists a coalesce', () => {
    const r = buildRule({ detection: { sel: { 'a|fieldref': 'b' } } });
    const any = apply([{ type: 'field_name_mapping', mapping: { b: ['b1', 'b2'] } }], r).rule;
    const v1 = items(any)[0]?.values[0];
    expect(v1?.type === 'string' && [v1.value.original, v1.coalesce]).toEqual(['b1', undefined]);
    expect(apply([{ type: 'field_name_mapping', mapping: { b: ['b1', 'b2'] } }], r).warnings).toHaveLength(1);
    const first = apply([{ type: 'field_name_mapping', alternatives: 'first', mapping: { b: ['b1', 'b2'] } }], r).rule;
    const v2 = items(first)[0]?.values[0];
    expect(v2?.type === 'string' && [v2.value.original, v2.coalesce]).toEqual(['b1', ['b1', 'b2']]);
  });

  it('renames correlation group-by (not aliases), alias targets and condition fields', () => {
    const c = buildCorrelation({ groupBy: ['User', 'ip'], field: ['User'], aliases: [{ alias: 'ip', mapping: { base: 'SourceIp' } }] });
    const out = apply(
      [{ type: 'field_name_mapping', alternatives: 'first', mapping: { User: ['user.name', 'User'], SourceIp: 'source.ip', ip: 'never' } }],
      c,
    ).rule;
    if (out.kind !== 'correlation') throw new Error('kind');
    expect(out.groupBy).toEqual(['user.name', 'ip']);
    expect(out.aliases[0]?.mapping).toEqual({ base: 'source.ip' });
    expect(out.condition.kind === 'threshold' && out.condition.field).toEqual(['user.name']);
    expect(out.fieldCoalesce).toEqual({ 'user.name': ['user.name', 'User'] });
  });

  it('reaches filter detections', () => {
    const f = buildFilter({ detection: { sel: { User: 'svc' } } });
    expect(items(apply([{ type: 'field_name_prefix', prefix: 'x.' }], f).rule)[0]?.field.name).toBe('x.User');
  });
});

describe('add_condition and structure', () => {
  it('adds a hidden detection ANDed to every condition (vector 4)', () => {
    const r = buildRule({ detection: { sel: { a: 'x' } }, condition: { op: 'of', quantifier: 1, pattern: 'them' } });
    const out = apply([{ type: 'add_condition', conditions: { EventID: 1 } }], r).rule as SigmaRule;
    expect(out.detection.conditions).toEqual([
      {
        op: 'and',
        args: [
          { op: 'of', quantifier: 1, pattern: 'them' },
          { op: 'id', name: '_tsigma_cond_0' },
        ],
      },
    ]);
    expect(out.detection.conditionStrings).toEqual(['(all of them) and _tsigma_cond_0']);
    expect(show(det(out, '_tsigma_cond_0'))).toEqual([['EventID', [1]]]);
  });

  it('supports negated, prepend, modifier keys, lists, field_refs and numbering', () => {
    const r = buildRule({ detection: { sel: { a: 'x' } } });
    const out = apply(
      [
        { type: 'add_condition', conditions: { 'Image|endswith': ['\\a.exe', '\\b.exe'] }, negated: true, prepend: true },
        { type: 'add_condition', conditions: {}, field_refs: { Target: 'Source' } },
      ],
      r,
    ).rule as SigmaRule;
    expect(show(det(out, '_tsigma_cond_0'))).toEqual([['Image|endswith', ['\\a.exe', '\\b.exe']]]);
    expect(show(det(out, '_tsigma_cond_1'))).toEqual([['Target|fieldref', ['Source']]]);
    expect(out.detection.conditions[0]).toEqual({
      op: 'and',
      args: [
        {
          op: 'and',
          args: [
            { op: 'not', arg: { op: 'id', name: '_tsigma_cond_0' } },
            { op: 'of', quantifier: 'all', pattern: 'them' },
          ],
        },
        { op: 'id', name: '_tsigma_cond_1' },
      ],
    });
  });

  it('template substitutes logsource values', () => {
    const r = buildRule({ logsource: { product: 'windows', service: 'security' }, detection: { sel: { a: 'x' } } });
    const out = apply([{ type: 'add_condition', template: true, conditions: { source: '$product/$service/$category' } }], r).rule;
    expect(show(det(out, '_tsigma_cond_0'))).toEqual([['source', ['windows/security/$category']]]);
  });

  it('is skipped on filters and correlations', () => {
    const f = buildFilter({ logsource: { product: 'windows' }, detection: { sel: { a: 'x' } } });
    const out = apply([{ id: 'c', type: 'add_condition', conditions: { b: 1 } }], f);
    expect(out.appliedItems).toEqual([]);
    expect([...(out.rule as typeof f).detection.named.keys()]).toEqual(['sel']);
  });

  it('change_logsource sets the given keys', () => {
    const r = buildRule({ logsource: proc, detection: { sel: { a: 'x' } } });
    const out = apply([{ type: 'change_logsource', service: 'sysmon' }], r).rule as SigmaRule;
    expect(out.logsource).toMatchObject({ product: 'windows', category: 'process_creation', service: 'sysmon' });
  });

  it('drop_detection_item removes selected items; an emptied allOf stays', () => {
    const r = buildRule({ detection: { sel: { a: 'x', b: 'y' }, other: { b: 'z' } } });
    const out = apply([{ type: 'drop_detection_item', field_name_conditions: [{ type: 'include_fields', fields: ['b'] }] }], r).rule;
    expect(show(det(out, 'sel'))).toEqual([['a', ['x']]]);
    expect(show(det(out, 'other'))).toEqual([]);
  });

  it('hashes_fields splits into ORed per-algorithm items', () => {
    const r = buildRule({ detection: { sel: { 'Hashes|contains': ['MD5=AAA,SHA256=BBB', 'IMPHASH=CCC'], User: 'u' } } });
    const out = apply([{ type: 'hashes_fields', valid_hash_algos: ['MD5', 'SHA256'], field_prefix: 'File' }], r).rule;
    expect(show(det(out, 'sel'))).toEqual({
      anyOf: [
        [
          ['FileMD5|contains', ['AAA']],
          ['User', ['u']],
        ],
        [
          ['FileSHA256|contains', ['BBB']],
          ['User', ['u']],
        ],
      ],
    });
  });

  it('hashes_fields ANDs under all, knows bare hex lengths and drop_algo_prefix', () => {
    const md5 = 'a'.repeat(32);
    const sha1 = 'b'.repeat(40);
    const r = buildRule({ detection: { sel: { 'Hash|all': [md5, `sha1=${sha1}`] } } });
    const out = apply([{ type: 'hashes_fields', valid_hash_algos: ['md5', 'sha1'] }], r).rule;
    expect(show(det(out, 'sel'))).toEqual([
      ['md5|all', [md5]],
      ['sha1|all', [sha1]],
    ]);
    const dropped = apply(
      [{ type: 'hashes_fields', valid_hash_algos: ['md5'], field_prefix: 'hash', drop_algo_prefix: true }],
      buildRule({ detection: { sel: { Hashes: md5 } } }),
    ).rule;
    expect(show(det(dropped, 'sel'))).toEqual([['hash', [md5]]]);
  });

  it('hashes_fields without a valid part fails the rule', () => {
    const r = buildRule({ detection: { sel: { Hashes: 'CRC=1' } } });
    expect(errorOf(() => apply([{ type: 'hashes_fields', valid_hash_algos: ['MD5'] }], r)).code).toBe('hashes_no_valid_algorithm');
  });
});

describe('pipeline regexes', () => {
  it('run in linear time, honour a leading (?i) and reject lookaround', () => {
    const r = buildRule({ detection: { sel: { a: `${'a'.repeat(5000)}!`, B: 'x' } } });
    const start = performance.now();
    const out = apply(
      [{ type: 'set_value', value: 'hit', detection_item_conditions: [{ type: 'match_string', pattern: '(a+)+$' }] }],
      r,
    ).rule;
    expect(performance.now() - start).toBeLessThan(1000);
    expect(show(det(out, 'sel'))).toEqual([
      ['a', ['a'.repeat(5000) + '!']],
      ['B', ['x']],
    ]);
    const ci = apply(
      [
        {
          type: 'field_name_prefix',
          prefix: 'p.',
          field_name_conditions: [{ type: 'include_fields', match_type: 'regex', fields: ['(?i)^b$'] }],
        },
      ],
      r,
    ).rule;
    expect(items(ci).map((i) => i.field.name)).toEqual(['a', 'p.B']);
    expect(errorOf(() => parseTransformationItems([{ type: 'replace_string', regex: 'a(?=b)', replacement: '' }])).code).toBe(
      'invalid_regex',
    );
  });
});

describe('value transformations', () => {
  it('replace_string rewrites source text and re-parses, with group references', () => {
    const r = buildRule({ detection: { sel: { Path: 'C:\\Users\\bob\\*' }, kw: ['hello world'] } });
    const out = apply(
      [
        { type: 'replace_string', regex: '^C:\\\\Users\\\\([^\\\\]+)', replacement: 'D:\\\\home\\\\\\1' },
        { type: 'replace_string', regex: 'world', replacement: 'there' },
      ],
      r,
    ).rule;
    const v = items(out)[0]?.values[0];
    expect(v?.type === 'string' && v.value.original).toBe('D:\\\\home\\\\bob\\*');
    expect(show(det(out, 'kw'))).toEqual({ keywords: ['hello there'] });
  });

  it('replace_string with skip_special keeps wildcards', () => {
    const r = buildRule({ detection: { sel: { a: 'ab*ab?' } } });
    const out = apply([{ type: 'replace_string', regex: '[*?b]', replacement: 'X', skip_special: true }], r).rule;
    const v = items(out)[0]?.values[0];
    expect(v?.type === 'string' && v.value.parts).toEqual([{ text: 'aX' }, { wildcard: '*' }, { text: 'aX' }, { wildcard: '?' }]);
  });

  it('map_string maps case-sensitively and adds list values after the original position', () => {
    const r = buildRule({ detection: { sel: { a: ['x', 'Y', 'z'] } } });
    const out = apply([{ type: 'map_string', mapping: { Y: ['y1', 'y2'], Z: 'never' } }], r).rule;
    expect(show(det(out, 'sel'))).toEqual([['a', ['x', 'y1', 'y2', 'z']]]);
  });

  it('set_value replaces all values, with force_type', () => {
    const r = buildRule({ detection: { sel: { a: ['x', 'y'] } } });
    expect(show(det(apply([{ type: 'set_value', value: 'v*' }], r).rule, 'sel'))).toEqual([['a', ['v*']]]);
    expect(show(det(apply([{ type: 'set_value', value: '42', force_type: 'num' }], r).rule, 'sel'))).toEqual([['a', [42]]]);
    expect(show(det(apply([{ type: 'set_value', value: 42, force_type: 'str' }], r).rule, 'sel'))).toEqual([['a', ['42']]]);
  });

  it('convert_type converts what it can', () => {
    const r = buildRule({ detection: { sel: { a: ['12', 'x', 3.5, '0x10'] } } });
    expect(show(det(apply([{ type: 'convert_type', target_type: 'int' }], r).rule, 'sel'))).toEqual([['a', [12, 'x', 3, '0x10']]]);
    expect(show(det(apply([{ type: 'convert_type' }], r).rule, 'sel'))).toEqual([['a', ['12', 'x', '3.5', '0x10']]]);
    const b = buildRule({ detection: { sel: { a: ['true', 'no'] } } });
    expect(show(det(apply([{ type: 'convert_type', target_type: 'bool' }], b).rule, 'sel'))).toEqual([['a', [true, 'no']]]);
  });

  it.each([
    ['lower', 'lower'],
    ['upper', 'upper'],
  ])('case %s (alias case_transformation)', (method) => {
    const r = buildRule({ detection: { sel: { a: 'MiXed' } } });
    const out = apply([{ type: 'case_transformation', case_type: method }], r).rule;
    expect(show(det(out, 'sel'))).toEqual([['a', [method === 'lower' ? 'mixed' : 'MIXED']]]);
    expect(show(det(apply([{ type: 'case', method: 'snake_case' }], r).rule, 'sel'))).toEqual([['a', ['mi_xed']]]);
  });

  it('respects detection item and field name conditions', () => {
    const r = buildRule({ detection: { sel: { a: 'x', b: 'x' } } });
    const out = apply([{ type: 'set_value', value: 'y', field_name_conditions: [{ type: 'include_fields', fields: ['b'] }] }], r).rule;
    expect(show(det(out, 'sel'))).toEqual([
      ['a', ['x']],
      ['b', ['y']],
    ]);
  });

  it('regex is a no-op', () => {
    const r = buildRule({ detection: { sel: { a: 'x' } } });
    expect(apply([{ id: 'r', type: 'regex' }], r).rule).toEqual(r);
  });
});

describe('placeholders (vector 6)', () => {
  const vars = { admins: ['alice', 'bob'], one: ['o*'] };
  it('value_placeholders expands |expand values and removes the modifier', () => {
    const r = buildRule({ detection: { sel: { 'User|expand': '%admins%' } } });
    expect(show(det(apply([{ type: 'value_placeholders' }], r, { vars }).rule, 'sel'))).toEqual([['User', ['alice', 'bob']]]);
  });

  it('undefined placeholder under |expand fails; plain values stay literal unless a var exists', () => {
    const r = buildRule({ detection: { sel: { 'User|expand': '%nobody%' } } });
    expect(errorOf(() => apply([{ type: 'value_placeholders' }], r, { vars })).code).toBe('undefined_placeholder');
    const p = buildRule({ detection: { sel: { Path: '%TEMP%\\x.exe', U: '%one%x' } } });
    const out = apply([{ type: 'value_placeholders' }], p, { vars }).rule;
    expect(show(det(out, 'sel'))).toEqual([
      ['Path', ['%TEMP%\\x.exe']],
      ['U', ['o*x']],
    ]);
    const parts = items(out)[1]?.values[0];
    expect(parts?.type === 'string' && parts.value.parts).toEqual([{ text: 'o' }, { wildcard: '*' }, { text: 'x' }]);
    expect(show(det(apply([{ type: 'value_placeholders', require_expand: true }], p, { vars }).rule, 'sel'))).toEqual([
      ['Path', ['%TEMP%\\x.exe']],
      ['U', ['%one%x']],
    ]);
  });

  it('expands several placeholders as a Cartesian product; include/exclude select names', () => {
    const r = buildRule({ detection: { sel: { 'a|expand': '%admins%-%admins%' } } });
    expect(show(det(apply([{ type: 'value_placeholders' }], r, { vars }).rule, 'sel'))).toEqual([
      ['a', ['alice-alice', 'alice-bob', 'bob-alice', 'bob-bob']],
    ]);
    const two = buildRule({ detection: { sel: { 'a|expand': '%admins%/%rest%' } } });
    const out = apply(
      [
        { type: 'value_placeholders', exclude: ['rest'] },
        { type: 'wildcard_placeholders', include: ['rest'] },
      ],
      two,
      { vars },
    ).rule;
    expect(show(det(out, 'sel'))).toEqual([['a', ['alice/*', 'bob/*']]]);
  });

  it('one list placeholder yields every value of a long var; only products of several lists are capped', () => {
    const iocs = Array.from({ length: 100_000 }, (_, i) => `evil-${i}.example`);
    const r = buildRule({ detection: { sel: { 'Host|contains': '%iocs%' } } });
    const out = det(apply([{ type: 'value_placeholders' }], r, { vars: { iocs } }).rule, 'sel');
    expect(((show(out) as [string, unknown[]][])[0]?.[1] ?? []).length).toBe(100_000);
    const wide = Array.from({ length: 100 }, (_, i) => `v${i}`);
    const product = buildRule({ detection: { sel: { 'a|expand': '%x%-%y%' } } });
    expect(errorOf(() => apply([{ type: 'value_placeholders' }], product, { vars: { x: wide, y: wide } })).code).toBe('mapping_explosion');
  });

  it('unresolved placeholders under |expand fail the rule; \\% is a literal percent', () => {
    const r = buildRule({ detection: { sel: { 'a|expand': '%x%' } } });
    expect(errorOf(() => transformRule([], r)).code).toBe('unresolved_placeholder');
    const lit = buildRule({ detection: { sel: { 'a|expand': '100\\%-%admins%' } } });
    expect(show(det(apply([{ type: 'value_placeholders' }], lit, { vars }).rule, 'sel'))).toEqual([['a', ['100%-alice', '100%-bob']]]);
  });

  it('query_expression_placeholders only records state', () => {
    const r = buildRule({ detection: { sel: { 'a|expand': '%admins%' } } });
    const out = apply([{ type: 'query_expression_placeholders', expression: '{field} in {id}' }, { type: 'value_placeholders' }], r, {
      vars,
    });
    expect(out.state['query_expression_placeholders']).toEqual({ expression: '{field} in {id}', mapping: {} });
  });

  it('an unexpanded ${source.…} var fails the rule', () => {
    const r = buildRule({ detection: { sel: { 'a|expand': '%x%' } } });
    expect(errorOf(() => apply([{ type: 'value_placeholders' }], r, { vars: { x: ['${source.ips}'] } })).code).toBe(
      'unresolved_placeholder',
    );
  });
});

describe('metadata, state and control', () => {
  it('add_field / remove_field / set_field edit fields without duplicates', () => {
    const r = buildRule({ detection: { sel: { a: 'x' } }, meta: { fields: ['a'] } });
    const out = apply(
      [
        { type: 'add_field', field: ['a', 'b', 'c'] },
        { type: 'remove_field', field: 'c' },
      ],
      r,
    ).rule;
    expect(out.fields).toEqual(['a', 'b']);
    expect(apply([{ type: 'set_field', fields: ['z', 'z'] }], r).rule.fields).toEqual(['z']);
  });

  it('set_custom_attribute applies to rules and correlations', () => {
    const c = buildCorrelation({ groupBy: ['u'] });
    expect(apply([{ type: 'set_custom_attribute', attribute: 'x', value: 3 }], c).rule.customAttributes).toEqual({ x: 3 });
  });

  it('set_state feeds processing_state conditions; state starts empty per pipeline', () => {
    const r = buildRule({ detection: { sel: { a: 'x' } } });
    const p1 = pipeline([
      { type: 'set_state', key: 'mode', value: 'ecs' },
      { id: 'seen', type: 'add_field', field: 'f', rule_conditions: [{ type: 'processing_state', key: 'mode', val: 'ecs' }] },
    ]);
    const p2 = pipeline(
      [{ id: 'fresh', type: 'add_field', field: 'g', rule_conditions: [{ type: 'processing_state', key: 'mode', val: 'ecs' }] }],
      { priority: 1 },
    );
    expect(transformRule([p1, p2], r).appliedItems).toEqual(['seen']);
  });

  it('rule_failure fails only rules matching its conditions (vector 5)', () => {
    const items = [{ type: 'rule_failure', message: 'no AWS here', rule_conditions: [{ type: 'logsource', product: 'aws' }] }];
    const aws = buildRule({ title: 'AWS thing', logsource: { product: 'aws' }, detection: { sel: { a: 'x' } } });
    const e = errorOf(() => apply(items, aws));
    expect(e.code).toBe('pipeline_rule_failure');
    expect(e.message).toBe('no AWS here (rule: AWS thing)');
    expect(e.path).toBe('transformations[0]');
    expect(() => apply(items, buildRule({ logsource: proc, detection: { sel: { a: 'x' } } }))).not.toThrow();
  });

  it('detection_item_failure fails when an item satisfies its conditions', () => {
    const items = [
      { type: 'detection_item_failure', message: 'no regex', detection_item_conditions: [{ type: 'match_string', pattern: '^\\^' }] },
    ];
    expect(errorOf(() => apply(items, buildRule({ detection: { sel: { 'a|re': '^x' } } }))).code).toBe('pipeline_detection_item_failure');
    expect(() => apply(items, buildRule({ detection: { sel: { a: 'x' } } }))).not.toThrow();
  });

  it('nest runs children with the nest conditions ANDed in', () => {
    const r = buildRule({ logsource: proc, detection: { sel: { a: 'x', b: 'y' } } });
    const out = apply(
      [
        {
          id: 'outer',
          type: 'nest',
          rule_conditions: [{ type: 'logsource', category: 'process_creation' }],
          field_name_conditions: [{ type: 'include_fields', fields: ['a', 'b'] }],
          items: [
            { id: 'inner', type: 'field_name_prefix', prefix: 'p.', field_name_conditions: [{ type: 'exclude_fields', fields: ['b'] }] },
          ],
        },
      ],
      r,
    );
    expect(items(out.rule).map((i) => i.field.name)).toEqual(['p.a', 'b']);
    expect(out.appliedItems).toEqual(['inner', 'outer']);
  });
});

describe('rule conditions', () => {
  const r = buildRule({
    title: 'Suspicious Thing',
    logsource: proc,
    detection: { sel: { EventID: 4688, Image: 'x' } },
    meta: {
      level: 'high',
      status: 'test',
      id: 'ID-1',
      author: 'Ann',
      description: 'finds a thing',
      tags: ['attack.t1059'],
      customAttributes: { team: 'blue' },
    },
  });
  const applies = (cond: unknown, rule: AnyRule = r): boolean =>
    apply([{ id: 'probe', type: 'set_state', key: 'k', val: 1, rule_conditions: [cond] }], rule).appliedItems.includes('probe');

  it.each([
    [{ type: 'logsource', product: 'WINDOWS', category: 'process_creation' }, true],
    [{ type: 'logsource', service: 'sysmon' }, false],
    [{ type: 'contains_detection_item', field: 'eventid', value: '4688' }, true],
    [{ type: 'contains_detection_item', field: 'EventID', value: 1 }, false],
    [{ type: 'contains_field', field: 'image' }, true],
    [{ type: 'is_sigma_rule' }, true],
    [{ type: 'is_sigma_correlation_rule' }, false],
    [{ type: 'is_sigma_filter' }, false],
    [{ type: 'rule_attribute', attribute: 'level', value: 'HIGH' }, true],
    [{ type: 'rule_attribute', attribute: 'id', value: 'id-1' }, false],
    [{ type: 'rule_attribute', attribute: 'description', value: 'a thing' }, true],
    [{ type: 'rule_attribute', attribute: 'team', value: 'blue' }, true],
    [{ type: 'tag', tag: 'ATTACK.T1059' }, true],
    [{ type: 'processing_item_applied', processing_item_id: 'nope' }, false],
  ])('%o → %s', (cond, want) => {
    expect(applies(cond)).toBe(want);
  });

  it('logsource is false for correlations and uses a filter’s own logsource', () => {
    expect(applies({ type: 'logsource', product: 'windows' }, buildCorrelation({ groupBy: [] }))).toBe(false);
    expect(applies({ type: 'logsource', product: 'windows' }, buildFilter({ detection: { s: { a: 1 } } }))).toBe(false);
    expect(
      applies({ type: 'logsource', product: 'windows' }, buildFilter({ logsource: { product: 'windows' }, detection: { s: { a: 1 } } })),
    ).toBe(true);
    expect(applies({ type: 'is_sigma_filter' }, buildFilter({ detection: { s: { a: 1 } } }))).toBe(true);
  });

  it('processing_item_applied sees items of earlier pipelines', () => {
    const p1 = pipeline([{ id: 'first', type: 'add_field', field: 'x' }]);
    const p2 = pipeline(
      [
        {
          id: 'second',
          type: 'add_field',
          field: 'y',
          rule_conditions: [{ type: 'processing_item_applied', processing_item_id: 'first' }],
        },
      ],
      { priority: 1 },
    );
    expect(transformRule([p1, p2], r).appliedItems).toEqual(['first', 'second']);
  });

  it('combines with rule_cond_op, rule_cond_not and rule_cond_expr (mapping form)', () => {
    const win = { type: 'logsource', product: 'windows' };
    const lin = { type: 'logsource', product: 'linux' };
    const probe = (extra: object) => apply([{ id: 'p', type: 'add_field', field: 'x', ...extra }], r).appliedItems.length === 1;
    expect(probe({ rule_conditions: [win, lin] })).toBe(false);
    expect(probe({ rule_conditions: [win, lin], rule_cond_op: 'or' })).toBe(true);
    expect(probe({ rule_conditions: [win, lin], rule_cond_op: 'or', rule_cond_not: true })).toBe(false);
    expect(probe({ rule_conditions: [win, lin], rule_cond_expr: 'cond_0 and not cond_1' })).toBe(true);
    expect(probe({ rule_conditions: { w: win, l: lin }, rule_cond_expression: 'l or (w and not l)' })).toBe(true);
  });
});

describe('detection item and field name conditions', () => {
  const r = buildRule({ detection: { sel: { a: 'abc', b: 'x*', c: null, d: 5 } } });
  const touched = (cond: object, extra: object = {}): string[] => {
    const out = apply([{ type: 'field_name_suffix', suffix: '_t', ...extra, detection_item_conditions: [cond] }], r).rule;
    return items(out)
      .map((i) => i.field.name ?? '')
      .filter((n) => n.endsWith('_t'))
      .map((n) => n.slice(0, -2));
  };

  it.each([
    [{ type: 'match_string', pattern: '^a' }, ['a']],
    [{ type: 'match_string', pattern: '^a', negate: true }, ['b', 'c', 'd']],
    [{ type: 'match_string', pattern: '.', cond: 'all' }, ['a', 'b']],
    [{ type: 'match_value', value: 5 }, ['d']],
    [{ type: 'match_value', value: 'abc' }, ['a']],
    [{ type: 'contains_wildcard' }, ['b']],
    [{ type: 'contains_wildcard', negate: true }, ['a', 'c', 'd']],
    [{ type: 'is_null' }, ['c']],
    [{ type: 'is_null', negate: true }, ['a', 'b', 'd']],
    [{ type: 'processing_state', key: 'k', val: 'v' }, []],
  ])('%o selects %o', (cond, want) => {
    expect(touched(cond)).toEqual(want);
  });

  it('processing_item_applied is tracked per detection item', () => {
    const out = apply(
      [
        { id: 'mark', type: 'set_value', value: 'z', field_name_conditions: [{ type: 'include_fields', fields: ['b'] }] },
        {
          type: 'field_name_prefix',
          prefix: 'm.',
          detection_item_conditions: [{ type: 'processing_item_applied', processing_item_id: 'mark' }],
        },
        {
          type: 'field_name_suffix',
          suffix: '.f',
          field_name_conditions: [{ type: 'processing_item_applied', processing_item_id: 'mark' }],
        },
      ],
      r,
    ).rule;
    expect(items(out).map((i) => i.field.name)).toEqual(['a', 'm.b.f', 'c', 'd']);
  });

  it('include_fields / exclude_fields, plain and regex; keyword items only without field conditions', () => {
    const k = buildRule({ detection: { sel: { proc_a: 'x', proc_b: 'y', other: 'z' }, kw: ['abc'] } });
    const names = (cond: object) =>
      items(apply([{ type: 'field_name_prefix', prefix: '!', field_name_conditions: [cond] }], k).rule).map((i) => i.field.name);
    expect(names({ type: 'include_fields', fields: ['proc_a', 'other'] })).toEqual(['!proc_a', 'proc_b', '!other']);
    expect(names({ type: 'exclude_fields', match_type: 're', fields: ['^proc_'] })).toEqual(['proc_a', 'proc_b', '!other']);
    const kw = (extra: object) => show(det(apply([{ type: 'replace_string', regex: 'a', replacement: 'A', ...extra }], k).rule, 'kw'));
    expect(kw({})).toEqual({ keywords: ['Abc'] });
    expect(kw({ field_name_conditions: [{ type: 'exclude_fields', fields: ['x'] }] })).toEqual({ keywords: ['abc'] });
  });
});
