// Sink writing results to stdout (or any Writable): one JSON line per result (spec 05 §7).
// Waits for each write to be handed to the stream's destination, so a slow terminal or pipe slows the caller.

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

  send(results: readonly EvaluationResult[]): Promise<void> {
    if (results.length === 0) return Promise.resolve();
    return writeText(this.out, serializeResults(results, this.pretty), this.label);
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
