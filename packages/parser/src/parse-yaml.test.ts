import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DetectionItem, SigmaRule } from './ast.js';
import type { SigmaParseError } from './errors.js';
import { parseSigmaYaml } from './parse-yaml.js';

const fixture = (name: string): string => readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8');

/** A detection rule around `detection` lines (indented by the caller as under `detection:`). */
function rule(detection: string, extra = ''): string {
  return `title: T\nlogsource:\n  product: windows\n${extra}detection:\n${detection}`;
}

function only(text: string): SigmaRule {
  const c = parseSigmaYaml(text, { file: 'r.yml' });
  const errors = c.errors.filter((e) => e.severity === 'error');
  expect(errors.map(String)).toEqual([]);
  expect(c.rules).toHaveLength(1);
  return c.rules[0] as SigmaRule;
}

function problems(text: string): SigmaParseError[] {
  return parseSigmaYaml(text, { file: 'r.yml' }).errors;
}

function codes(text: string): string[] {
  return problems(text).map((e) => `${e.severity}:${e.code}`);
}

function firstItem(text: string): DetectionItem {
  const d = only(text).detection.named.get('sel');
  if (d?.kind !== 'allOf') throw new Error('expected allOf');
  return d.items[0] as DetectionItem;
}

describe('parseSigmaYaml: documents and actions', () => {
  it('repeats the previous document with a deep merge (test vector 1)', () => {
    const c = parseSigmaYaml(fixture('whoami-repeat.yml'), { file: 'whoami-repeat.yml' });
    expect(c.errors).toEqual([]);
    expect(c.rules.map((r) => r.title)).toEqual(['Whoami Execution', 'Net User Execution']);
    const [first, second] = c.rules as [SigmaRule, SigmaRule];
    expect(second.logsource).toEqual(first.logsource);
    expect(second.level).toBe('high');
    expect(second.id).toBe(first.id);
    expect(second.source).toEqual({
      file: 'whoami-repeat.yml',
      documentIndex: 1,
      location: { file: 'whoami-repeat.yml', line: 14, column: 1 },
    });
    const sel = second.detection.named.get('sel' + 'ection');
    expect(
      sel?.kind === 'allOf' && sel.items.map((i) => [i.field.name, i.values[0]?.type === 'string' ? i.values[0].value.original : '']),
    ).toEqual([
      ['Image', '\\whoami.exe'],
      ['CommandLine', 'net user'],
    ]);
  });

  it('applies a global template to every following document until reset', () => {
    const text = [
      'action: global\nlogsource:\n  product: windows\nlevel: low\ndetection:\n  condition: sel',
      'title: A\ndetection:\n  sel:\n    X: 1',
      'title: B\nlevel: high\ndetection:\n  sel:\n    Y: 2',
      'action: reset',
      'title: C\ndetection:\n  sel:\n    Z: 3',
    ].join('\n---\n');
    const c = parseSigmaYaml(text);
    expect(c.rules.map((r) => [r.title, r.level, r.logsource.product])).toEqual([
      ['A', 'low', 'windows'],
      ['B', 'high', 'windows'],
    ]);
    expect(c.errors.map((e) => [e.documentIndex, e.code])).toEqual([
      [4, 'missing_field'],
      [4, 'missing_field'],
    ]);
  });

  it('replaces lists instead of concatenating them', () => {
    const text = 'title: A\ntags: [a, b]\nlogsource: {}\ndetection:\n  sel: x\n  condition: sel\n---\naction: repeat\ntitle: B\ntags: [c]';
    expect(parseSigmaYaml(text).rules.map((r) => r.tags)).toEqual([['a', 'b'], ['c']]);
  });

  it('rejects repeat without a previous document and unknown actions', () => {
    expect(codes('action: repeat\ntitle: x')).toEqual(['error:repeat_without_previous']);
    expect(codes('action: merge\ntitle: x')).toEqual(['error:unknown_action']);
    expect(codes('action: 5')).toEqual(['error:unknown_action']);
    expect(codes('action: [global]')).toEqual(['error:unknown_action']);
  });

  it('caps the merge depth', () => {
    const deep = (n: number): string => Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k:`).join('\n') + ' 1';
    const text = `action: global\n${deep(70)}\n---\ntitle: A\n${deep(70)}`;
    expect(codes(text)).toContain('error:merge_too_deep');
  });

  it('skips non-mappings and empty documents, and keeps the other documents', () => {
    const good = rule('  sel: x\n  condition: sel');
    const c = parseSigmaYaml(`- a\n---\n${good}\n---\nplain scalar\n---\n---\n${good}`);
    expect(c.rules).toHaveLength(2);
    expect(c.errors.map((e) => [e.code, e.documentIndex, e.line])).toEqual([
      ['not_a_mapping', 0, 1],
      ['not_a_mapping', 2, 10],
    ]);
  });

  it('stops the file at a YAML syntax error', () => {
    const good = rule('  sel: x\n  condition: sel');
    const c = parseSigmaYaml(`${good}\n---\ntitle: [unclosed\n---\n${good}`, { file: 'bad.yml' });
    expect(c.rules).toHaveLength(1);
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toMatchObject({ code: 'yaml_syntax', file: 'bad.yml', documentIndex: 1 });
  });

  it('reports duplicate keys at the second key', () => {
    const e = problems(rule('  sel:\n    A: 1\n    A: 2\n  condition: sel'));
    expect(e.map((x) => [x.code, x.line, x.column, x.path])).toEqual([['duplicate_key', 7, 5, 'detection.sel.A']]);
    expect(parseSigmaYaml('title: a\ntitle: b').rules).toHaveLength(0);
  });

  it('uses the YAML 1.2 core schema', () => {
    const r = only(
      rule('  sel:\n    A: yes\n    B: 2024-01-31\n    C: true\n    D: ~\n  condition: sel', 'date: 2024-01-31\nmodified: 2024/02/01\n'),
    );
    expect(r.date).toBe('2024-01-31');
    expect(r.modified).toBe('2024/02/01');
    const sel = r.detection.named.get('sel');
    expect(sel?.kind === 'allOf' && sel.items.map((i) => i.values[0])).toEqual([
      { type: 'string', value: { parts: [{ text: 'yes' }], original: 'yes', raw: false } },
      { type: 'string', value: { parts: [{ text: '2024-01-31' }], original: '2024-01-31', raw: false } },
      { type: 'bool', value: true },
      { type: 'null' },
    ]);
  });

  it('reports absurd nesting instead of overflowing the stack', () => {
    expect(codes('['.repeat(100_000))).toEqual(['error:yaml_syntax']);
    const block = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(codes(`${block} 1`)).toEqual(['error:yaml_syntax']);
    const moderate = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(codes(`title: T\n${moderate} 1`).some((c) => c.startsWith('error:'))).toBe(true);
  });

  it('returns an empty collection for empty input and never throws on garbage', () => {
    expect(parseSigmaYaml('')).toEqual({ rules: [], correlations: [], filters: [], errors: [] });
    expect(() => parseSigmaYaml('\u0000\uFFFF: : [}')).not.toThrow();
  });
});

describe('parseSigmaYaml: metadata', () => {
  it('reads every common field', () => {
    const r = only(
      rule(
        '  sel: x\n  condition: sel',
        [
          'id: 11111111-2222-3333-4444-555555555555',
          'name: my_rule',
          'status: experimental',
          'level: critical',
          'description: d',
          'license: MIT',
          'author: me',
          'taxonomy: sigma',
          'date: 2024-01-01',
          'modified: 2024-02-02',
          'references: https://example.com',
          'tags: [attack.t1059, attack.execution]',
          'falsepositives:\n  - Admins',
          'fields: [CommandLine]',
          'scope: [server]',
          'related:\n  - id: abc\n    type: derived',
          'sigma-version: 2',
          '',
        ].join('\n'),
      ),
    );
    expect(r).toMatchObject({
      kind: 'rule',
      title: 'T',
      id: '11111111-2222-3333-4444-555555555555',
      name: 'my_rule',
      status: 'experimental',
      level: 'critical',
      description: 'd',
      license: 'MIT',
      author: 'me',
      taxonomy: 'sigma',
      date: '2024-01-01',
      modified: '2024-02-02',
      references: ['https://example.com'],
      tags: ['attack.t1059', 'attack.execution'],
      falsepositives: ['Admins'],
      fields: ['CommandLine'],
      scope: ['server'],
      related: [{ id: 'abc', type: 'derived' }],
      sigmaVersion: 2,
      customAttributes: {},
      source: { file: 'r.yml', documentIndex: 0, location: { file: 'r.yml', line: 1, column: 1 } },
    });
  });

  it('reads a version string as its major number', () => {
    expect(only(rule('  sel: x\n  condition: sel', 'sigma-version: "2.1.0"\n')).sigmaVersion).toBe(2);
    expect(codes(rule('  sel: x\n  condition: sel', 'sigma-version: two\n'))).toEqual(['warning:invalid_value']);
  });

  it('warns about invalid enums and leaves them unset', () => {
    const text = rule('  sel: x\n  condition: sel', 'status: beta\nlevel: severe\n');
    const r = parseSigmaYaml(text).rules[0];
    expect(r?.status).toBeUndefined();
    expect(r?.level).toBeUndefined();
    expect(codes(text)).toEqual(['warning:invalid_enum', 'warning:invalid_enum']);
  });

  it('drops non-string list items and bad related entries with warnings', () => {
    const text = rule(
      '  sel: x\n  condition: sel',
      'tags: [a, 5, {x: 1}]\nrelated:\n  - id: a\n    type: derived\n  - id: b\n    type: cousin\n  - just text\n',
    );
    const r = parseSigmaYaml(text).rules[0];
    expect(r?.tags).toEqual(['a']);
    expect(r?.related).toEqual([{ id: 'a', type: 'derived' }]);
    const e = problems(text);
    expect(e.map((x) => [x.severity, x.code, x.path])).toEqual([
      ['warning', 'invalid_value', 'tags[1]'],
      ['warning', 'invalid_value', 'tags[2]'],
      ['warning', 'invalid_value', 'related[1]'],
      ['warning', 'invalid_value', 'related[2]'],
    ]);
  });

  it('keeps unknown keys as custom attributes, explicit ones winning', () => {
    const r = only(
      rule(
        '  sel: x\n  condition: sel',
        'my_key: {a: [1, 2]}\ntsigma.suppress: 5m\nowner: x\ncustom_attributes:\n  owner: y\n  extra: true\n',
      ),
    );
    expect(r.customAttributes).toEqual({ my_key: { a: [1, 2] }, 'tsigma.suppress': '5m', owner: 'y', extra: true });
  });

  it('warns about metadata of the wrong shape', () => {
    const text = rule(
      '  sel: x\n  condition: sel',
      'description: [a]\nrelated: x\ncustom_attributes: [a]\nreferences: {a: 1}\nauthor: ~\n',
    );
    expect(problems(text).map((e) => [e.severity, e.code, e.path])).toEqual([
      ['warning', 'invalid_value', 'description'],
      ['warning', 'invalid_value', 'related'],
      ['warning', 'invalid_value', 'custom_attributes'],
      ['warning', 'invalid_value', 'references'],
    ]);
    expect(parseSigmaYaml(text).rules[0]?.author).toBeUndefined();
    expect(codes(rule('  sel: x\n  condition: sel', 'tags: 5\n'))).toEqual(['warning:invalid_value']);
    expect(codes('title: T\nlogsource: windows\ndetection:\n  sel: x\n  condition: sel')).toEqual(['warning:invalid_value']);
  });

  it('rejects collection keys and alias bombs', () => {
    expect(codes('? [a]\n: 1\ntitle: T')).toContain('error:invalid_value');
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    expect(codes(bomb.join('\n'))).toEqual(['error:invalid_value']);
  });

  it('requires a title and reads numbers as text', () => {
    expect(codes('logsource: {}\ndetection:\n  sel: x\n  condition: sel')).toEqual(['error:missing_field']);
    expect(codes('title: {a: 1}\nlogsource: {}\ndetection:\n  sel: x\n  condition: sel')).toEqual([
      'error:invalid_value',
      'error:missing_field',
    ]);
    expect(only('title: 123\nid: 42\nlogsource: {}\ndetection:\n  sel: x\n  condition: sel')).toMatchObject({ title: '123', id: '42' });
  });

  it('tags every problem with the rule title, document index and path', () => {
    const [e] = problems(rule('  sel:\n    A|contians: x\n  condition: sel'));
    expect(e).toMatchObject({
      code: 'unknown_modifier',
      ruleTitle: 'T',
      documentIndex: 0,
      path: 'detection.sel.A|contians',
      file: 'r.yml',
    });
  });
});

describe('parseSigmaYaml: logsource', () => {
  it('keeps custom string dimensions and drops others with a warning', () => {
    const text =
      'title: T\nlogsource:\n  product: windows\n  service: 4\n  vendor: acme\n  nested: {a: 1}\ndetection:\n  sel: x\n  condition: sel';
    expect(parseSigmaYaml(text).rules[0]?.logsource).toEqual({ product: 'windows', service: '4', custom: { vendor: 'acme' } });
    expect(codes(text)).toEqual(['warning:invalid_value']);
  });

  it('warns about a missing logsource and uses an empty one', () => {
    const text = 'title: T\ndetection:\n  sel: x\n  condition: sel';
    expect(parseSigmaYaml(text).rules[0]?.logsource).toEqual({ custom: {} });
    expect(codes(text)).toEqual(['warning:missing_field']);
  });
});

describe('parseSigmaYaml: detection forms', () => {
  it('reads mappings, lists of mappings, keyword lists and single keywords', () => {
    const r = only(
      rule(
        [
          '  map:\n    A: 1\n    B|contains: x',
          '  alts:\n    - A: 1\n    - B: 2\n    - bare',
          '  kw:\n    - foo\n    - 5',
          '  one: single',
          '  condition: all of them',
        ].join('\n'),
      ),
    );
    const named = r.detection.named;
    expect([...named.keys()]).toEqual(['map', 'alts', 'kw', 'one']);
    expect(named.get('map')?.kind).toBe('allOf');
    const alts = named.get('alts');
    expect(alts?.kind === 'anyOf' && alts.branches.map((b) => b.kind)).toEqual(['allOf', 'allOf', 'keywords']);
    expect(named.get('kw')).toEqual({
      kind: 'keywords',
      values: [
        { type: 'string', value: { parts: [{ text: 'foo' }], original: 'foo', raw: false } },
        { type: 'number', value: 5, isInteger: true },
      ],
    });
    expect(named.get('one')?.kind).toBe('keywords');
  });

  it('reads nested lists as alternatives', () => {
    const d = only(rule('  sel:\n    - - a\n      - b\n    - C: 1\n  condition: sel')).detection.named.get('sel');
    expect(d?.kind === 'anyOf' && d.branches.map((b) => b.kind)).toEqual(['keywords', 'allOf']);
  });

  it('rejects empty detections', () => {
    expect(codes(rule('  sel: {}\n  condition: sel'))).toEqual(['error:empty_detection']);
    expect(codes(rule('  sel: []\n  condition: sel'))).toEqual(['error:empty_detection']);
    expect(codes(rule('  sel:\n  condition: sel'))).toEqual(['error:empty_detection']);
  });

  it('reads keyword items with modifiers', () => {
    const item = firstItem(rule("  sel:\n    '|contains|all':\n      - a\n      - b\n  condition: sel"));
    expect(item.field).toEqual({ name: null, modifiers: ['contains', 'all'] });
    expect(item.values).toHaveLength(2);
    expect(item.location).toEqual({ file: 'r.yml', line: 6, column: 5 });
  });

  it('warns about names a condition cannot reference and rejects reserved ones', () => {
    expect(codes(rule('  sel.x: a\n  condition: 1 of sel*'))).toEqual(['warning:unreferenceable_identifier']);
    expect(codes(rule('  _tsigma_x: a\n  sel: b\n  condition: sel'))).toEqual(['error:reserved_identifier']);
  });

  it('requires a detection mapping', () => {
    expect(codes('title: T\nlogsource: {}')).toEqual(['error:missing_field']);
    expect(codes('title: T\nlogsource: {}\ndetection: [a]')).toEqual(['error:invalid_value']);
  });

  it('stores timeframe', () => {
    expect(only(rule('  sel: a\n  timeframe: 5m\n  condition: sel')).detection.timeframe).toBe('5m');
  });
});

describe('parseSigmaYaml: values', () => {
  it('types scalar values', () => {
    const r = only(rule('  sel:\n    S: text\n    I: 42\n    F: 1.5\n    W: 1.0\n    B: false\n    N: null\n    E:\n  condition: sel'));
    const sel = r.detection.named.get('sel');
    expect(sel?.kind === 'allOf' && sel.items.map((i) => i.values)).toEqual([
      [{ type: 'string', value: { parts: [{ text: 'text' }], original: 'text', raw: false } }],
      [{ type: 'number', value: 42, isInteger: true }],
      [{ type: 'number', value: 1.5, isInteger: false }],
      [{ type: 'number', value: 1, isInteger: false }],
      [{ type: 'bool', value: false }],
      [{ type: 'null' }],
      [{ type: 'null' }],
    ]);
  });

  it('keeps the digits of an integer a double cannot hold, as text (issue 12)', () => {
    const r = only(rule('  sel:\n    A: 9007199254740993\n    B: -9007199254740991\n  condition: sel'));
    const sel = r.detection.named.get('sel');
    expect(sel?.kind === 'allOf' && sel.items.map((i) => i.values)).toEqual([
      [{ type: 'string', value: { parts: [{ text: '9007199254740993' }], original: '9007199254740993', raw: false } }],
      [{ type: 'number', value: -9007199254740991, isInteger: true }],
    ]);
  });

  it('parses wildcards and escapes (test vector 6)', () => {
    const item = firstItem(rule("  sel:\n    Image: 'C:\\Windows\\\\*.exe'\n  condition: sel"));
    expect(item.values[0]).toEqual({
      type: 'string',
      value: { parts: [{ text: 'C:\\Windows\\' }, { wildcard: '*' }, { text: '.exe' }], original: 'C:\\Windows\\\\*.exe', raw: false },
    });
  });

  it('keeps re and cidr values raw', () => {
    expect(firstItem(rule("  sel:\n    A|re: '^a.*\\\\d?$'\n  condition: sel")).values[0]).toEqual({
      type: 'string',
      value: { parts: [{ text: '^a.*\\\\d?$' }], original: '^a.*\\\\d?$', raw: true },
    });
    expect(firstItem(rule('  sel:\n    A|cidr: 10.0.0.0/8\n  condition: sel')).values[0]).toMatchObject({
      value: { raw: true, original: '10.0.0.0/8' },
    });
  });

  it('reads numbers as text under string modifiers', () => {
    expect(firstItem(rule('  sel:\n    A|contains: 0x10\n  condition: sel')).values[0]).toMatchObject({
      type: 'string',
      value: { original: '0x10' },
    });
  });

  it('rejects nested values and warns about empty lists and null in lists', () => {
    expect(codes(rule('  sel:\n    A: {b: 1}\n  condition: sel'))).toEqual(['error:invalid_value']);
    expect(codes(rule('  sel:\n    A: [[1]]\n  condition: sel'))).toEqual(['error:invalid_value']);
    expect(codes(rule('  sel:\n    A: []\n  condition: sel'))).toEqual(['warning:empty_value_list']);
    expect(codes(rule('  sel:\n    A: [x, null]\n  condition: sel'))).toEqual(['warning:null_in_list']);
  });

  it('needs two or more values with all', () => {
    expect(codes(rule('  sel:\n    A|contains|all: x\n  condition: sel'))).toEqual(['error:all_single_value']);
    expect(codes(rule('  sel:\n    A|contains|all: [x]\n  condition: sel'))).toEqual(['error:all_single_value']);
    expect(codes(rule('  sel:\n    A|contains|all: [x, y]\n  condition: sel'))).toEqual([]);
  });

  it('reads exists values', () => {
    for (const v of ['true', 'false', 'yes', 'no', "'true'"]) {
      expect(firstItem(rule(`  sel:\n    A|exists: ${v}\n  condition: sel`)).values[0]?.type).toBe('bool');
    }
    expect(codes(rule('  sel:\n    A|exists: maybe\n  condition: sel'))).toEqual(['error:incompatible_value']);
    expect(codes(rule('  sel:\n    A|exists: constructor\n  condition: sel'))).toEqual(['error:incompatible_value']);
    expect(codes(rule('  sel:\n    A|exists: 1\n  condition: sel'))).toEqual(['error:incompatible_value']);
  });

  it('reads numeric comparisons, numeric strings included', () => {
    expect(firstItem(rule("  sel:\n    A|gte: '10'\n  condition: sel")).values[0]).toEqual({ type: 'number', value: 10, isInteger: true });
    expect(firstItem(rule('  sel:\n    A|lt: 2.5\n  condition: sel')).values[0]).toEqual({ type: 'number', value: 2.5, isInteger: false });
    for (const v of ['abc', 'null', "''", '.inf'])
      expect(codes(rule(`  sel:\n    A|gt: ${v}\n  condition: sel`))).toEqual(['error:incompatible_value']);
  });

  it.each([
    ['minute', 0, 59],
    ['hour', 0, 23],
    ['day', 1, 31],
    ['week', 1, 53],
    ['month', 1, 12],
  ])('checks the %s range %i..%i', (mod, lo, hi) => {
    expect(codes(rule(`  sel:\n    T|${mod}: ${lo}\n  condition: sel`))).toEqual([]);
    expect(codes(rule(`  sel:\n    T|${mod}: ${hi}\n  condition: sel`))).toEqual([]);
    expect(codes(rule(`  sel:\n    T|${mod}: ${hi + 1}\n  condition: sel`))).toEqual(['error:incompatible_value']);
    expect(codes(rule(`  sel:\n    T|${mod}: ${lo - 1}\n  condition: sel`))).toEqual(['error:incompatible_value']);
    expect(codes(rule(`  sel:\n    T|${mod}: 1.5\n  condition: sel`))).toEqual(['error:incompatible_value']);
  });

  it('accepts a year', () => {
    expect(firstItem(rule('  sel:\n    T|year: 2024\n  condition: sel')).values[0]).toEqual({
      type: 'number',
      value: 2024,
      isInteger: true,
    });
  });

  it('checks CIDR values', () => {
    for (const ok of ['10.0.0.0/8', '192.168.1.1', '::1/128', 'fe80::/10', '2001:db8::ffff:10.0.0.1/120', '1:2:3:4:5:6:7:8']) {
      expect(codes(rule(`  sel:\n    A|cidr: '${ok}'\n  condition: sel`))).toEqual([]);
    }
    for (const bad of ['10.0.0.0/33', '256.1.1.1', 'fe80::/129', 'host', '1:2:3:4:5:6:7:8:9', '1::2::3', '10.0.0/8']) {
      expect(codes(rule(`  sel:\n    A|cidr: '${bad}'\n  condition: sel`))).toEqual(['error:invalid_cidr']);
    }
    expect(codes(rule('  sel:\n    A|cidr: null\n  condition: sel'))).toEqual(['error:incompatible_value']);
  });

  it('rejects null with string modifiers and wildcards where they cannot work', () => {
    expect(codes(rule('  sel:\n    A|contains: null\n  condition: sel'))).toEqual(['error:incompatible_value']);
    expect(codes(rule("  sel:\n    A|base64: 'a*'\n  condition: sel"))).toEqual(['error:incompatible_value']);
    expect(codes(rule("  sel:\n    A|fieldref: 'B*'\n  condition: sel"))).toEqual(['error:incompatible_value']);
    expect(codes(rule("  sel:\n    A|base64: 'a\\*'\n  condition: sel"))).toEqual([]);
  });

  it('reports modifier problems at the key (test vectors 2 and 3)', () => {
    const text = 'title: T\nlogsource: {}\ndetection:\n  sel:\n    CommandLine|contians: x\n  condition: sel\n';
    const c = parseSigmaYaml(text, { file: 'rules/x.yml' });
    expect(c.rules).toHaveLength(0);
    expect(c.errors.map((e) => [e.code, e.line, e.column])).toEqual([['unknown_modifier', 5, 5]]);
    expect(c.errors[0]?.toString()).toMatch(
      /^rules\/x\.yml:5:5: error\[unknown_modifier\]: unknown modifier 'contians' on field 'CommandLine'/,
    );
    const conflict = problems(rule('  sel:\n    Image|endswith|startswith: x\n  condition: sel'));
    expect(conflict.map((e) => e.code)).toEqual(['conflicting_modifiers']);
    expect(conflict[0]?.message).toContain('endswith, startswith');
    expect(codes(rule('  sel:\n    A|not: x\n  condition: sel'))).toEqual(['error:not_is_not_a_modifier']);
    expect(codes(rule('  sel:\n    A|i: x\n  condition: sel'))).toEqual(['error:regex_flag_without_re']);
    expect(codes(rule('  sel:\n    A|re|cased: x\n  condition: sel'))).toEqual(['warning:conflicting_modifiers']);
    expect(codes(rule('  sel:\n    A|contains|windash: x\n  condition: sel'))).toEqual(['warning:modifier_order']);
  });
});

describe('parseSigmaYaml: conditions', () => {
  it('parses a list of conditions (OR of them)', () => {
    const d = only(rule('  a: x\n  b: y\n  condition:\n    - a\n    - b and not a')).detection;
    expect(d.conditions).toEqual([
      { op: 'id', name: 'a' },
      {
        op: 'and',
        args: [
          { op: 'id', name: 'b' },
          { op: 'not', arg: { op: 'id', name: 'a' } },
        ],
      },
    ]);
    expect(d.conditionStrings).toEqual(['a', 'b and not a']);
  });

  it('points condition errors at the token inside the scalar', () => {
    const at = (cond: string): [string, number, number][] =>
      problems(rule(`  sel: x\n  condition: ${cond}`)).map((e) => [e.code, e.line ?? 0, e.column ?? 0]);
    expect(at('sel and')).toEqual([['condition_syntax', 6, 21]]);
    expect(at("'sel and nope'")).toEqual([['unknown_identifier', 6, 23]]);
    expect(at('"1 of x*"')).toEqual([['empty_selector', 6, 20]]);
    expect(at('"sel and \\u0078"')).toEqual([['unknown_identifier', 6, 14]]);
    expect(at('|\n    sel and nope')).toEqual([['unknown_identifier', 6, 14]]);
    expect(at('sel | count() > 5')).toEqual([['deprecated_aggregation', 6, 18]]);
  });

  it('checks names and selectors against the detections', () => {
    expect(codes(rule('  sel: x\n  _hidden: y\n  condition: sel and _hidden and 1 of _h*'))).toEqual([]);
    expect(codes(rule('  _only: x\n  condition: all of them'))).toEqual(['error:empty_selector']);
    expect(codes(rule('  _only: x\n  condition: 1 of *'))).toEqual(['error:empty_selector']);
    expect(codes(rule('  sel: x\n  condition: sel or other'))).toEqual(['error:unknown_identifier']);
  });

  it('requires a condition of strings', () => {
    expect(codes(rule('  sel: x'))).toEqual(['error:missing_field']);
    expect(codes(rule('  sel: x\n  condition:'))).toEqual(['error:missing_field']);
    expect(codes(rule('  sel: x\n  condition: []'))).toEqual(['error:missing_field']);
    expect(codes(rule('  sel: x\n  condition: {a: b}'))).toEqual(['error:condition_syntax']);
    expect(codes(rule('  sel: x\n  condition: [sel, 5]'))).toEqual(['error:condition_syntax']);
    expect(codes(rule('  sel: x\n  condition: 5'))).toEqual(['error:condition_syntax']);
  });

  it('flags too complex conditions', () => {
    const deep = '('.repeat(70) + 'sel' + ')'.repeat(70);
    expect(codes(rule(`  sel: x\n  condition: ${deep}`))).toEqual(['error:condition_too_complex']);
  });
});

describe('collection helpers', () => {
  it('exposes hasErrors and throwIfErrors without making them enumerable', () => {
    const ok = parseSigmaYaml(rule('  sel: x\n  condition: sel', 'level: nope\n'));
    expect(ok.hasErrors()).toBe(false);
    expect(() => ok.throwIfErrors()).not.toThrow();
    expect(Object.keys(ok)).toEqual(['rules', 'correlations', 'filters', 'errors']);
    const bad = parseSigmaYaml('title: x');
    expect(bad.hasErrors()).toBe(true);
    expect(() => bad.throwIfErrors()).toThrow(AggregateError);
  });
});
