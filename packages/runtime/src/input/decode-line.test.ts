import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, decodeLine, type DecodedLine } from './decode-line.js';
import { MAX_EVENT_DEPTH } from './event-depth.js';
import { parseSyslogTzOffset, type InputFormat } from './input-format.js';
import { ParseFailure } from './parse-failure.js';

const JUNE_2024 = () => Date.UTC(2024, 5, 1);
const AUTO: InputFormat = { kind: 'auto' };

function ok(line: string, format: InputFormat, hasFilter = false): DecodedLine {
  const decoded = decodeLine(line, format, hasFilter, JUNE_2024);
  if (decoded instanceof ParseFailure) throw new Error(`unexpected failure: ${decoded.message}`);
  return decoded;
}

function failure(line: string, format: InputFormat, hasFilter = false): ParseFailure {
  const decoded = decodeLine(line, format, hasFilter, JUNE_2024);
  expect(decoded).toBeInstanceOf(ParseFailure);
  return decoded as ParseFailure;
}

describe('decodeLine: json', () => {
  it('returns the parsed object, GELF included', () => {
    const gelf = '{"version":"1.1","host":"example.org","short_message":"A short message","level":1,"_user_id":9001}';
    expect(ok(gelf, { kind: 'json' })).toEqual({
      value: { version: '1.1', host: 'example.org', short_message: 'A short message', level: 1, _user_id: 9001 },
      fromJson: true,
    });
  });

  it('rejects syntax errors with the parser message', () => {
    const f = failure('{"a":', { kind: 'json' });
    expect(f.code).toBe('json_syntax');
    expect(f.oversize).toBe(false);
    expect(f.message.length).toBeGreaterThan(0);
    expect(failure('not json', { kind: 'json' }).code).toBe('json_syntax');
  });

  it('rejects arrays and scalars unless a filter is configured', () => {
    for (const line of ['[1,2]', '42', '"text"', 'null', 'true']) {
      expect(failure(line, { kind: 'json' }).code).toBe('json_not_object');
      expect(ok(line, { kind: 'json' }, true).value).toEqual(JSON.parse(line));
    }
  });
});

describe('decodeLine: plain, logfmt, cef dispatch', () => {
  it('wraps plain lines in _raw and never fails', () => {
    expect(ok('  anything { at all', { kind: 'plain' })).toEqual({ value: { _raw: '  anything { at all' }, fromJson: false });
    expect(ok('', { kind: 'plain' }).value).toEqual({ _raw: '' });
  });

  it('routes logfmt and cef', () => {
    expect(ok('a=1 b="x y"', { kind: 'logfmt' })).toEqual({ value: { a: '1', b: 'x y' }, fromJson: false });
    expect(ok('CEF:0|v|p|1|s|n|5|src=1.2.3.4', { kind: 'cef' }).value).toMatchObject({ src: '1.2.3.4' });
    expect(failure('plain words only', { kind: 'cef' }).code).toBe('cef_syntax');
  });
});

describe('decodeLine: auto detection (05 §4.5)', () => {
  it('follows the spec examples (05 §11 test 5)', () => {
    expect(ok('{not json}', AUTO)).toEqual({ value: { _raw: '{not json}' }, fromJson: false });
    expect(ok('<34>Oct 11 22:14:15 host su: test', AUTO)).toEqual({
      value: {
        timestamp: '2024-10-11T22:14:15+00:00',
        hostname: 'host',
        appname: 'su',
        facility: 'LOG_AUTH',
        severity: 'SEV_CRIT',
        _raw: 'test',
      },
      fromJson: false,
    });
    expect(ok('hello', AUTO)).toEqual({ value: { _raw: 'hello' }, fromJson: false });
  });

  it('tries JSON first, after leading whitespace', () => {
    expect(ok('  {"EventID": 4688}', AUTO)).toEqual({ value: { EventID: 4688 }, fromJson: true });
  });

  it('treats a JSON array as plain text without a filter and as JSON with one', () => {
    expect(ok('[{"a":1}]', AUTO)).toEqual({ value: { _raw: '[{"a":1}]' }, fromJson: false });
    expect(ok('[{"a":1}]', AUTO, true)).toEqual({ value: [{ a: 1 }], fromJson: true });
  });

  it('accepts syslog only when a header was extracted', () => {
    expect(ok('<abc> not a priority', AUTO)).toEqual({ value: { _raw: '<abc> not a priority' }, fromJson: false });
    expect(ok('<html><body>', AUTO).value).toEqual({ _raw: '<html><body>' });
    // A valid PRI alone is a header: facility and severity were extracted.
    expect(ok('<13>hello', AUTO).value).toEqual({ facility: 'LOG_USER', severity: 'SEV_NOTICE', _raw: 'hello' });
  });

  it('marks syslog with an embedded JSON message as JSON-derived', () => {
    expect(ok('<14>Oct 11 22:14:15 host app: {"user":"bob"}', AUTO)).toEqual({
      value: {
        user: 'bob',
        syslog_timestamp: '2024-10-11T22:14:15+00:00',
        syslog_hostname: 'host',
        syslog_appname: 'app',
        syslog_facility: 'LOG_USER',
        syslog_severity: 'SEV_INFO',
      },
      fromJson: true,
    });
  });

  it('never detects logfmt or CEF', () => {
    expect(ok('level=info msg=hi', AUTO).value).toEqual({ _raw: 'level=info msg=hi' });
    expect(ok('CEF:0|a|b|c|d|e|f|src=1', AUTO).value).toEqual({ _raw: 'CEF:0|a|b|c|d|e|f|src=1' });
    // CEF over syslog is syslog in auto mode; the CEF text stays the message.
    expect(ok('<134>Feb 14 19:04:54 fw01 CEF:0|Palo Alto|PAN-OS|10|THREAT|threat|7|src=10.0.0.1', AUTO).value).toMatchObject({
      hostname: 'fw01',
      _raw: 'CEF:0|Palo Alto|PAN-OS|10|THREAT|threat|7|src=10.0.0.1',
    });
  });

  it('uses the syslog settings carried by the auto format', () => {
    const format: InputFormat = { kind: 'auto', syslog: { defaultTzOffsetMinutes: 60, stripBom: true } };
    expect((ok('<13>Oct 11 22:14:15 h a: x', format).value as Record<string, string>).timestamp).toBe('2024-10-11T22:14:15+01:00');
  });
});

