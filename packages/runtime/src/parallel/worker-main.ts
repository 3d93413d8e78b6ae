// Entry of a detection worker thread (built as dist/parallel-worker.js). It holds its own engine, built from the
// same rule files and pipeline references as the coordinator's, and runs the stateless half of each batch
// (decode, filter, detect); correlation state never lives here.

import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { resolvePipeline, type JsonEvent, type Pipeline } from '@tsigma/eval';
import { createEventFilter, type EventFilter } from '../event-filter.js';
import { detectLines, type DetectedBatch } from '../log-processor.js';
import { RuntimeEngine } from '../runtime-engine.js';
import type { FromWorker, ToWorker, WireBatchBody, WireDetectedBatch, WorkerEngineSpec } from './protocol.js';

if (parentPort === null) throw new Error('parallel-worker.js runs only as a worker thread');
const port = parentPort;
const spec = workerData as WorkerEngineSpec;

interface Loaded {
  engine: RuntimeEngine;
  reads: { paths: string[]; wholeEvent: boolean };
}

async function load(): Promise<Loaded> {
  const pipelines: Pipeline[] = [];
  for (const ref of spec.pipelineRefs) pipelines.push(await resolvePipeline(ref));
  const engine = new RuntimeEngine({ ...spec.engine, pipelines });
  await engine.loadRules();
  return { engine, reads: engine.correlationEventReads() };
}

/**
 * The batch as one JSON text, each event with detections reduced to the fields correlation reads (as own keys, see
 * correlationEventReads). Detections are stringified once, into the text, and their places in it recorded, so the
 * coordinator can write them out without serializing them again.
 */
function toWire(batch: DetectedBatch, reads: Loaded['reads']): WireDetectedBatch {
  const events = batch.events.map((event: JsonEvent | undefined) => {
    if (event === undefined) return null;
    if (reads.wholeEvent) return event.value as object;
    const projection: Record<string, unknown> = {};
    for (const path of reads.paths) {
      const value = event.get(path);
      if (value !== undefined) projection[path] = value;
    }
    return projection;
  });
  const head: Omit<WireBatchBody, 'detections'> = {
    lines: batch.lines,
    parseErrors: batch.parseErrors,
    inputProblems: batch.inputProblems,
    owners: batch.owners,
    events,
    ms: batch.ms,
  };
  let json = JSON.stringify(head).slice(0, -1) + ',"detections":[';
  const spans: number[] = [];
  batch.detections.forEach((found, k) => {
    json += k === 0 ? '[' : ',[';
    found.forEach((d, j) => {
      if (j > 0) json += ',';
      spans.push(json.length);
      json += JSON.stringify(d);
      spans.push(json.length);
    });
    json += ']';
  });
  json += ']}';
  return { json, spans: Uint32Array.from(spans), times: Float64Array.from(batch.times) };
}

const post = (message: FromWorker): void => port.postMessage(message);

let current: Loaded;
let filter: EventFilter | undefined;
try {
  [current, filter] = await Promise.all([load(), spec.filter === undefined ? undefined : createEventFilter(spec.filter)]);
  post({ kind: 'ready', generation: 0, heapBytes: getHeapStatistics().used_heap_size });
} catch (error) {
  post({ kind: 'load_failed', generation: 0, message: (error as Error).message });
  port.close();
}

// Messages are handled one at a time in arrival order, so a reload lands exactly between two batches.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message));
});

async function handle(message: ToWorker): Promise<void> {
  if (message.kind === 'reload') {
    try {
      current = await load();
      post({ kind: 'ready', generation: message.generation, heapBytes: getHeapStatistics().used_heap_size });
    } catch (error) {
      post({ kind: 'load_failed', generation: message.generation, message: (error as Error).message });
    }
    return;
  }
  try {
    const detected = detectLines(current.engine, message.lines, message.format, filter, {});
    const batch = toWire(detected, current.reads);
    port.postMessage({ kind: 'detected', id: message.id, batch } satisfies FromWorker, [
      batch.times.buffer as ArrayBuffer,
      batch.spans.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    post({ kind: 'detect_failed', id: message.id, message: (error as Error).message });
  }
}
