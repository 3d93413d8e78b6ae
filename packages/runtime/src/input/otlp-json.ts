// Decoding of an OTLP `ExportLogsServiceRequest` in the OTLP/JSON encoding
// (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) into flat events.
// Accepts lowerCamelCase and snake_case keys, int64 as string or number, hex ids, base64 bytes.

import {
  MAX_ANY_VALUE_DEPTH,
  attributesToObject,
  buildLogEvent,
  int64ToJson,
  type Attribute,
  type LogRecordParts,
  type RecordContext,
} from './otlp-record.js';

/** Thrown for a JSON body whose shape is not an ExportLogsServiceRequest; names the offending path. */
export class OtlpJsonShapeError extends Error {
  override readonly name = 'OtlpJsonShapeError';
}

type JsonObject = Record<string, unknown>;

/** Severity enum names (SEVERITY_NUMBER_TRACE = 1 … SEVERITY_NUMBER_FATAL4 = 24), for senders that emit names. */
const SEVERITY_NAMES = new Map(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level, i) =>
    ['', '2', '3', '4'].map((suffix, j): [string, number] => [`SEVERITY_NUMBER_${level}${suffix}`, i * 4 + j + 1]),
  ),
);

/** Decodes an already-parsed OTLP/JSON request body. */
export function decodeLogsJson(request: unknown): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  const root = asObject(request, '$');
  arrayField(root, 'resourceLogs', 'resource_logs', '$').forEach((rl, i) => {
    const rlPath = `$.resourceLogs[${i}]`;
    const resourceLogs = asObject(rl, rlPath);
    const resourceValue = field(resourceLogs, 'resource', 'resource');
    const resource =
      resourceValue === undefined || resourceValue === null
        ? []
        : readAttributes(asObject(resourceValue, `${rlPath}.resource`), `${rlPath}.resource`);
    arrayField(resourceLogs, 'scopeLogs', 'scope_logs', rlPath).forEach((sl, j) => {
      const slPath = `${rlPath}.scopeLogs[${j}]`;
      const scopeLogs = asObject(sl, slPath);
      const context: RecordContext = { resource, scopeName: '', scopeVersion: '' };
      const scopeValue = field(scopeLogs, 'scope', 'scope');
      if (scopeValue !== undefined && scopeValue !== null) {
        const scope = asObject(scopeValue, `${slPath}.scope`);
        context.scopeName = stringField(scope, 'name', 'name', `${slPath}.scope`);
        context.scopeVersion = stringField(scope, 'version', 'version', `${slPath}.scope`);
      }
      arrayField(scopeLogs, 'logRecords', 'log_records', slPath).forEach((lr, k) => {
        const path = `${slPath}.logRecords[${k}]`;
        events.push(buildLogEvent(readLogRecord(asObject(lr, path), path), context));
      });
    });
  });
  return events;
}

