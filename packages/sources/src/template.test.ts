import { parsePipeline, PipelineError } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { validateSourceDeclarations } from './declarations.js';
import { SourceConfigError } from './errors.js';
import { assertReferencesDeclared, expandIncludes, TemplateExpander } from './template.js';

const pipeline = (yaml: string) => parsePipeline(yaml, { file: 'dyn.yml' });

describe('TemplateExpander (spec 09 §6, §9 test 6)', () => {
  it('a whole-value array gives one var value per element; inline references take string forms', () => {
    const p = pipeline(`
name: dyn
vars:
  blocklist: "\${source.ips}"
  greeting: "x-\${source.cfg.name}"
  mixed: "\${source.mixed}"
  second: "\${source.cfg.list.1}"
`);
    const values = new Map<string, unknown>([
      ['ips', ['10.0.0.5', '203.0.113.42']],
      ['cfg', { name: 'acme', list: ['a', 'b'] }],
      ['mixed', ['s', 1, true, null, { k: 'v' }, [1, 2]]],
    ]);
    const out = new TemplateExpander().expand(p, values);
    expect(out.vars).toEqual({
      blocklist: ['10.0.0.5', '203.0.113.42'],
      greeting: ['x-acme'],
      mixed: ['s', '1', 'true', '{"k":"v"}', '[1,2]'],
      second: ['b'],
    });
    expect(p.vars['blocklist']).toEqual(['${source.ips}']);
  });

  it('a null source (optional and failed) gives zero values; a missing path behaves as null and is logged once', () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const p = pipeline('name: dyn\nvars:\n  a: "${source.gone}"\n  b: "id-${source.cfg.nope}"\n');
    const expander = new TemplateExpander(logger);
    const values = new Map<string, unknown>([
      ['gone', null],
      ['cfg', {}],
    ]);
    expect(expander.expand(p, values).vars).toEqual({ a: [], b: ['id-'] });
    expander.expand(p, values);
    expect(warnings).toHaveLength(1);
  });

  it('an undeclared id is a load error listing every undeclared id', () => {
    const p = pipeline('name: dyn\nvars:\n  a: "${source.nope}"\n  b: "${source.ips} ${source.other}"\n');
    const err = (() => {
      try {
        assertReferencesDeclared([p], new Set(['ips']));
      } catch (e) {
        return e as SourceConfigError;
      }
      throw new Error('expected an error');
    })();
    expect(err.code).toBe('undeclared_source');
    expect(err.message).toContain("'nope'");
    expect(err.message).toContain("'other'");
  });

  it('a reference outside vars and include is a pipeline load error', () => {
    const yaml = `
name: dyn
transformations:
  - type: field_name_mapping
    mapping: { a: "\${source.a}" }
`;
    expect(() => pipeline(yaml)).toThrowError(PipelineError);
    try {
      pipeline(yaml);
    } catch (e) {
      expect((e as PipelineError).code).toBe('source_template_outside_vars');
    }
  });
});

describe('expandIncludes (spec 09 §6, §9 test 7)', () => {
  const p = pipeline(`
name: inc
transformations:
  - id: first
    type: field_name_prefix
    prefix: a.
  - include: "\${source.extra}"
  - id: last
    type: field_name_suffix
    suffix: .z
`);
  const fileSrc = validateSourceDeclarations([{ id: 'extra', type: 'file', path: 'x.json' }], { kind: 'file', path: 's.yml' });
  const httpSrc = validateSourceDeclarations([{ id: 'extra', type: 'http', url: 'http://127.0.0.1/x' }], { kind: 'file', path: 's.yml' });
  const two = [
    { id: 'inc_1', type: 'field_name_mapping', mapping: { x: 'y' } },
    { id: 'inc_2', type: 'set_state', key: 'k', val: 'v' },
  ];

  it('splices the two transformation objects at the include position', () => {
    const out = expandIncludes(p, new Map([['extra', two]]), fileSrc);
    expect(out.items.map((i) => i.id)).toEqual(['first', 'inc_1', 'inc_2', 'last']);
  });

  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      expect((e as Error).message).toContain("'extra'");
      return (e as SourceConfigError).code;
    }
    return undefined;
  };

  it('rejects a nested include, a remote include without permission, a missing value and a bad item', () => {
    expect(code(() => expandIncludes(p, new Map([['extra', [{ include: '${source.other}' }]]]), fileSrc))).toBe('invalid_include');
    expect(code(() => expandIncludes(p, new Map([['extra', two]]), httpSrc))).toBe('invalid_include');
    expect(expandIncludes(p, new Map([['extra', two]]), httpSrc, { allowRemoteInclude: true }).items).toHaveLength(4);
    expect(code(() => expandIncludes(p, new Map([['extra', null]]), fileSrc))).toBe('invalid_include');
    expect(code(() => expandIncludes(p, new Map([['extra', [{ type: 'no_such' }]]]), fileSrc))).toBe('invalid_include');
  });
});
