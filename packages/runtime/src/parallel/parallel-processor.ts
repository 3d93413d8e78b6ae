// Parallel evaluation (spec 05 §3 batches, issue 17): detection runs in worker threads, each with its own engine
// built from the same rule files; correlation stays on this thread, in input order, on the LogProcessor's engine.
// The stateless half of a batch (decode, filter, detect) is what workers do; they send back each event's
// detections plus only the fields the loaded correlations read, so the public results and their order are
// exactly those of one thread.

import { Worker } from 'node:worker_threads';
import { JsonEvent, silentLogger, type Logger } from '@tsigma/eval';
import { RuntimeError } from '../errors.js';
import { rememberJson } from '../io/ndjson.js';
import type { InputFormat } from '../input/input-format.js';
import { detectLines, type BatchLine, type BatchProcessOutcome, type DetectedBatch, type LogProcessor } from '../log-processor.js';
import { RuntimeEngine, type EngineStats } from '../runtime-engine.js';
import type { FromWorker, ToWorker, WireBatchBody, WireDetectedBatch, WorkerEngineSpec } from './protocol.js';

export type { WorkerEngineSpec } from './protocol.js';

/**
 * Tries a batch gets on workers before the coordinator detects it itself: a batch that kills two workers in a row
 * is most likely what kills them, and running it here gives the single-thread outcome instead of a crash loop.
 */
const WORKER_ATTEMPTS = 2;

/**
 * The built worker entry. From the bundle (dist/index.js) it is a sibling file; from the TypeScript sources (tests
 * run them) the worker still has to be the built file, since a worker thread cannot load .ts without a loader.
 */
function workerScript(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? '../../dist/parallel-worker.js' : './parallel-worker.js', here);
}

/** Options of {@link ParallelLogProcessor.start}. */
export interface ParallelOptions {
  /** Correlates on this thread and owns the engine that reloads swap. Its engine's options must match `spec`. */
  processor: LogProcessor;
  /** How each worker builds its engine (the same rule files, pipeline references and filter). */
  spec: WorkerEngineSpec;
  /** Worker threads; at least 1. */
  workers: number;
  /** Reports replaced workers, and problems met decoding EVTX chunks (fields `file`, `code`), at warn; default silent. */
  logger?: Logger;
  /**
   * Let sinks write each detection's JSON text as the worker built it instead of serializing the object again;
   * default true. `runPipeline` forgets the texts of results that go through stages, which may change them.
   */
  rememberJson?: boolean;
}

interface PendingBatch {
  seq: number;
  lines: readonly BatchLine[];
  format: InputFormat;
  attempts: number;
  detected?: DetectedBatch;
  resolve(outcome: BatchProcessOutcome): void;
  reject(error: unknown): void;
}

/** One worker thread and the batches it holds, oldest first. */
interface Slot {
  worker: Worker;
  inFlight: Map<number, PendingBatch>;
  /** The worker's V8 heap after it loaded the rules, bytes. */
  heapBytes: number;
  /** True once this slot was replaced or closed: late events of its worker are ignored. */
  retired: boolean;
}

/** A set of workers that all loaded one generation of the rules. */
type WorkerSet = Slot[];

/**
 * Detection in worker threads, correlation here. `process` resolves batches in the order they were submitted,
 * each exactly as `LogProcessor.processBatchWithFormatDetailed` would have on this thread. A worker that dies is
 * replaced and its batches run again (never dropped); a reload builds a whole new worker set beside the old one
 * and switches to it, together with the coordinator's engine, between two batches.
 *
 * @example
 * const parallel = await ParallelLogProcessor.start({ processor, spec: { engine: { rulesPath: 'rules/' }, pipelineRefs: ['windows'] }, workers: 2 });
 * const outcome = await parallel.process(lines, { kind: 'json' });
 * await parallel.close();
 */
export class ParallelLogProcessor {
  private workers: WorkerSet;
  private nextSeq = 0;
  /** Sequence number of the next batch to correlate. */
  private nextToCorrelate = 0;
  /** Submitted and not yet correlated, by sequence number. */
  private readonly pending = new Map<number, PendingBatch>();
  /** Resolves when `pending` next becomes empty; used by reload's switch and by close. */
  private idleWaiters: (() => void)[] = [];
  /** Set while a reload switches: new batches wait for it. */
  private switching: Promise<void> | undefined;
  private closed = false;
  private replaced = 0;
  /** Replacement workers being started. */
  private replacing = 0;
  /** Batches waiting for a replacement while no worker is alive. */
  private readonly waiting: PendingBatch[] = [];
  /** Last generation a reload asked for, and the one the current worker set loaded. */
  private generation = 0;
  private activeGeneration = 0;
  private readonly logger: Logger;

