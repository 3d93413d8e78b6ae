// Protobuf decoding of an OTLP `ExportLogsServiceRequest` (opentelemetry-proto logs/v1, common/v1,
// resource/v1) into flat events. Unknown fields are skipped, as protobuf requires; nothing else is interpreted.

import {
  MAX_ANY_VALUE_DEPTH,
  attributesToObject,
  buildLogEvent,
  int64ToJson,
  toHex,
  type Attribute,
  type LogRecordParts,
  type RecordContext,
} from './otlp-record.js';
import { ProtoReader, WireFormatError, WireType } from './protobuf-reader.js';

/** Decodes a serialized ExportLogsServiceRequest; throws WireFormatError on malformed bytes. */
export function decodeLogsProtobuf(bytes: Uint8Array): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  const request = new ProtoReader(bytes);
  while (request.more()) {
    const [field, wire] = request.tag();
    if (field === 1) {
      request.expect(field, wire, WireType.Len);
      readResourceLogs(request.message(), events);
    } else {
      request.skip(wire);
    }
  }
  return events;
}

/** ResourceLogs: 1 resource, 2 scope_logs. The resource may follow the scopes on the wire, so scopes wait. */
function readResourceLogs(reader: ProtoReader, events: Record<string, unknown>[]): void {
  let resource: Attribute[] = [];
  const scopes: ProtoReader[] = [];
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      reader.expect(field, wire, WireType.Len);
      resource = readAttributesOf(reader.message(), 1);
    } else if (field === 2) {
      reader.expect(field, wire, WireType.Len);
      scopes.push(reader.message());
    } else {
      reader.skip(wire);
    }
  }
  for (const scope of scopes) readScopeLogs(scope, resource, events);
}

/** ScopeLogs: 1 scope (InstrumentationScope: 1 name, 2 version), 2 log_records. */
function readScopeLogs(reader: ProtoReader, resource: Attribute[], events: Record<string, unknown>[]): void {
  const context: RecordContext = { resource, scopeName: '', scopeVersion: '' };
  const records: ProtoReader[] = [];
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      reader.expect(field, wire, WireType.Len);
      const scope = reader.message();
      while (scope.more()) {
        const [f, w] = scope.tag();
        if (f === 1 && w === WireType.Len) context.scopeName = scope.string();
        else if (f === 2 && w === WireType.Len) context.scopeVersion = scope.string();
        else scope.skip(w);
      }
    } else if (field === 2) {
      reader.expect(field, wire, WireType.Len);
      records.push(reader.message());
    } else {
      reader.skip(wire);
    }
  }
  for (const record of records) events.push(buildLogEvent(readLogRecord(record), context));
}

/**
 * LogRecord: 1 time_unix_nano (fixed64), 2 severity_number, 3 severity_text, 5 body, 6 attributes,
 * 9 trace_id, 10 span_id, 11 observed_time_unix_nano (fixed64).
 */
function readLogRecord(reader: ProtoReader): LogRecordParts {
  const record: LogRecordParts = {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    traceId: '',
    spanId: '',
    attributes: [],
  };
  while (reader.more()) {
    const [field, wire] = reader.tag();
    switch (field) {
      case 1:
        reader.expect(field, wire, WireType.Fixed64);
        record.timeUnixNano = reader.fixed64();
        break;
      case 11:
        reader.expect(field, wire, WireType.Fixed64);
        record.observedTimeUnixNano = reader.fixed64();
        break;
      case 2:
        reader.expect(field, wire, WireType.Varint);
        record.severityNumber = reader.varint();
        break;
      case 3:
        reader.expect(field, wire, WireType.Len);
        record.severityText = reader.string();
        break;
      case 5: {
        reader.expect(field, wire, WireType.Len);
        const [value, kind] = readAnyValueCase(reader.message(), 0);
        // An empty body is no body (as in rsigma); an empty attribute value, by contrast, becomes null.
        if (kind !== 0) record.body = { value, kvlist: kind === KVLIST_VALUE };
        break;
      }
      case 6:
        reader.expect(field, wire, WireType.Len);
        addKeyValue(record.attributes, reader.message(), 0);
        break;
      case 9:
        reader.expect(field, wire, WireType.Len);
        record.traceId = toHex(reader.bytesField());
        break;
      case 10:
        reader.expect(field, wire, WireType.Len);
        record.spanId = toHex(reader.bytesField());
        break;
      default:
        reader.skip(wire);
    }
  }
  return record;
}

