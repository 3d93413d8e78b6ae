import { describe, expect, it } from 'vitest';
import { closestName } from './closest-name.js';

describe('closestName', () => {
  it('suggests the nearest known name within the distance, the first on ties, nothing beyond it', () => {
    expect(closestName('contians', ['startswith', 'contains', 'endswith'], 2)).toBe('contains');
    expect(closestName('abc', ['abd', 'abe'], 1)).toBe('abd');
    expect(closestName('windash', ['contains'], 2)).toBeUndefined();
    expect(closestName('x', [], 3)).toBeUndefined();
  });
});
