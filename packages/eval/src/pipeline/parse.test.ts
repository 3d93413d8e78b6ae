import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseCondExpr } from './cond-expr.js';
import { PipelineError } from './errors.js';
import { parsePipelineFile, resolvePipeline } from './load.js';
import { parsePipeline } from './parse.js';
import { parseTransformationItems } from './parse-items.js';

function errorOf(fn: () => unknown): PipelineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PipelineError) return e;
    throw e;
  }
  throw new Error('expected a PipelineError');
}

const FULL = `name: my_mapping
priority: 20
vars:
  admins: [alice, bob]
  port: 443
transformations:
  - id: map_process
    type: field_name_mapping
    mapping: { CommandLine: process.command_line }
    rule_conditions:
      - type: logsource
        category: process_creation
postprocessing: [{ type: x }]
finalizers: []
sources: [{ id: ips, type: file }]
`;

describe('parsePipeline', () => {
  it('reads every top-level key', () => {
    const p = parsePipeline(FULL, { file: 'p.yml' });
    expect(p).toMatchObject({ name: 'my_mapping', priority: 20, vars: { admins: ['alice', 'bob'], port: ['443'] }, file: 'p.yml' });
    expect(p.items).toHaveLength(1);
    expect(p.items[0]).toMatchObject({
      id: 'map_process',
      path: 'transformations[0]',
      transformation: { type: 'field_name_mapping', alternatives: 'any' },
    });
    expect(p.postprocessing).toEqual([{ type: 'x' }]);
    expect(p.sources).toEqual([{ id: 'ips', type: 'file' }]);
    expect(p.warnings).toBeUndefined();
  });

  it('defaults name, priority and lists; warns about unknown keys', () => {
    const p = parsePipeline('transformations: []\nextra: 1\n');
    expect(p).toMatchObject({ name: 'unnamed', priority: 0, vars: {}, items: [], postprocessing: [], finalizers: [], sources: [] });
    expect(p.warnings).toEqual(["unknown top-level key 'extra' ignored"]);
  });

  it('keeps ${source.…} in vars values and include items', () => {
    const p = parsePipeline('vars:\n  ips: "${source.ips}"\ntransformations:\n  - include: "${source.items}"\n');
    expect(p.vars['ips']).toEqual(['${source.ips}']);
    expect(p.items[0]).toMatchObject({ include: '${source.items}', transformation: { type: 'include' } });
  });

  it.each([
    ['name: [unclosed\n', 'yaml_syntax', '', 2],
    ['- a\n- b\n', 'not_a_mapping', '', 1],
    ['priority: high\n', 'invalid_param', 'priority', 1],
    ['vars:\n  x: { a: 1 }\n', 'invalid_param', 'vars.x', 2],
    ['transformations:\n  - type: field_name_prefix\n', 'missing_param', 'transformations[0]', 2],
    ['transformations:\n  - id: a\n    type: frobnicate\n', 'unknown_transformation', 'transformations[0].type', 3],
    ['transformations:\n  - type: extract_fields\n', 'unsupported_transformation', 'transformations[0].type', 2],
    ['transformations:\n  - type: http_placeholders\n', 'unsupported_transformation', 'transformations[0].type', 2],
    [
      'transformations:\n  - type: regex\n    rule_conditions: [{ type: moon_phase }]\n',
      'unknown_condition',
      'transformations[0].rule_conditions[0].type',
      3,
    ],
    [
      'transformations:\n  - type: regex\n    detection_item_conditions: [{ type: match_string, pattern: "(" }]\n',
      'invalid_regex',
      'transformations[0].detection_item_conditions[0].pattern',
      3,
    ],
    [
      'transformations:\n  - type: regex\n    rule_conditions: [{ type: tag, tag: x }]\n    rule_cond_expr: "cond_0 and ("\n',
      'condition_expr_syntax',
      'transformations[0].rule_cond_expr',
      4,
    ],
    [
      'transformations:\n  - type: regex\n    rule_conditions: [{ type: tag, tag: x }]\n    rule_cond_expr: "cond_0 or b"\n',
      'unknown_condition_id',
      'transformations[0].rule_cond_expr',
      4,
    ],
    [
      'transformations:\n  - type: set_state\n    key: k\n    val: "${source.x}"\n',
      'source_template_outside_vars',
      'transformations[0].val',
      4,
    ],
    [
      'transformations:\n  - type: field_name_mapping\n    mapping: { a: b }\n    alternatives: some\n',
      'invalid_param',
      'transformations[0].alternatives',
      4,
    ],
    ['transformations:\n  - type: tag\n', 'unknown_transformation', 'transformations[0].type', 2],
    ['transformations:\n  - 5\n', 'not_a_mapping', 'transformations[0]', 2],
    [
      'transformations:\n  - type: add_condition\n    conditions: { "a|contians": 1 }\n',
      'invalid_param',
      'transformations[0].conditions.a|contians',
      3,
    ],
    [
      'transformations:\n  - type: field_name_mapping\n    mapping: { Event.EventData.Image: [1, {x: 1}] }\n',
      'invalid_param',
      'transformations[0].mapping.Event.EventData.Image[1]',
      3,
    ],
  ])('%j → %s at %s', (yaml, code, path, line) => {
    const e = errorOf(() => parsePipeline(yaml, { file: 'bad.yml' }));
    expect(e.code).toBe(code);
    expect(e.path).toBe(path);
    expect(e.file).toBe('bad.yml');
    expect(e.line).toBe(line);
  });

  it('rejects missing condition parameters naming the item', () => {
    const e = errorOf(() => parsePipeline('transformations:\n  - type: regex\n    field_name_conditions: [{ type: include_fields }]\n'));
    expect([e.code, e.path]).toEqual(['missing_param', 'transformations[0].field_name_conditions[0]']);
  });

  it('accepts the documented aliases', () => {
    const [caseItem, nest, state] = parseTransformationItems([
      { type: 'case_transformation', case: 'upper' },
      { type: 'nest', transformations: [{ type: 'regex' }] },
      {
        type: 'set_state',
        key: 'k',
        value: 1,
        rule_conditions: [{ type: 'processing_state', key: 'k', value: 1 }],
        rule_cond_expression: 'cond_0',
      },
    ]);
    expect(caseItem?.transformation).toEqual({ type: 'case', method: 'upper' });
    expect(nest?.transformation).toMatchObject({ type: 'nest', items: [{ path: 'transformations[1].transformations[0]' }] });
    expect(state?.transformation).toEqual({ type: 'set_state', key: 'k', val: 1 });
    expect(state?.ruleConditions.expr).toEqual({ op: 'id', name: 'cond_0' });
  });

  it('parseTransformationItems uses the given path and file', () => {
    const e = errorOf(() => parseTransformationItems([{ type: 'nope' }], { file: 'src', path: 'sources.x' }));
    expect([e.code, e.path, e.file]).toEqual(['unknown_transformation', 'sources.x[0].type', 'src']);
  });

  it('limits nest depth', () => {
    let item: object = { type: 'regex' };
    for (let i = 0; i < 20; i++) item = { type: 'nest', items: [item] };
    expect(errorOf(() => parseTransformationItems([item])).code).toBe('invalid_param');
  });
});

