import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonEvent } from '../event.js';
import { extractEventTime, extractEventTimeAndText, parseEventTime } from './event-time.js';
import { defaultCorrelationConfig } from './types.js';

describe('parseEventTime (spec 03 §3)', () => {
  it.each([
    [1_692_108_300, 1_692_108_300],
    [1_692_108_300_999, 1_692_108_300],
    [12.9, 12],
    [-5, 0],
    ['2023-08-15T14:05:00Z', 1_692_108_300],
    ['2023-08-15T14:05:00.999Z', 1_692_108_300],
    ['2023-08-15T16:05:00+02:00', 1_692_108_300],
    ['2023-08-15 14:05:00', 1_692_108_300],
    ['2023-08-15T14:05:00.1234567Z', 1_692_108_300],
    ['1969-12-31T23:59:00Z', 0],
  ])('%s -> %s', (input, want) => expect(parseEventTime(input)).toBe(want));

  it.each(['2023-02-30T00:00:00Z', '2023-08-15', 'yesterday', '2023-08-15T25:00:00Z', true, null, Number.NaN])('rejects %s', (input) =>
    expect(parseEventTime(input)).toBeUndefined(),
  );
});

describe('extractEventTime', () => {
  const fields = defaultCorrelationConfig().timestampFields;
  it.each([
    [{ '@timestamp': '2023-08-15T14:05:00Z' }],
    [{ published: '2023-08-15T14:05:00.000Z' }],
    [{ eventTime: '2023-08-15T14:05:00Z' }],
    [{ UtcTime: '2023-08-15 14:05:00.123' }],
    [{ Event: { System: { TimeCreated: { '#attributes': { SystemTime: '2023-08-15T14:05:00.1234567Z' } } } } }],
  ])('reads the default families: %j', (event) => expect(extractEventTime(new JsonEvent(event), fields)).toBe(1_692_108_300));

  it('skips fields that do not parse', () => {
    expect(extractEventTime(new JsonEvent({ '@timestamp': 'soon', timestamp: 7 }), fields)).toBe(7);
    expect(extractEventTime(new JsonEvent({ x: 1 }), fields)).toBeUndefined();
  });
});

describe('extractEventTimeAndText', () => {
  const at = (value: unknown) =>
    extractEventTimeAndText({ get: (f: string) => (f === 't' ? (value as never) : undefined) }, ['x', 't'])?.text;
  it('keeps milliseconds and normalises to UTC', () => {
    expect(at('2017-12-26T13:13:50.7924568Z')).toBe('2017-12-26T13:13:50.792Z');
    expect(at('2017-12-26 15:13:50.5+02:00')).toBe('2017-12-26T13:13:50.500Z');
    expect(at(1514294030)).toBe('2017-12-26T13:13:50.000Z');
    expect(at(1514294030123)).toBe('2017-12-26T13:13:50.123Z');
    expect(at('yesterday')).toBeUndefined();
    expect(at('2017-12-26T13:13:50Z')).toBe('2017-12-26T13:13:50.000Z');
    expect(at('2017-12-26 13:13:50.12z')).toBe('2017-12-26T13:13:50.120Z');
  });

  it('gives the seconds extractEventTime gives, and a text that reads back as the same instant', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        (date, extra, zulu) => {
          const iso = date.toISOString();
          const text = zulu ? iso.replace('Z', `${extra}Z`) : iso.replace('Z', `${extra}+00:00`);
          const source = { get: (f: string) => (f === 't' ? (text as never) : undefined) };
          const both = extractEventTimeAndText(source, ['t']);
          expect(both?.secs).toBe(extractEventTime(source, ['t']));
          expect(both?.text).toBe(iso);
        },
      ),
    );
  });
});
