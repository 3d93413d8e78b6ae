// OTLP/HTTP logs decoding (spec 05 §6): content negotiation, gzip, and dispatch to the protobuf or JSON decoder.
// No HTTP here: status codes, body-size limits on the socket and metrics belong to the daemon.

import { gunzipSync } from 'node:zlib';
import { NOOP_ACK, type RawEvent } from '../io/io-types.js';
import type { InputFormat } from './input-format.js';
import { decodeLogsJson, OtlpJsonShapeError } from './otlp-json.js';
import { decodeLogsProtobuf } from './otlp-protobuf.js';
import { WireFormatError } from './protobuf-reader.js';

/**
 * A gzip body may not inflate beyond this: exporters send batches of a few MiB, and the cap stops a small
 * compressed request from expanding into gigabytes of memory.
 */
export const MAX_OTLP_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/** Failure categories, equal to the daemon's `tsigma_otlp_errors_total{reason}` label values (spec 10 §8). */
export type OtlpErrorCode = 'unsupported_content_type' | 'decompression' | 'decode';

/** A rejected OTLP request; `code` picks the HTTP status (415 or 400) and the metric reason. */
export class OtlpError extends Error {
  override readonly name = 'OtlpError';

  constructor(
    readonly code: OtlpErrorCode,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`OTLP logs request: ${detail}`, options);
  }
}

/** The encodings of an OTLP/HTTP body. */
export type OtlpEncoding = 'protobuf' | 'json';

/** One LogRecord as a flat JSON object (keys as in spec 05 §6). */
export type OtlpLogEvent = Record<string, unknown>;

/**
 * Picks the encoding from a Content-Type header: protobuf for `application/x-protobuf`, `application/protobuf`
 * or a missing header, JSON for `application/json`; parameters such as `; charset=utf-8` are ignored.
 * Throws OtlpError `unsupported_content_type` for anything else.
 */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === '' || mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  throw new OtlpError('unsupported_content_type', `unsupported content type "${contentType}"`);
}

/**
 * Decodes an OTLP/HTTP `ExportLogsServiceRequest` body into one flat event per LogRecord, in request order.
 * Throws OtlpError with code `unsupported_content_type`, `decompression` or `decode`.
 *
 * @example decodeOtlpLogRecords(body, req.headers['content-type'], req.headers['content-encoding'])
 * // → [{ timestamp: '2024-01-15T10:30:00.000000000Z', EventID: 4625, host: 'h1', 'resource.service.name': 'win' }]
 */
export function decodeOtlpLogRecords(body: Uint8Array, contentType?: string, contentEncoding?: string): OtlpLogEvent[] {
  const encoding = otlpEncodingOf(contentType);
  const bytes = decompress(body, contentEncoding);
  if (encoding === 'protobuf') {
    try {
      return decodeLogsProtobuf(bytes);
    } catch (error) {
      if (error instanceof WireFormatError) throw new OtlpError('decode', `invalid protobuf: ${error.message}`, { cause: error });
      throw error;
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new OtlpError('decode', `invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  try {
    return decodeLogsJson(parsed);
  } catch (error) {
    if (error instanceof OtlpJsonShapeError) throw new OtlpError('decode', `invalid OTLP JSON: ${error.message}`, { cause: error });
    throw error;
  }
}

/** OTLP records are JSON whatever the configured line format, so their raw events carry this override. */
const JSON_FORMAT: InputFormat = Object.freeze({ kind: 'json' });

/**
 * Decodes an OTLP/HTTP logs request into raw events for the processing loop: one compact JSON payload per
 * LogRecord with a `json` format override. HTTP ingestion is at-most-once (spec 10), so the ack is a no-op.
 * Throws OtlpError like {@link decodeOtlpLogRecords}.
 *
 * @example const events = decodeOtlpLogs(body, 'application/x-protobuf', 'gzip'); for (const e of events) await channel.send(e);
 */
export function decodeOtlpLogs(body: Uint8Array, contentType?: string, contentEncoding?: string): RawEvent[] {
  return decodeOtlpLogRecords(body, contentType, contentEncoding).map((event) => ({
    payload: JSON.stringify(event),
    ackToken: NOOP_ACK,
    format: JSON_FORMAT,
  }));
}

/** Applies Content-Encoding: none/`identity` pass through, `gzip` (or `x-gzip`) inflates with a size cap. */
function decompress(body: Uint8Array, contentEncoding: string | undefined): Uint8Array {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return body;
  if (coding !== 'gzip' && coding !== 'x-gzip') {
    throw new OtlpError('decompression', `unsupported content encoding "${contentEncoding}"`);
  }
  try {
    return gunzipSync(body, { maxOutputLength: MAX_OTLP_DECOMPRESSED_BYTES });
  } catch (error) {
    throw new OtlpError('decompression', `gzip body could not be inflated: ${(error as Error).message}`, { cause: error });
  }
}