function readLogRecord(record: JsonObject, path: string): LogRecordParts {
  const parts: LogRecordParts = {
    timeUnixNano: readUint64(field(record, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`),
    observedTimeUnixNano: readUint64(field(record, 'observedTimeUnixNano', 'observed_time_unix_nano'), `${path}.observedTimeUnixNano`),
    severityNumber: readSeverity(field(record, 'severityNumber', 'severity_number'), `${path}.severityNumber`),
    severityText: stringField(record, 'severityText', 'severity_text', path),
    traceId: stringField(record, 'traceId', 'trace_id', path).toLowerCase(),
    spanId: stringField(record, 'spanId', 'span_id', path).toLowerCase(),
    attributes: readAttributes(record, path),
  };
  const body = field(record, 'body', 'body');
  if (body !== undefined && body !== null) {
    const bodyObject = asObject(body, `${path}.body`);
    // An empty body is no body (as in rsigma); an empty attribute value, by contrast, becomes null.
    if (Object.keys(bodyObject).length > 0) {
      const value = readAnyValue(bodyObject, `${path}.body`, 0);
      parts.body = { value, kvlist: field(bodyObject, 'kvlistValue', 'kvlist_value') !== undefined };
    }
  }
  return parts;
}

/** The `attributes` array of a Resource, InstrumentationScope, LogRecord or KeyValueList (`values`). */
function readAttributes(holder: JsonObject, path: string, depth = 0, camel = 'attributes'): Attribute[] {
  const attributes: Attribute[] = [];
  arrayField(holder, camel, camel, path).forEach((kv, i) => {
    const kvPath = `${path}.${camel}[${i}]`;
    const pair = asObject(kv, kvPath);
    const value = field(pair, 'value', 'value');
    // A pair without a value is left out, as rsigma does; an empty value object becomes null.
    if (value === undefined || value === null) return;
    attributes.push([
      stringField(pair, 'key', 'key', kvPath),
      readAnyValue(asObject(value, `${kvPath}.value`), `${kvPath}.value`, depth + 1),
    ]);
  });
  return attributes;
}

function readAnyValue(value: JsonObject, path: string, depth: number): unknown {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new OtlpJsonShapeError(`${path}: AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  const text = field(value, 'stringValue', 'string_value');
  if (text !== undefined) return expectType(text, 'string', path);
  const bool = field(value, 'boolValue', 'bool_value');
  if (bool !== undefined) return expectType(bool, 'boolean', path);
  const int = field(value, 'intValue', 'int_value');
  if (int !== undefined) return int64ToJson(readInt64(int, path));
  const double = field(value, 'doubleValue', 'double_value');
  if (double !== undefined) return readDouble(double, path);
  const array = field(value, 'arrayValue', 'array_value');
  if (array !== undefined) {
    const values = arrayField(asObject(array, `${path}.arrayValue`), 'values', 'values', `${path}.arrayValue`);
    return values.map((item, i) =>
      readAnyValue(asObject(item, `${path}.arrayValue.values[${i}]`), `${path}.arrayValue.values[${i}]`, depth + 1),
    );
  }
  const kvlist = field(value, 'kvlistValue', 'kvlist_value');
  if (kvlist !== undefined) {
    return attributesToObject(readAttributes(asObject(kvlist, `${path}.kvlistValue`), `${path}.kvlistValue`, depth, 'values'));
  }
  const bytes = field(value, 'bytesValue', 'bytes_value');
  if (bytes !== undefined) return Buffer.from(expectType(bytes, 'string', path) as string, 'base64').toString('hex');
  return null;
}

function field(object: JsonObject, camel: string, snake: string): unknown {
  const value = object[camel];
  return value === undefined && snake !== camel ? object[snake] : value;
}

function arrayField(object: JsonObject, camel: string, snake: string, path: string): unknown[] {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpJsonShapeError(`${path}.${camel}: expected an array`);
  return value;
}

function stringField(object: JsonObject, camel: string, snake: string, path: string): string {
  const value = field(object, camel, snake);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OtlpJsonShapeError(`${path}.${camel}: expected a string`);
  return value;
}

function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OtlpJsonShapeError(`${path}: expected an object`);
  return value as JsonObject;
}

function expectType(value: unknown, type: 'string' | 'boolean', path: string): unknown {
  if (typeof value !== type) throw new OtlpJsonShapeError(`${path}: expected a ${type}`);
  return value;
}

/** int64 as a decimal string (the proto3 JSON form) or a JSON number. */
function readInt64(value: unknown, path: string): bigint {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt.asIntN(64, BigInt(value));
  throw new OtlpJsonShapeError(`${path}: expected a 64-bit integer`);
}

/** fixed64 timestamps: a decimal string or a JSON number (which JSON.parse may already have rounded). */
function readUint64(value: unknown, path: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt.asUintN(64, BigInt(value));
  throw new OtlpJsonShapeError(`${path}: expected an unsigned 64-bit integer`);
}

/** doubles may be numbers or the proto3 JSON strings "NaN", "Infinity", "-Infinity" (or numeric strings). */
function readDouble(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (value === 'NaN') return Number.NaN;
  throw new OtlpJsonShapeError(`${path}: expected a number`);
}

function readSeverity(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const named = value === 'SEVERITY_NUMBER_UNSPECIFIED' ? 0 : SEVERITY_NAMES.get(value);
    if (named !== undefined) return named;
    if (/^\d+$/.test(value)) return Number(value);
  }
  throw new OtlpJsonShapeError(`${path}: expected a severity number`);
}