  private constructor(
    private readonly options: ParallelOptions,
    workers: WorkerSet,
  ) {
    this.workers = workers;
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts the workers and waits until every one has loaded the rules; rejects (`worker_load`) if any cannot. */
  static async start(options: ParallelOptions): Promise<ParallelLogProcessor> {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
    }
    const parallel = new ParallelLogProcessor(options, []);
    parallel.workers = await parallel.startSet(0);
    return parallel;
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.workers.length;
  }

  /** Workers replaced after dying since the pool started. */
  get workersReplaced(): number {
    return this.replaced;
  }

  /** Each worker's V8 heap right after it loaded the rules, bytes: the memory a worker costs. */
  workerHeapBytes(): number[] {
    return this.workers.map((slot) => slot.heapBytes);
  }

  /** Decodes and detects `lines` in a worker, then correlates them here; resolves in submission order. */
  async process(lines: readonly BatchLine[], format: InputFormat): Promise<BatchProcessOutcome> {
    while (this.switching !== undefined) await this.switching;
    if (this.closed) throw new RuntimeError('pool_closed', 'the parallel pool was closed', 'ParallelLogProcessor');
    return new Promise<BatchProcessOutcome>((resolve, reject) => {
      const batch: PendingBatch = { seq: this.nextSeq++, lines, format, attempts: 0, resolve, reject };
      this.pending.set(batch.seq, batch);
      this.send(batch);
    });
  }

  /**
   * Reloads the rules everywhere as one step: a new coordinator engine and a new worker set are built beside the
   * running ones; once both loaded, the next batch boundary switches to them (correlation state carried over, as
   * `LogProcessor.swapEngine` does). A load that fails anywhere leaves everything as it was and rejects.
   */
  async reloadRules(): Promise<EngineStats> {
    const generation = ++this.generation;
    const next = new RuntimeEngine(this.options.processor.currentEngine().options);
    const [loaded, workers] = await Promise.allSettled([next.loadRules(), this.startSet(generation)]);
    if (loaded.status === 'rejected' || workers.status === 'rejected') {
      if (workers.status === 'fulfilled') await terminateSet(workers.value);
      throw loaded.status === 'rejected' ? loaded.reason : (workers as PromiseRejectedResult).reason;
    }
    let release!: () => void;
    this.switching = new Promise<void>((resolve) => (release = resolve));
    try {
      await this.whenIdle();
      const old = this.workers;
      this.options.processor.swapEngine(next);
      this.workers = workers.value;
      this.activeGeneration = generation;
      await terminateSet(old);
    } finally {
      this.switching = undefined;
      release();
    }
    return next.stats();
  }

  /** Waits for every submitted batch, then stops the workers. Later `process` calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.whenIdle();
    await terminateSet(this.workers);
  }

  /**
   * Fault drill: kills worker `index` as a crash would. Its batches are run again on the replacement; nothing
   * is lost or doubled. For tests and chaos checks.
   */
  async killWorker(index: number): Promise<void> {
    const slot = this.workers[index];
    if (slot === undefined) throw new RangeError(`no worker ${index}`);
    await slot.worker.terminate();
  }

  private whenIdle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Hands `batch` to the worker with the fewest batches in flight (or detects it here after repeated deaths). */
  private send(batch: PendingBatch): void {
    if (batch.attempts >= WORKER_ATTEMPTS) {
      this.detectHere(batch);
      return;
    }
    if (this.workers.length === 0) {
      // Every worker died: wait for a replacement, or detect here when none is coming.
      if (this.replacing > 0) this.waiting.push(batch);
      else this.detectHere(batch);
      return;
    }
    batch.attempts++;
    let best = this.workers[0] as Slot;
    for (const slot of this.workers) if (slot.inFlight.size < best.inFlight.size) best = slot;
    best.inFlight.set(batch.seq, batch);
    const message: ToWorker = { kind: 'detect', id: batch.seq, lines: batch.lines, format: batch.format };
    best.worker.postMessage(message);
  }

  private detectHere(batch: PendingBatch): void {
    const processor = this.options.processor;
    try {
      batch.detected = detectLines(processor.currentEngine(), batch.lines, batch.format, undefined, {});
    } catch (error) {
      this.fail(batch, error);
      return;
    }
    this.correlateReady();
  }

  private onDetected(slot: Slot, id: number, wire: WireDetectedBatch): void {
    const batch = slot.inFlight.get(id);
    if (batch === undefined) return;
    slot.inFlight.delete(id);
    const body = JSON.parse(wire.json) as WireBatchBody;
    if (this.options.rememberJson !== false) {
      // Each detection's text is already in the wire text: sinks write that slice instead of serializing again.
      let at = 0;
      for (const found of body.detections) {
        for (const d of found) {
          rememberJson(d, wire.json.slice(wire.spans[at], wire.spans[at + 1]));
          at += 2;
        }
      }
    }
    batch.detected = {
      ...body,
      events: body.events.map((e) => (e === null ? undefined : new JsonEvent(e))),
      times: Array.from(wire.times),
    };
    this.correlateReady();
  }

