// Sink writing results to stdout (or any Writable): one JSON line per result (spec 05 §7).
// Waits for each write to be handed to the stream's destination, so a slow terminal or pipe slows the caller.

import { createWriteStream, fstatSync } from 'node:fs';
import type { EvaluationResult } from '@tsigma/eval';
import { RuntimeError } from '../errors.js';
import type { Sink } from './io-types.js';
import { serializeResults } from './ndjson.js';

/** Where a StdoutSink writes: `process.stdout`, any Writable, or a test buffer with the same `write` shape. */
export interface TextWriter {
  write(text: string, callback: (error?: Error | null) => void): boolean;
}

/**
 * Writes each result as one JSON line (indented when `pretty`) to `process.stdout` or the given stream.
 *
 * @example
 * const sink = new StdoutSink();
 * await sink.send(flattenResults(processor.processBatchLines(lines)[0]!));
 */
export class StdoutSink implements Sink {
  readonly label = 'stdout';

  constructor(
    private readonly pretty = false,
    private readonly out: TextWriter = process.stdout,
  ) {}

  /** Rejects (writing nothing of the call) with an `unserializable` RuntimeError for a result JSON cannot encode. */
  async send(results: readonly EvaluationResult[]): Promise<void> {
    if (results.length === 0) return;
    await writeText(this.out, serializeResults(results, this.pretty), this.label);
  }

  sendRaw(json: string): Promise<void> {
    return writeText(this.out, json + '\n', this.label);
  }

  sendIncident(json: string): Promise<void> {
    return this.sendRaw(json);
  }

  /** Resolves once everything written so far was flushed; the stream itself stays open (it is not ours). */
  close(): Promise<void> {
    return writeText(this.out, '', this.label);
  }
}

/** Writes `text` and resolves when the stream has accepted it (its write callback ran). */
function writeText(out: TextWriter, text: string, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (err) => {
      if (err) reject(new RuntimeError('io', `write failed: ${err.message}`, label, { cause: err }));
      else resolve();
    });
  });
}

/**
 * A writer for results on the process's standard output, and how to finish it. When stdout is a regular file
 * (`> results.ndjson`), Node writes process.stdout synchronously, so each write stalls evaluation; a write stream on
 * the same descriptor writes from libuv's thread pool instead, so disk writes overlap evaluation. Pipes and
 * terminals keep process.stdout, which is already asynchronous.
 *
 * @example
 * const out = openStdoutWriter();
 * const sink = new StdoutSink(false, out.writer);
 * // ... run, then:
 * await out.finish();
 */
export function openStdoutWriter(): { writer: TextWriter; finish(): Promise<void> } {
  let isFile = false;
  try {
    isFile = fstatSync(1).isFile();
  } catch {
    // No usable descriptor 1 (closed stdout): fall back to process.stdout, whose errors reach the writer.
  }
  if (!isFile) return { writer: process.stdout, finish: () => Promise.resolve() };
  const stream = createWriteStream('', { fd: 1, autoClose: false });
  return {
    writer: stream,
    finish: () => new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
