import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OtlpError, decodeOtlpLogRecords, decodeOtlpLogs, otlpEncodingOf, type OtlpErrorCode } from './otlp.js';
import { MAX_ANY_VALUE_DEPTH, formatUnixNanos } from './otlp-record.js';
import { decodeLine, type DecodedLine } from './decode-line.js';
import { MAX_EVENT_DEPTH, nestsDeeper } from './event-depth.js';
import { ParseFailure } from './parse-failure.js';

// A tiny protobuf encoder, enough to build ExportLogsServiceRequest bodies field by field.
type Bytes = number[];
function varint(value: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number): Bytes => varint(field * 8 + wire);
const len = (field: number, body: Bytes): Bytes => [...tag(field, 2), ...varint(body.length), ...body];
const str = (field: number, text: string): Bytes => len(field, [...Buffer.from(text, 'utf8')]);
const vint = (field: number, value: number | bigint): Bytes => [...tag(field, 0), ...varint(value)];
function fixed64(field: number, value: bigint): Bytes {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return [...tag(field, 1), ...b];
}
function double(field: number, value: number): Bytes {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return [...tag(field, 1), ...b];
}
// AnyValue and KeyValue
const sv = (s: string): Bytes => str(1, s);
const bv = (b: boolean): Bytes => vint(2, b ? 1 : 0);
const iv = (n: bigint): Bytes => vint(3, n);
const dv = (x: number): Bytes => double(4, x);
const av = (...items: Bytes[]): Bytes =>
  len(
    5,
    items.flatMap((i) => len(1, i)),
  );
const kvl = (...pairs: Bytes[]): Bytes =>
  len(
    6,
    pairs.flatMap((p) => len(1, p)),
  );
const bytesv = (b: Bytes): Bytes => len(7, b);
const kv = (key: string, value: Bytes): Bytes => [...str(1, key), ...len(2, value)];
// Messages
const resource = (...attrs: Bytes[]): Bytes => attrs.flatMap((a) => len(1, a));
const scope = (name: string, version: string): Bytes => [...str(1, name), ...str(2, version)];
const request = (...resourceLogs: Bytes[]): Buffer => Buffer.from(resourceLogs.flatMap((r) => len(1, r)));

const HEX_TRACE = [0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c];
const HEX_SPAN = [0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74];

function expectOtlpError(run: () => unknown, code: OtlpErrorCode): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OtlpError);
    expect((error as OtlpError).code).toBe(code);
    return;
  }
  throw new Error(`expected OtlpError ${code}`);
}

describe('decodeOtlpLogRecords: spec scenario (05 §11 test 9)', () => {
  const json = JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'winlogbeat' } }] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: '1705314600000000001',
                body: { kvlistValue: { values: [{ key: 'EventID', value: { intValue: '4625' } }] } },
                attributes: [{ key: 'host', value: { stringValue: 'h1' } }],
              },
            ],
          },
        ],
      },
    ],
  });
  const expected = {
    timestamp: '2024-01-15T10:30:00.000000001Z',
    EventID: 4625,
    host: 'h1',
    'resource.service.name': 'winlogbeat',
  };

  it('spreads a kvlist body into top-level keys (JSON)', () => {
    expect(decodeOtlpLogRecords(Buffer.from(json), 'application/json')).toEqual([expected]);
  });

  it('decodes the same request as gzip-compressed protobuf to the same event', () => {
    const record = [...fixed64(1, 1705314600000000001n), ...len(5, kvl(kv('EventID', iv(4625n)))), ...len(6, kv('host', sv('h1')))];
    const body = request([...len(1, resource(kv('service.name', sv('winlogbeat')))), ...len(2, len(2, record))]);
    expect(decodeOtlpLogRecords(gzipSync(body), 'application/x-protobuf', 'gzip')).toEqual([expected]);
    expect(decodeOtlpLogRecords(body, undefined)).toEqual([expected]);
  });
});