  /** Correlates every detected batch that is next in line, in submission order. */
  private correlateReady(): void {
    for (;;) {
      const batch = this.pending.get(this.nextToCorrelate);
      if (batch?.detected === undefined) break;
      this.pending.delete(batch.seq);
      this.nextToCorrelate++;
      // Problems inside inputs (damaged EVTX records decoded in a worker) are logged as the EVTX source logs its own.
      for (const p of batch.detected.inputProblems) this.logger.warn(p.message, { file: p.file, code: p.code });
      const processor = this.options.processor;
      try {
        batch.resolve(processor.correlateDetected(processor.currentEngine(), batch.detected));
      } catch (error) {
        batch.reject(error);
      }
    }
    this.notifyIfIdle();
  }

  private fail(batch: PendingBatch, error: unknown): void {
    // Later batches wait for this one's place in the order; it resolves as failed so they can go on.
    this.pending.delete(batch.seq);
    if (batch.seq === this.nextToCorrelate) this.nextToCorrelate++;
    batch.reject(error);
    this.correlateReady();
  }

  private notifyIfIdle(): void {
    if (this.pending.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Starts a full worker set for `generation`; resolves once all loaded, rejects (and stops them) if any failed. */
  private async startSet(generation: number): Promise<WorkerSet> {
    const started = Array.from({ length: this.options.workers }, () => this.startWorker(generation));
    const settled = await Promise.allSettled(started);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const set = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failure !== undefined) {
      await terminateSet(set);
      throw failure.reason;
    }
    return set;
  }

  private startWorker(generation: number): Promise<Slot> {
    const worker = new Worker(workerScript(), { workerData: this.options.spec });
    const slot: Slot = { worker, inFlight: new Map(), heapBytes: 0, retired: false };
    return new Promise<Slot>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromWorker) => {
        switch (message.kind) {
          case 'ready':
            ready = true;
            slot.heapBytes = message.heapBytes;
            resolve(slot);
            return;
          case 'load_failed':
            reject(new RuntimeError('worker_load', message.message, String(this.options.spec.engine.rulesPath)));
            void worker.terminate();
            return;
          case 'detected':
            this.onDetected(slot, message.id, message.batch);
            return;
          case 'detect_failed': {
            const batch = slot.inFlight.get(message.id);
            slot.inFlight.delete(message.id);
            // The worker is fine but the batch threw there; detecting it here gives the single-thread outcome.
            if (batch !== undefined) this.detectHere(batch);
            return;
          }
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(new RuntimeError('worker_load', error.message, String(this.options.spec.engine.rulesPath), { cause: error }));
        else this.logger.warn('detection worker failed', { error: error.message });
      });
      worker.on('exit', (code) => {
        if (!ready) {
          reject(
            new RuntimeError('worker_load', `worker exited with code ${code} while loading`, String(this.options.spec.engine.rulesPath)),
          );
          return;
        }
        if (slot.retired) return;
        this.replace(slot, generation, code);
      });
    });
  }

  /** A worker died: its batches go to the other workers (or wait for its replacement), in order. */
  private replace(dead: Slot, generation: number, code: number): void {
    dead.retired = true;
    this.replaced++;
    this.logger.warn('detection worker died; replacing it and re-running its batches', { code, batches: dead.inFlight.size });
    const orphans = [...dead.inFlight.values()].sort((x, y) => x.seq - y.seq);
    dead.inFlight.clear();
    const wasCurrent = this.workers.includes(dead);
    this.workers = this.workers.filter((s) => s !== dead);
    if (wasCurrent && !this.closed) {
      this.replacing++;
      this.startWorker(generation).then(
        (slot) => {
          this.replacing--;
          if (this.closed || generation !== this.activeGeneration) {
            void terminateSet([slot]);
          } else {
            this.workers.push(slot);
          }
          this.flushWaiting();
        },
        (error: unknown) => {
          // The rules can no longer be loaded (e.g. deleted meanwhile): what waited is detected here instead.
          this.replacing--;
          this.logger.warn('replacement worker could not load the rules', { error: (error as Error).message });
          this.flushWaiting();
        },
      );
    }
    for (const batch of orphans) this.send(batch);
  }

  private flushWaiting(): void {
    for (const batch of this.waiting.splice(0)) this.send(batch);
  }
}

async function terminateSet(set: WorkerSet): Promise<void> {
  for (const slot of set) slot.retired = true;
  await Promise.all(set.map((slot) => slot.worker.terminate()));
}
