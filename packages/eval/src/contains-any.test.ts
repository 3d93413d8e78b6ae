import { parseSigmaYaml } from '@tsigma/parser';
import { describe, expect, it } from 'vitest';
import { ContainsAny } from './contains-any.js';
import { Engine } from './engine.js';
import { JsonEvent } from './event.js';
import { parsePipeline } from './pipeline/index.js';

describe('ContainsAny', () => {
  it('finds any literal inside a text, short (by length) or long (by its first characters)', () => {
    const any = new ContainsAny(['evil.example', 'bad.test', 'ünï', 'ab']);
    expect(any.test('x.bad.test.net')).toBe(true);
    expect(any.test('xxabyy')).toBe(true);
    expect(any.test('good.example')).toBe(false);
    expect(any.test('uni')).toBe(false);
    expect(any.test('zünïz')).toBe(true);
    expect(any.test('zäöüz')).toBe(false);
    expect(new ContainsAny(['x', '']).test('anything')).toBe(true);
    const shared = new ContainsAny(['evil.examine', 'evil.example.org']);
    expect(shared.test('zz evil.example.org')).toBe(true);
    expect(shared.test('zz evil.example.com')).toBe(false);
    expect(shared.test('evil.exa')).toBe(false);
  });
});

describe('many |contains values', () => {
  const iocs = Array.from({ length: 5000 }, (_, i) => `evil-${i}-x.example`);
  const rule = (mods: string) =>
    parseSigmaYaml(
      `title: IOC\nlogsource: {category: dns}\ndetection:\n  sel:\n    QueryName|contains${mods}: '%iocs%'\n  condition: sel\n`,
    );
  const engineFor = (mods: string) => {
    const p = parsePipeline('name: p\ntransformations:\n  - type: value_placeholders\n');
    p.vars = { iocs: [...iocs, 'Mixed.Case', 'ab'] };
    const e = new Engine();
    e.addPipeline(p);
    expect(e.addCollection(rule(mods)).errors).toEqual([]);
    return e;
  };
  const fires = (e: Engine, q: string) => e.evaluate(new JsonEvent({ QueryName: q })).length === 1;

  it('match exactly as one test per value would, case-insensitively by default', () => {
    const e = engineFor('');
    expect(fires(e, 'a.EVIL-4999-X.example.net')).toBe(true);
    expect(fires(e, 'evil-5000-x.example')).toBe(false);
    expect(fires(e, 'xx mixed.case yy')).toBe(true);
    expect(fires(e, 'evil-12-x.exampl')).toBe(false);
    expect(fires(e, 'cAb')).toBe(true);
  });

  it('respect |cased', () => {
    const e = engineFor('|cased');
    expect(fires(e, 'a Mixed.Case b')).toBe(true);
    expect(fires(e, 'a mixed.case b')).toBe(false);
    expect(fires(e, 'EVIL-1-X.EXAMPLE')).toBe(false);
  });
});
