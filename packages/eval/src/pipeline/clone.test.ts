import { parseSigmaYaml } from '@tsigma/parser';
import { describe, expect, it } from 'vitest';
import { clonePlainData } from './clone.js';

describe('clonePlainData', () => {
  it('copies a parsed rule deeply: equal, with Maps kept, and independent of the original', () => {
    const rule = parseSigmaYaml(
      'title: T\nlogsource: {product: windows}\ndetection:\n  sel:\n    A|contains: [x, y]\n  condition: sel\nx_custom: {nested: [1, {b: true}]}\n',
    ).rules[0];
    if (rule === undefined) throw new Error('no rule');
    const copy = clonePlainData(rule);
    expect(copy).toEqual(rule);
    expect(copy.detection.named).toBeInstanceOf(Map);
    const item = copy.detection.named.get('sel');
    if (item?.kind !== 'allOf') throw new Error('shape');
    item.items[0]?.field.modifiers.push('cased');
    (copy.customAttributes.x_custom as { nested: unknown[] }).nested.push(2);
    expect(rule.detection.named.get('sel')).toMatchObject({ items: [{ field: { modifiers: ['contains'] } }] });
    expect(rule.customAttributes.x_custom).toEqual({ nested: [1, { b: true }] });
  });

  it('keeps a __proto__ key as data', () => {
    const attrs = {};
    Object.defineProperty(attrs, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
    const copy = clonePlainData(attrs) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
