import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { RuntimeError } from './errors.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m500ms', 60_500],
    ['0s', 0],
    ['10m5s', 605_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', ' 5s', '5s ', '5', '5 s', '1.5s', '-5s', '5w', '5S', 's', '1h 30m', '00', '5sec', 'ms', '99999999999999999999d'])(
    'rejects %j naming the key and the value',
    (text) => {
      let err: unknown;
      try {
        parseDuration(text, 'refresh_interval');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as RuntimeError).code).toBe('invalid_duration');
      expect((err as RuntimeError).subject).toBe('refresh_interval');
      expect((err as RuntimeError).message).toContain(JSON.stringify(text));
    },
  );
});