describe('decodeLine: nesting limit', () => {
  /** An event whose `n` key nests `levels` objects in all, counting the event itself. */
  const deepEvent = (levels: number): string => '{"EventID":1,"n":'.repeat(levels - 1) + '{"a":1}' + '}'.repeat(levels - 1);

  it('refuses JSON nested deeper than MAX_EVENT_DEPTH levels as event_too_deep in json and auto, with or without a filter', () => {
    for (const format of [{ kind: 'json' }, AUTO] as const) {
      for (const levels of [MAX_EVENT_DEPTH + 1, 6000]) {
        const f = failure(deepEvent(levels), format);
        expect(f.code).toBe('event_too_deep');
        expect(f.oversize).toBe(false);
        expect(failure(deepEvent(levels), format, true).code).toBe('event_too_deep');
      }
      expect(ok(deepEvent(MAX_EVENT_DEPTH), format).fromJson).toBe(true);
    }
    expect(failure(`[${deepEvent(MAX_EVENT_DEPTH)}]`, { kind: 'json' }, true).code).toBe('event_too_deep');
  });

  it('refuses a syslog line whose embedded JSON message nests too deep', () => {
    for (const format of [{ kind: 'syslog' }, AUTO] as const) {
      expect(failure(`<14>Oct 11 22:14:15 host app: ${deepEvent(6000)}`, format).code).toBe('event_too_deep');
      expect(ok(`<14>Oct 11 22:14:15 host app: ${deepEvent(MAX_EVENT_DEPTH)}`, format).fromJson).toBe(true);
    }
  });

  it('leaves the flat formats alone: their values are strings', () => {
    const text = deepEvent(6000);
    expect(ok(text, { kind: 'plain' }).value).toEqual({ _raw: text });
    expect(ok(`msg=${text}`, { kind: 'logfmt' }).value).toEqual({ msg: text });
  });
});

describe('decodeLine: 1 MiB limit', () => {
  const formats: InputFormat[] = [AUTO, { kind: 'json' }, { kind: 'syslog' }, { kind: 'logfmt' }, { kind: 'cef' }, { kind: 'plain' }];

  it('rejects lines above 1,048,576 UTF-8 bytes in every format', () => {
    const long = `{"a":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
    for (const format of formats) {
      const f = failure(long, format);
      expect(f.code).toBe('oversize');
      expect(f.oversize).toBe(true);
      expect(f.message).toBe('line exceeds 1048576 bytes');
    }
  });

  it('counts bytes, not UTF-16 units', () => {
    // 400,000 three-byte characters: 1,200,000 bytes in fewer than 1 MiB code units.
    expect(failure('€'.repeat(400_000), { kind: 'plain' }).oversize).toBe(true);
    expect(ok('€'.repeat(349_525), { kind: 'plain' }).value).toBeDefined();
    expect(ok('x'.repeat(MAX_LINE_BYTES), { kind: 'plain' }).value).toBeDefined();
  });
});

describe('parseSyslogTzOffset', () => {
  it('accepts only ±HH:MM', () => {
    expect(parseSyslogTzOffset('+00:00')).toBe(0);
    expect(parseSyslogTzOffset('+05:30')).toBe(330);
    expect(parseSyslogTzOffset('-03:00')).toBe(-180);
    expect(parseSyslogTzOffset('+14:00')).toBe(840);
    for (const bad of ['+0530', '05:30', 'Z', '+5:30', '+05:60', '+15:00', '']) expect(parseSyslogTzOffset(bad), bad).toBeUndefined();
  });
});

describe('decodeLine: never throws', () => {
  const syslogish = fc.constantFrom(
    '<',
    '>',
    '1',
    '3',
    '4',
    ' ',
    '-',
    '[',
    ']',
    '=',
    '"',
    '\\',
    ':',
    'T',
    'Z',
    'Oct',
    '2024-01-15T10:30:00Z',
    'CEF:0|',
    '|',
    'a',
    '{',
    '}',
    '\uFEFF',
  );
  const lines = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: syslogish, maxLength: 40 }));
  const formats: InputFormat[] = [AUTO, { kind: 'json' }, { kind: 'syslog' }, { kind: 'logfmt' }, { kind: 'cef' }, { kind: 'plain' }];

  it('returns an event or a ParseFailure for any line, and auto/syslog/plain always return an event', () => {
    fc.assert(
      fc.property(lines, fc.boolean(), (line, hasFilter) => {
        for (const format of formats) {
          const decoded = decodeLine(line, format, hasFilter, JUNE_2024);
          if (format.kind === 'auto' || format.kind === 'syslog' || format.kind === 'plain') {
            expect(decoded).not.toBeInstanceOf(ParseFailure);
          }
          if (!(decoded instanceof ParseFailure) && format.kind !== 'json' && !decoded.fromJson) {
            for (const value of Object.values(decoded.value as object)) expect(typeof value).toBe('string');
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