/** Collects the repeated KeyValue field `field` of a message (Resource.attributes is field 1). */
function readAttributesOf(reader: ProtoReader, field: number): Attribute[] {
  const attributes: Attribute[] = [];
  while (reader.more()) {
    const [f, wire] = reader.tag();
    if (f === field) {
      reader.expect(f, wire, WireType.Len);
      addKeyValue(attributes, reader.message(), 0);
    } else {
      reader.skip(wire);
    }
  }
  return attributes;
}

/** KeyValue: 1 key, 2 value. A pair without a value field is left out, as rsigma does; an empty value is null. */
function addKeyValue(out: Attribute[], reader: ProtoReader, depth: number): void {
  let key = '';
  let value: unknown;
  let hasValue = false;
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      reader.expect(field, wire, WireType.Len);
      key = reader.string();
    } else if (field === 2) {
      reader.expect(field, wire, WireType.Len);
      value = readAnyValue(reader.message(), depth + 1);
      hasValue = true;
    } else {
      reader.skip(wire);
    }
  }
  if (hasValue) out.push([key, value]);
}

/** AnyValue as JSON: string, bool, number (or decimal string beyond 2^53), array, object, hex bytes, or null. */
function readAnyValue(reader: ProtoReader, depth: number): unknown {
  return readAnyValueCase(reader, depth)[0];
}

/** The AnyValue oneof field holding a KeyValueList; a body of this kind is spread into the event. */
const KVLIST_VALUE = 6;

/**
 * AnyValue oneof: 1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue, 6 KeyValueList, 7 bytes; none → null.
 * Returns the value and the oneof field that set it (0 when empty); as protobuf requires, the last one wins.
 */
function readAnyValueCase(reader: ProtoReader, depth: number): [unknown, number] {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new WireFormatError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  let value: unknown = null;
  let kind = 0;
  while (reader.more()) {
    const [field, wire] = reader.tag();
    if (field >= 1 && field <= 7) kind = field;
    switch (field) {
      case 1:
        reader.expect(field, wire, WireType.Len);
        value = reader.string();
        break;
      case 2:
        reader.expect(field, wire, WireType.Varint);
        value = reader.varint64() !== 0n;
        break;
      case 3:
        reader.expect(field, wire, WireType.Varint);
        value = int64ToJson(BigInt.asIntN(64, reader.varint64()));
        break;
      case 4:
        reader.expect(field, wire, WireType.Fixed64);
        value = reader.double();
        break;
      case 5: {
        reader.expect(field, wire, WireType.Len);
        const items: unknown[] = [];
        const array = reader.message();
        while (array.more()) {
          const [f, w] = array.tag();
          if (f === 1) {
            array.expect(f, w, WireType.Len);
            items.push(readAnyValue(array.message(), depth + 1));
          } else {
            array.skip(w);
          }
        }
        value = items;
        break;
      }
      case KVLIST_VALUE: {
        reader.expect(field, wire, WireType.Len);
        const list = reader.message();
        const pairs: Attribute[] = [];
        while (list.more()) {
          const [f, w] = list.tag();
          if (f === 1) {
            list.expect(f, w, WireType.Len);
            addKeyValue(pairs, list.message(), depth + 1);
          } else {
            list.skip(w);
          }
        }
        value = attributesToObject(pairs);
        break;
      }
      case 7:
        reader.expect(field, wire, WireType.Len);
        value = toHex(reader.bytesField());
        break;
      default:
        reader.skip(wire);
    }
  }
  return [value, kind];
}
