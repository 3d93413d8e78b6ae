// Messages between the detection pool (coordinator thread) and its workers. Everything here crosses a thread
// boundary by structured clone, so it is plain data: no functions, no class instances.

import type { EventFilterConfig } from '../event-filter.js';
import type { InputFormat } from '../input/input-format.js';
import type { BatchLine, DetectedBatch } from '../log-processor.js';
import type { RuntimeEngineOptions } from '../runtime-engine.js';

/**
 * How a worker builds its engine: the coordinator's options minus what cannot cross threads. Pipelines travel as
 * the `-p` references (builtin names or files) and are resolved in each worker, since parsed pipelines hold functions.
 */
export interface WorkerEngineSpec {
  engine: Omit<RuntimeEngineOptions, 'logger' | 'clock' | 'pipelines'>;
  /** Builtin pipeline names or pipeline files, resolved in this order (as `-p` values are). */
  pipelineRefs: readonly string[];
  /** jq / JSONPath pre-extraction, compiled in each worker. */
  filter?: EventFilterConfig;
}

/**
 * A detected batch as it crosses back. The batch minus its times travels as one JSON text: results and events came
 * from JSON and stay JSON-safe, and parsing a JSON text costs the coordinator about half of what rebuilding the
 * same objects from a structured clone does. Times travel apart because JSON has no NaN (an event without time).
 */
export interface WireDetectedBatch {
  /** `JSON.stringify` of {@link WireBatchBody}. */
  json: string;
  /** Start and end offset in `json` of each detection's own text, in order (`JSON.stringify` of that result). */
  spans: Uint32Array;
  times: Float64Array;
}

/** The JSON part: the DetectedBatch with events as own-key projections (null where an event has no detections). */
export interface WireBatchBody extends Omit<DetectedBatch, 'events' | 'times'> {
  events: (object | null)[];
}

export type ToWorker =
  { kind: 'detect'; id: number; lines: readonly BatchLine[]; format: InputFormat } | { kind: 'reload'; generation: number };

export type FromWorker =
  | { kind: 'ready'; generation: number; /** V8 heap in use once the rules are loaded, bytes. */ heapBytes: number }
  | { kind: 'load_failed'; generation: number; message: string }
  | { kind: 'detected'; id: number; batch: WireDetectedBatch }
  | { kind: 'detect_failed'; id: number; message: string };