describe('decodeOtlpLogRecords: JSON', () => {
  it('decodes the opentelemetry-proto example request', () => {
    const body = readFileSync(new URL('../../test/fixtures/input/otlp-logs-example.json', import.meta.url));
    const events = decodeOtlpLogRecords(body, 'application/json');
    expect(events).toEqual([
      {
        timestamp: '2018-12-13T14:51:00.300000000Z',
        observed_timestamp: '2018-12-13T14:51:00.300000000Z',
        severity_text: 'Information',
        body: 'Example log record',
        trace_id: '5b8efff798038103d269b633813fc60c',
        span_id: 'eee19b7ec3c1b174',
        'string.attribute': 'some string',
        'boolean.attribute': true,
        'int.attribute': 10,
        'double.attribute': 637.704,
        'array.attribute': ['many', 'values'],
        'map.attribute': { 'some.map.key': 'some value' },
        'resource.service.name': 'my.service',
        'scope.name': 'my.library',
        'scope.version': '1.0.0',
      },
    ]);
    expect(Object.keys(events[0]!)).toEqual([
      'timestamp',
      'observed_timestamp',
      'severity_text',
      'body',
      'trace_id',
      'span_id',
      'string.attribute',
      'boolean.attribute',
      'int.attribute',
      'double.attribute',
      'array.attribute',
      'map.attribute',
      'resource.service.name',
      'scope.name',
      'scope.version',
    ]);
  });

  it('accepts snake_case keys, severity names, base64 bytes and int64 beyond 2^53', () => {
    const body = {
      resource_logs: [
        {
          scope_logs: [
            {
              log_records: [
                {
                  time_unix_nano: 0,
                  severity_number: 'SEVERITY_NUMBER_WARN',
                  severity_text: 'WARN',
                  body: { string_value: 'hi' },
                  attributes: [
                    { key: 'big', value: { int_value: '9007199254740993' } },
                    { key: 'neg', value: { intValue: -5 } },
                    { key: 'raw', value: { bytes_value: Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64') } },
                    { key: 'empty', value: {} },
                    { key: 'absent' },
                    { key: 'inf', value: { doubleValue: 'Infinity' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeOtlpLogRecords(Buffer.from(JSON.stringify(body)), 'application/json; charset=utf-8')).toEqual([
      {
        severity_number: 13,
        severity_text: 'WARN',
        body: 'hi',
        big: '9007199254740993',
        neg: -5,
        raw: 'deadbeef',
        empty: null,
        inf: Infinity,
      },
    ]);
  });

  it('drops an empty body', () => {
    const json = '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{},"severityText":"INFO"}]}]}]}';
    expect(decodeOtlpLogRecords(Buffer.from(json), 'application/json')).toEqual([{ severity_text: 'INFO' }]);
    expect(decodeOtlpLogRecords(request(len(2, len(2, [...len(5, []), ...str(3, 'INFO')]))))).toEqual([{ severity_text: 'INFO' }]);
  });

  it('treats an empty request as no events', () => {
    expect(decodeOtlpLogRecords(Buffer.from('{}'), 'application/json')).toEqual([]);
    expect(decodeOtlpLogRecords(Buffer.alloc(0), 'application/x-protobuf')).toEqual([]);
  });

  it('rejects invalid JSON and wrong shapes as decode errors naming the path', () => {
    expectOtlpError(() => decodeOtlpLogRecords(Buffer.from('{"resourceLogs":'), 'application/json'), 'decode');
    expectOtlpError(() => decodeOtlpLogRecords(Buffer.from('{"resourceLogs":{}}'), 'application/json'), 'decode');
    const badInt = '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"k","value":{"intValue":"1.5"}}]}]}]}]}';
    try {
      decodeOtlpLogRecords(Buffer.from(badInt), 'application/json');
    } catch (error) {
      expect((error as OtlpError).message).toContain('$.resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0].value');
    }
    expectOtlpError(() => decodeOtlpLogRecords(Buffer.from(badInt), 'application/json'), 'decode');
  });
});

describe('decodeOtlpLogRecords: protobuf', () => {
  it('decodes every AnyValue kind, ids, severity and both timestamps', () => {
    const record = [
      ...fixed64(1, 1544712660300000000n),
      ...vint(2, 9),
      ...str(3, 'INFO'),
      ...len(5, sv('Example log record')),
      ...len(6, kv('s', sv('text'))),
      ...len(6, kv('b', bv(true))),
      ...len(6, kv('i', iv(-42n))),
      ...len(6, kv('big', iv(2n ** 62n))),
      ...len(6, kv('d', dv(0.25))),
      ...len(6, kv('arr', av(sv('x'), iv(1n), kvl(kv('k', bv(false)))))),
      ...len(6, kv('map', kvl(kv('inner', av(dv(1.5)))))),
      ...len(6, kv('bytes', bytesv([0x00, 0xff]))),
      ...len(6, kv('none', [])),
      ...len(6, str(1, 'absent')),
      ...len(9, HEX_TRACE),
      ...len(10, HEX_SPAN),
      ...fixed64(11, 1544712660400000123n),
    ];
    const body = request([...len(2, [...len(1, scope('my.library', '1.0.0')), ...len(2, record)])]);
    expect(decodeOtlpLogRecords(body, 'application/protobuf')).toEqual([
      {
        timestamp: '2018-12-13T14:51:00.300000000Z',
        observed_timestamp: '2018-12-13T14:51:00.400000123Z',
        severity_number: 9,
        severity_text: 'INFO',
        body: 'Example log record',
        trace_id: '5b8efff798038103d269b633813fc60c',
        span_id: 'eee19b7ec3c1b174',
        s: 'text',
        b: true,
        i: -42,
        big: '4611686018427387904',
        d: 0.25,
        arr: ['x', 1, { k: false }],
        map: { inner: [1.5] },
        bytes: '00ff',
        none: null,
        'scope.name': 'my.library',
        'scope.version': '1.0.0',
      },
    ]);
  });

  it('skips unknown fields and accepts the resource after the scopes', () => {
    const unknownFields = [...vint(99, 7), ...tag(98, 5), 1, 2, 3, 4, ...str(97, 'ignored'), ...fixed64(96, 1n)];
    const record = [...unknownFields, ...str(3, 'ERROR'), ...len(6, kv('a', sv('1')))];
    const body = request([
      ...len(2, [...len(1, [...scope('s', ''), ...unknownFields]), ...len(2, record), ...unknownFields]),
      ...len(1, resource(kv('host.name', sv('web01')))),
      ...unknownFields,
    ]);
    expect(decodeOtlpLogRecords(body)).toEqual([{ severity_text: 'ERROR', a: '1', 'resource.host.name': 'web01', 'scope.name': 's' }]);
  });

  it('lets later keys overwrite earlier ones in the spec order', () => {
    const record = [...len(5, kvl(kv('host', sv('from-body')), kv('x', sv('1')))), ...len(6, kv('host', sv('from-attribute')))];
    const events = decodeOtlpLogRecords(request(len(2, len(2, record))));
    expect(events).toEqual([{ host: 'from-attribute', x: '1' }]);
    expect(Object.keys(events[0]!)).toEqual(['host', 'x']);
  });

  it('keeps many records and resources in request order', () => {
    const rec = (n: number): Bytes => len(2, len(6, kv('n', iv(BigInt(n)))));
    const body = request([...len(1, resource(kv('r', sv('a')))), ...len(2, [...rec(1), ...rec(2)])], [...len(2, rec(3))]);
    expect(decodeOtlpLogRecords(body)).toEqual([{ n: 1, 'resource.r': 'a' }, { n: 2, 'resource.r': 'a' }, { n: 3 }]);
  });

  it('rejects truncated bytes, wrong wire types and runaway nesting as decode errors', () => {
    const good = request(len(2, len(2, str(3, 'x'))));
    expectOtlpError(() => decodeOtlpLogRecords(good.subarray(0, good.length - 1)), 'decode');
    expectOtlpError(() => decodeOtlpLogRecords(Buffer.from([0x0a, 0x05, 0x01])), 'decode');
    expectOtlpError(() => decodeOtlpLogRecords(request(len(2, len(2, vint(3, 1))))), 'decode');
    expectOtlpError(() => decodeOtlpLogRecords(Buffer.from([...tag(5, 3)])), 'decode');
    let deep = sv('leaf');
    for (let i = 0; i <= MAX_ANY_VALUE_DEPTH; i++) deep = av(deep);
    expectOtlpError(() => decodeOtlpLogRecords(request(len(2, len(2, len(5, deep))))), 'decode');
  });
});

describe("OTLP records and the events' nesting limit", () => {
  it('turns the deepest AnyValue it accepts into an event within MAX_EVENT_DEPTH, in both encodings', () => {
    let deep = sv('leaf');
    for (let i = 0; i < MAX_ANY_VALUE_DEPTH; i++) deep = av(deep);
    let deepJson: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < MAX_ANY_VALUE_DEPTH; i++) deepJson = { arrayValue: { values: [deepJson] } };
    const requests: [Buffer, string | undefined][] = [
      [request(len(2, len(2, len(5, deep)))), undefined],
      [Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: deepJson }] }] }] })), 'application/json'],
    ];
    for (const [body, contentType] of requests) {
      const [event] = decodeOtlpLogs(body, contentType);
      const decoded = decodeLine(event!.payload, event!.format!);
      expect(decoded).not.toBeInstanceOf(ParseFailure);
      expect(nestsDeeper((decoded as DecodedLine).value, MAX_ANY_VALUE_DEPTH)).toBe(true);
      expect(nestsDeeper((decoded as DecodedLine).value, MAX_EVENT_DEPTH)).toBe(false);
    }
  });
});

describe('content type and encoding', () => {
  it('maps content types to encodings', () => {
    expect(otlpEncodingOf(undefined)).toBe('protobuf');
    expect(otlpEncodingOf('')).toBe('protobuf');
    expect(otlpEncodingOf('application/x-protobuf')).toBe('protobuf');
    expect(otlpEncodingOf('Application/Protobuf')).toBe('protobuf');
    expect(otlpEncodingOf('application/json; charset=utf-8')).toBe('json');
    expectOtlpError(() => otlpEncodingOf('text/plain'), 'unsupported_content_type');
  });

  it('reports bad gzip and unknown encodings as decompression errors', () => {
    expectOtlpError(() => decodeOtlpLogRecords(Buffer.from('not gzip'), 'application/json', 'gzip'), 'decompression');
    expectOtlpError(() => decodeOtlpLogRecords(Buffer.from('{}'), 'application/json', 'br'), 'decompression');
    expect(decodeOtlpLogRecords(Buffer.from('{}'), 'application/json', 'identity')).toEqual([]);
  });
});

describe('formatUnixNanos', () => {
  it('keeps all nine fractional digits', () => {
    expect(formatUnixNanos(1n)).toBe('1970-01-01T00:00:00.000000001Z');
    expect(formatUnixNanos(18446744073709551615n)).toBe('2554-07-21T23:34:33.709551615Z');
  });
});

describe('decodeOtlpLogs', () => {
  it('wraps each record as a JSON raw event with a json format override', () => {
    const json =
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"kvlistValue":{"values":[{"key":"EventID","value":{"intValue":4625}}]}}}]}]}]}';
    const [event, ...rest] = decodeOtlpLogs(Buffer.from(json), 'application/json');
    expect(rest).toEqual([]);
    expect(JSON.parse(event!.payload)).toEqual({ EventID: 4625 });
    expect(event!.format).toEqual({ kind: 'json' });
    return expect(event!.ackToken.ack()).resolves.toBeUndefined();
  });
});
