// Turns decoded OTLP log records into flat events (spec 05 §6), shared by the protobuf and JSON decoders.
// Values only: transport, content types and error codes live in otlp.ts.

/** A KeyValue whose AnyValue is already converted to JSON. */
export type Attribute = [key: string, value: unknown];

/** The LogRecord fields an event is built from, decoded from either encoding. */
export interface LogRecordParts {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  /** Absent when the record has no body; `kvlist` bodies are spread into top-level keys. */
  body?: { value: unknown; kvlist: boolean };
  traceId: string;
  spanId: string;
  attributes: Attribute[];
}

/** Resource and scope data shared by the records of one ScopeLogs. */
export interface RecordContext {
  resource: Attribute[];
  scopeName: string;
  scopeVersion: string;
}

/** AnyValues nested deeper than this are rejected: real attributes are shallow, and recursion must stay bounded. */
export const MAX_ANY_VALUE_DEPTH = 64;

const NANOS_PER_SECOND = 1_000_000_000n;
const MIN_EXACT = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Builds one event; keys are inserted in the spec's order and a later insert overwrites an earlier value. */
export function buildLogEvent(record: LogRecordParts, context: RecordContext): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  if (record.timeUnixNano !== 0n) event.timestamp = formatUnixNanos(record.timeUnixNano);
  if (record.observedTimeUnixNano !== 0n) event.observed_timestamp = formatUnixNanos(record.observedTimeUnixNano);
  if (record.severityNumber !== 0) event.severity_number = record.severityNumber;
  if (record.severityText !== '') event.severity_text = record.severityText;
  if (record.body) {
    const { value, kvlist } = record.body;
    if (kvlist) for (const [key, v] of Object.entries(value as Record<string, unknown>)) setKey(event, key, v);
    else event.body = value;
  }
  if (record.traceId !== '') event.trace_id = record.traceId;
  if (record.spanId !== '') event.span_id = record.spanId;
  for (const [key, value] of record.attributes) setKey(event, key, value);
  for (const [key, value] of context.resource) setKey(event, `resource.${key}`, value);
  if (context.scopeName !== '') event['scope.name'] = context.scopeName;
  if (context.scopeVersion !== '') event['scope.version'] = context.scopeVersion;
  return event;
}

/** Converts key/value pairs to an object (a later duplicate key overwrites, as in the event itself). */
export function attributesToObject(pairs: Attribute[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of pairs) setKey(object, key, value);
  return object;
}

/** An int64 as a JSON number when exact, else as a decimal string (spec 05 §6). */
export function int64ToJson(value: bigint): number | string {
  return value >= MIN_EXACT && value <= MAX_EXACT ? Number(value) : value.toString();
}

/** Lowercase hex of raw bytes (trace and span ids, `bytes_value`). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** RFC 3339 UTC with nine fractional digits, computed on BigInt so no nanosecond is lost. */
export function formatUnixNanos(nanos: bigint): string {
  // fixed64 nanoseconds end in the year 2554, well inside the range Date can render.
  const seconds = new Date(Number(nanos / NANOS_PER_SECOND) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${(nanos % NANOS_PER_SECOND).toString().padStart(9, '0')}Z`;
}

/** Sets an own property, defining `__proto__` explicitly so hostile keys cannot change the prototype. */
function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