describe('parseCondExpr', () => {
  it('follows Sigma precedence: not > and > or', () => {
    expect(parseCondExpr('a or b and not c')).toEqual({
      op: 'or',
      args: [
        { op: 'id', name: 'a' },
        {
          op: 'and',
          args: [
            { op: 'id', name: 'b' },
            { op: 'not', arg: { op: 'id', name: 'c' } },
          ],
        },
      ],
    });
    expect(parseCondExpr('(a OR b) AND c')).toEqual({
      op: 'and',
      args: [
        {
          op: 'or',
          args: [
            { op: 'id', name: 'a' },
            { op: 'id', name: 'b' },
          ],
        },
        { op: 'id', name: 'c' },
      ],
    });
  });

  it.each(['', 'a and', '(a', 'a b', 'a & b', ')'])('rejects %j', (text) => {
    expect(() => parseCondExpr(text)).toThrow();
  });
});

describe('file conveniences', () => {
  it('parsePipelineFile reads and names the file; resolvePipeline prefers builtins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsigma-pipe-'));
    try {
      const file = join(dir, 'p.yml');
      await writeFile(file, FULL);
      expect((await parsePipelineFile(file)).file).toBe(file);
      expect((await resolvePipeline(file)).name).toBe('my_mapping');
      expect((await resolvePipeline('sysmon')).name).toBe('sysmon');
      await expect(parsePipelineFile(join(dir, 'missing.yml'))).rejects.toMatchObject({ code: 'io' });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
