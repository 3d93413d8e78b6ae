import { describe, expect, it } from 'vitest';
import { SigmaParseError } from './errors.js';
import { parseTimespan } from './timespan.js';

describe('parseTimespan', () => {
  it.each([
    ['30s', 30],
    ['90m', 5400],
    ['1h', 3600],
    ['2d', 172_800],
    ['1w', 604_800],
    ['1M', 2_629_746],
    ['1y', 31_556_952],
  ])('%s is %i seconds', (text, seconds) => {
    const t = parseTimespan(text);
    expect(t.seconds).toBe(seconds);
    expect(t.original).toBe(text);
  });

  it('keeps count and unit', () => {
    expect(parseTimespan('90m')).toEqual({ count: 90, unit: 'm', seconds: 5400, original: '90m' });
  });

  it.each(['1.5h', '0m', '-5m', '5', 'm', '5 m', '5x', '5H', '', '05m', '99999999999999999y'])('rejects %j', (text) => {
    expect(() => parseTimespan(text)).toThrow(SigmaParseError);
    try {
      parseTimespan(text);
    } catch (e) {
      expect((e as SigmaParseError).code).toBe('invalid_timespan');
    }
  });
});
