// Input-format throughput: lines/s of decodeLine per format, JSON-stream splitting MB/s and OTLP records/s,
// over generated lines. Run through bench/run.ts; it measures, it never asserts.

import { decodeLine } from '../src/input/decode-line.js';
import type { InputFormat } from '../src/input/input-format.js';
import { splitJsonDocuments } from '../src/input/json-stream.js';
import { decodeOtlpLogRecords } from '../src/input/otlp.js';
import { cefLines, jsonLines, logfmtLines, otlpProtobufRequest, plainLines, rfc3164Lines, rfc5424Lines } from './input-data.js';

/** One measured case. */
interface BenchResult {
  name: string;
  /** Items (lines, documents or records) per second over the timed passes. */
  perSecond: number;
  /** Megabytes of UTF-8 input per second. */
  mbPerSecond: number;
  /** Resident set size right after the case, in MiB. */
  rssMiB: number;
}

/** Enough lines per case to run for a few hundred milliseconds, so timer noise stays small. */
const LINES_PER_CASE = 100_000;
/** Untimed passes first, so the numbers describe optimized code rather than the interpreter. */
const WARMUP_PASSES = 2;
const TIMED_PASSES = 5;

const gc = (globalThis as { gc?: () => void }).gc;

function measure(name: string, items: number, bytes: number, run: () => void): BenchResult {
  for (let i = 0; i < WARMUP_PASSES; i++) run();
  gc?.();
  const start = process.hrtime.bigint();
  for (let i = 0; i < TIMED_PASSES; i++) run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    name,
    perSecond: (items * TIMED_PASSES) / seconds,
    mbPerSecond: (bytes * TIMED_PASSES) / seconds / 1e6,
    rssMiB: process.memoryUsage.rss() / 1048576,
  };
}

function lineCase(name: string, lines: string[], format: InputFormat): BenchResult {
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
  // A fixed clock keeps Date.now() out of the measurement, as it would be in a batch with a cached clock.
  const clock = (): number => 1_717_200_000_000;
  let sink = 0;
  const result = measure(name, lines.length, bytes, () => {
    for (const line of lines) if (decodeLine(line, format, false, clock) !== undefined) sink++;
  });
  if (sink === 0) throw new Error('benchmark produced nothing');
  return result;
}

/** Pretty-printed copies of the JSON lines, concatenated as in SigmaHQ regression data. */
function prettyConcatenation(lines: string[]): string {
  return lines.map((line) => JSON.stringify(JSON.parse(line), null, 2)).join('\n');
}

/** OTLP/JSON request carrying `count` records, similar to what the collector's otlphttp exporter sends. */
function otlpJsonRequest(lines: string[]): Buffer {
  const logRecords = lines.map((line, i) => ({
    timeUnixNano: String(1705314600000000000n + BigInt(i)),
    severityNumber: 9,
    body: { stringValue: line },
    attributes: [
      { key: 'host.name', value: { stringValue: `web${i % 8}` } },
      { key: 'seq', value: { intValue: String(i) } },
    ],
  }));
  return Buffer.from(
    JSON.stringify({
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeLogs: [{ logRecords }] }],
    }),
  );
}

/** Runs every case and returns the measurements in a stable order. */
export function runInputBench(): BenchResult[] {
  const json = jsonLines(LINES_PER_CASE);
  const results = [
    lineCase('json', json, { kind: 'json' }),
    lineCase('auto (json lines)', json, { kind: 'auto' }),
    lineCase('syslog rfc3164', rfc3164Lines(LINES_PER_CASE), { kind: 'syslog' }),
    lineCase('syslog rfc5424 + SD', rfc5424Lines(LINES_PER_CASE), { kind: 'syslog' }),
    lineCase('auto (rfc3164 lines)', rfc3164Lines(LINES_PER_CASE), { kind: 'auto' }),
    lineCase('logfmt', logfmtLines(LINES_PER_CASE), { kind: 'logfmt' }),
    lineCase('cef (syslog-wrapped)', cefLines(LINES_PER_CASE), { kind: 'cef' }),
    lineCase('plain', plainLines(LINES_PER_CASE), { kind: 'plain' }),
    lineCase('auto (plain lines)', plainLines(LINES_PER_CASE), { kind: 'auto' }),
  ];
  const ndjson = json.join('\n');
  results.push(measure('split ndjson', json.length, Buffer.byteLength(ndjson), () => void splitJsonDocuments(ndjson)));
  const pretty = prettyConcatenation(json);
  results.push(measure('split pretty concatenation', json.length, Buffer.byteLength(pretty), () => void splitJsonDocuments(pretty)));
  const array = `[${json.join(',\n')}]`;
  results.push(measure('split json array', json.length, Buffer.byteLength(array), () => void splitJsonDocuments(array)));
  const otlp = otlpJsonRequest(json.slice(0, 10_000));
  results.push(measure('otlp json (10k records/request)', 10_000, otlp.length, () => void decodeOtlpLogRecords(otlp, 'application/json')));
  const protobuf = otlpProtobufRequest(json.slice(0, 10_000));
  results.push(measure('otlp protobuf (10k records/request)', 10_000, protobuf.length, () => void decodeOtlpLogRecords(protobuf)));
  return results;
}
