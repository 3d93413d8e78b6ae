import { describe, expect, it } from 'vitest';
import { isTooDeep, MAX_EVENT_DEPTH, nestsDeeper } from './event-depth.js';

/** An object `levels` deep: `{"n":{"n":…{"a":1}…}}`. */
function nestedObject(levels: number): string {
  return '{"n":'.repeat(levels - 1) + '{"a":1}' + '}'.repeat(levels - 1);
}

/** Arrays `levels` deep around one object: `[[…[{}]…]]` counts the object as a level. */
function nestedArray(levels: number): string {
  return '['.repeat(levels - 1) + '{}' + ']'.repeat(levels - 1);
}

const tooDeep = (text: string): boolean => isTooDeep(text, JSON.parse(text));

describe('isTooDeep', () => {
  it('accepts exactly MAX_EVENT_DEPTH levels of objects or arrays and refuses one more', () => {
    expect(MAX_EVENT_DEPTH).toBe(1000);
    // The shortest text one level too deep: texts shorter than this are not looked at.
    expect(nestedArray(MAX_EVENT_DEPTH + 1)).toHaveLength(2 * (MAX_EVENT_DEPTH + 1));
    for (const nested of [nestedObject, nestedArray]) {
      expect(tooDeep(nested(MAX_EVENT_DEPTH))).toBe(false);
      expect(tooDeep(nested(MAX_EVENT_DEPTH + 1))).toBe(true);
      expect(tooDeep(nested(6000))).toBe(true);
    }
  });

  it('counts levels, not brackets: wide values and brackets in strings are fine', () => {
    const wide = JSON.stringify({ list: Array.from({ length: 1000 }, (_, i) => ({ i, tags: [i] })) });
    const braces = JSON.stringify({ text: '{['.repeat(5000), nested: JSON.parse(nestedObject(100)) as unknown });
    expect(tooDeep(wide)).toBe(false);
    expect(tooDeep(braces)).toBe(false);
    expect(tooDeep('"just a string"')).toBe(false);
  });
});

describe('nestsDeeper', () => {
  it('walks values built in code, counting from the value itself', () => {
    let value: unknown = { leaf: true };
    for (let i = 1; i < 10; i++) value = i % 2 === 0 ? { n: value } : [value];
    expect(nestsDeeper(value, 10)).toBe(false);
    expect(nestsDeeper(value, 9)).toBe(true);
    expect(nestsDeeper('text', 0)).toBe(false);
  });

  it('stops one level past the limit, so a value thousands of levels deep is checked without exhausting the stack', () => {
    let value: unknown = {};
    for (let i = 0; i < 100_000; i++) value = { n: value };
    expect(nestsDeeper(value, MAX_EVENT_DEPTH)).toBe(true);
  });
});
