// LogProcessor (spec 05 §3): decodes raw lines, evaluates them in batches and hot-swaps the engine between batches.
// Batch processing is synchronous, so a swap can only ever land between two batches, never inside one.

import { JsonEvent, type DetectionResult, type EvaluationResult, type ProcessResult } from '@tsigma/eval';
import { decodeChunk, type EvtxChunkJob } from '@tsigma/evtx';
import { RuntimeError } from './errors.js';
import type { EventFilter } from './event-filter.js';
import { decodeLine } from './input/decode-line.js';
import type { InputFormat } from './input/input-format.js';
import { isJsonObject } from './input/json-line.js';
import { ParseFailure } from './input/parse-failure.js';
import type { RawEvent } from './io/io-types.js';
import type { MetricsHook } from './metrics.js';
import { RuntimeEngine, type EngineStats, type LoadRulesOptions, type SourceExpansionMode } from './runtime-engine.js';

/**
 * A line, optionally with its own format (e.g. OTLP records arrive as JSON whatever the configured format); or an
 * event its source already decoded (`value`, e.g. an EVTX record); or one its source could not decode (`failure`).
 */
export type BatchLine =
  | string
  | { line: string; format: InputFormat }
  | { value: object; source?: string }
  | { failure: string }
  | { evtxChunk: EvtxChunkJob; file: string };

/** The batch line of a raw event: its decoded value, its source-side failure, or its payload (and own format). */
export function batchLineOf(event: RawEvent): BatchLine {
  if (event.value !== undefined) return event.source === undefined ? { value: event.value } : { value: event.value, source: event.source };
  if (event.evtxChunk !== undefined) return { evtxChunk: event.evtxChunk.job, file: event.evtxChunk.file };
  if (event.failure !== undefined) return { failure: event.failure };
  return event.format === undefined ? event.payload : { line: event.payload, format: event.format };
}

/** A line that produced no event, or lost some of its filter outputs. */
export interface BatchParseError {
  index: number;
  error: string;
  /** Set when the line exceeded the 1 MiB limit (dead-lettered as `oversize`). */
  oversize?: true;
}

/** Results of one batch: `results[i]` belongs to `lines[i]`; `parseErrors` ascend by index. */
export interface BatchProcessOutcome {
  results: ProcessResult[];
  parseErrors: BatchParseError[];
}

const JSON_FORMAT: InputFormat = Object.freeze({ kind: 'json' });

/**
 * Processes batches of raw lines against the current RuntimeEngine and swaps engines atomically on reload.
 *
 * @example
 * const engine = new RuntimeEngine({ rulesPath: 'rules/' });
 * await engine.loadRules();
 * const processor = new LogProcessor(engine);
 * const [r] = processor.processBatchLines(['{"CommandLine":"whoami"}']);
 * await processor.reloadRules(); // the next batch sees the new rules
 */
export class LogProcessor {
  private engine: RuntimeEngine;
  private running: Promise<EngineStats> | undefined;
  private followUp: Promise<EngineStats> | undefined;
  /** Source mode of the queued follow-up: `resolve` if any call it stands for asked to fetch again. */
  private followUpMode: SourceExpansionMode = 'latest';

  /** @param engine an engine whose `loadRules()` has succeeded. */
  constructor(
    engine: RuntimeEngine,
    private readonly metrics: MetricsHook = {},
  ) {
    assertLoaded(engine);
    this.engine = engine;
  }

  /** The engine the next batch will use. */
  currentEngine(): RuntimeEngine {
    return this.engine;
  }

  /** JSON-only shortcut: `processBatchWithFormat(lines, {kind: 'json'}, filter)`. */
  processBatchLines(lines: readonly string[], filter?: EventFilter): ProcessResult[] {
    return this.processBatchWithFormatDetailed(lines, JSON_FORMAT, filter).results;
  }

  /** One ProcessResult per line (empty for blank and undecodable lines). */
  processBatchWithFormat(lines: readonly string[], format: InputFormat, filter?: EventFilter): ProcessResult[] {
    return this.processBatchWithFormatDetailed(lines, format, filter).results;
  }

  /**
   * Decodes every line (a line's own format wins over `format`), applies `filter` to JSON-derived values,
   * evaluates all events with one engine call and merges the results back per line. Never throws for a bad
   * line: it becomes a `parseErrors` entry and an empty result.
   */
  processBatchWithFormatDetailed(lines: readonly BatchLine[], format: InputFormat, filter?: EventFilter): BatchProcessOutcome {
    const engine = this.engine; // one engine for the whole batch, even if a swap happens meanwhile
    return this.correlateDetected(engine, detectLines(engine, lines, format, filter, this.metrics));
  }

  /**
   * The stateful half of a batch: correlates what {@link detectLines} found (in this thread or a worker) with the
   * current engine, merges the results back per line and reports the batch's metrics.
   */
  correlateDetected(engine: RuntimeEngine, detected: DetectedBatch): BatchProcessOutcome {
    const t2 = performance.now();
    const processed = detected.owners.length > 0 ? engine.correlateBatch(detected.events, detected.detections, detected.times) : [];
    const t3 = performance.now();

    const results = new Array<ProcessResult>(detected.lines);
    // Lines whose result is a merged object owned here (several filter outputs), so it may be appended to.
    const merged = new Set<number>();
    let detections = 0;
    let correlations = 0;
    for (let k = 0; k < processed.length; k++) {
      const pr = processed[k] as ProcessResult;
      const i = detected.owners[k] as number;
      detections += pr.detections.length;
      correlations += pr.correlations.length;
      const prev = results[i];
      if (prev === undefined) {
        results[i] = pr;
      } else if (merged.has(i)) {
        for (const d of pr.detections) prev.detections.push(d);
        for (const c of pr.correlations) prev.correlations.push(c);
      } else {
        results[i] = { detections: [...prev.detections, ...pr.detections], correlations: [...prev.correlations, ...pr.correlations] };
        merged.add(i);
      }
    }
    for (let i = 0; i < results.length; i++) results[i] ??= { detections: [], correlations: [] };
    const t4 = performance.now();

    this.report(
      engine,
      detected.lines,
      processed,
      { detections, correlations },
      { ...detected.ms, evaluate: detected.ms.evaluate + (t3 - t2), resultMerge: t4 - t3 },
    );
    return { results, parseErrors: detected.parseErrors };
  }

  /**
   * Rebuilds the engine from the current engine's options and swaps it in (correlation state carried over).
   * Rejects, leaving the current engine in place, when the load fails. Calls are serialized: one arriving
   * while a reload runs waits for it, then runs once more (several such calls share that one extra run, which
   * fetches sources again if any of them asked to). `{ sources: 'latest' }` rebuilds with the source values
   * already held (after a refresh changed one) instead of fetching them again.
   */
  reloadRules(opts: LoadRulesOptions = {}): Promise<EngineStats> {
    const mode = opts.sources ?? 'resolve';
    if (this.followUp !== undefined) {
      if (mode === 'resolve') this.followUpMode = 'resolve';
      return this.followUp;
    }
    if (this.running === undefined) return this.startReload(mode);
    const ignore = (): void => undefined;
    this.followUpMode = mode;
    this.followUp = this.running.then(ignore, ignore).then(() => {
      this.followUp = undefined;
      return this.startReload(this.followUpMode);
    });
    return this.followUp;
  }

  /**
   * Installs `next` (already loaded) as the engine of the next batch, carrying the current correlation state
   * over for every correlation whose identity (id, else name, else title) still exists. Synchronous.
   */
  swapEngine(next: RuntimeEngine): void {
    assertLoaded(next);
    const state = this.engine.exportState();
    if (state !== null) next.importState(state);
    this.engine = next;
    this.metrics.setCorrelationStateEntries?.(next.stats().stateEntries);
  }

  private startReload(mode: SourceExpansionMode): Promise<EngineStats> {
    const run = (async () => {
      const next = new RuntimeEngine(this.engine.options);
      await next.loadRules({ sources: mode });
      this.swapEngine(next);
      return next.stats();
    })();
    this.running = run;
    const clear = (): void => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  private report(
    engine: RuntimeEngine,
    lines: number,
    processed: readonly ProcessResult[],
    matches: { detections: number; correlations: number },
    ms: { parse: number; decodeMerge: number; evaluate: number; resultMerge: number },
  ): void {
    const m = this.metrics;
    const events = processed.length;
    m.observeBatchSize?.(lines);
    m.onEventsProcessed?.(events);
    m.onDetectionMatches?.(matches.detections);
    m.onCorrelationMatches?.(matches.correlations);
    if (m.onDetectionMatchDetail !== undefined || m.onCorrelationMatchDetail !== undefined) {
      for (const pr of processed) {
        for (const d of pr.detections) m.onDetectionMatchDetail?.(d.rule_title, levelOf(d));
        for (const c of pr.correlations) m.onCorrelationMatchDetail?.(c.rule_title, levelOf(c), c.correlation_type);
      }
    }
    if (m.observeProcessingLatency !== undefined && events > 0) {
      const perEvent = ms.evaluate / 1000 / events;
      for (let i = 0; i < events; i++) m.observeProcessingLatency(perEvent);
    }
    if (m.observeBatchPhaseDuration !== undefined) {
      m.observeBatchPhaseDuration('parse', ms.parse / 1000);
      m.observeBatchPhaseDuration('decode_merge', ms.decodeMerge / 1000);
      m.observeBatchPhaseDuration('evaluate', ms.evaluate / 1000);
      m.observeBatchPhaseDuration('result_merge', ms.resultMerge / 1000);
    }
    if (m.setCorrelationStateEntries !== undefined) m.setCorrelationStateEntries(engine.stats().stateEntries);
  }
}

/**
 * The stateless half of a batch, decoded and detected but not correlated. `events[k]` is what correlation reads
 * of the k-th evaluated event (undefined when it has no detections): the event itself in this thread, its
 * projection onto `RuntimeEngine.correlationEventReads()` when it comes from a worker.
 */
export interface DetectedBatch {
  /** Lines in the batch. */
  lines: number;
  parseErrors: BatchParseError[];
  /** Line index of each evaluated event, ascending (a filter may turn one line into several events). */
  owners: number[];
  detections: DetectionResult[][];
  events: (JsonEvent | undefined)[];
  /** Event time of each event with detections, epoch seconds (NaN when it has none). */
  times: number[];
  /** Milliseconds spent decoding, filtering and detecting. */
  ms: { parse: number; decodeMerge: number; evaluate: number };
  /** Problems met decoding EVTX chunks of the batch, in order (the caller logs them as the EVTX source would). */
  inputProblems: InputProblem[];
}

/** A problem inside an input that costs no line (a damaged EVTX record): what to log, and where. */
export interface InputProblem {
  file: string;
  code: string;
  message: string;
}

/**
 * Decodes every line (a line's own format wins over `format`), applies `filter` to JSON-derived values and runs
 * detection on every event; touches no correlation state, so batches may be detected in any thread and order.
 */
export function detectLines(
  engine: RuntimeEngine,
  lines: readonly BatchLine[],
  format: InputFormat,
  filter: EventFilter | undefined,
  m: MetricsHook,
): DetectedBatch {
  const hasFilter = filter !== undefined;
  const t0 = performance.now();

  const decoded = new Array<unknown>(lines.length);
  const fromJson = new Array<boolean>(lines.length);
  const parseErrors: BatchParseError[] = [];
  const inputProblems: InputProblem[] = [];
  /** Lines standing for several events (EVTX chunks): their decoded values. */
  let expanded: Map<number, object[]> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const item = lines[i] as BatchLine;
    if (typeof item !== 'string' && !('line' in item)) {
      if ('evtxChunk' in item) {
        const { records, problems } = decodeChunk(item.evtxChunk);
        for (const p of problems) inputProblems.push({ file: item.file, code: p.code, message: p.message });
        const values: object[] = [];
        for (const r of records) if (r.ok) values.push(r.data);
        (expanded ??= new Map()).set(i, values);
      } else if ('value' in item) {
        decoded[i] = item.value;
        fromJson[i] = true;
      } else {
        parseErrors.push({ index: i, error: item.failure });
        m.onParseError?.();
      }
      continue;
    }
    const line = typeof item === 'string' ? item : item.line;
    if (isBlank(line)) continue;
    const d = decodeLine(line, typeof item === 'string' ? format : item.format, hasFilter);
    if (d instanceof ParseFailure) {
      parseErrors.push(d.oversize ? { index: i, error: d.message, oversize: true } : { index: i, error: d.message });
      m.onParseError?.();
    } else {
      decoded[i] = d.value;
      fromJson[i] = d.fromJson;
    }
  }
  const t1 = performance.now();

  const events: JsonEvent[] = [];
  const owners: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const many = expanded?.get(i);
    if (many !== undefined) {
      // An EVTX chunk: each record is an event of this line, as a filter's outputs are.
      for (const value of many) {
        if (!hasFilter) {
          events.push(new JsonEvent(value));
          owners.push(i);
          continue;
        }
        const problem = applyFilter(filter, value, m, (out) => {
          events.push(new JsonEvent(out));
          owners.push(i);
        });
        // One parse error per line: the first record the filter failed on speaks for the chunk.
        if (problem !== undefined && parseErrors.at(-1)?.index !== i) parseErrors.push({ index: i, error: problem });
      }
      continue;
    }
    const value = decoded[i];
    if (value === undefined) continue;
    if (!hasFilter || fromJson[i] !== true) {
      events.push(new JsonEvent(value));
      owners.push(i);
      continue;
    }
    const problem = applyFilter(filter, value, m, (out) => {
      events.push(new JsonEvent(out));
      owners.push(i);
    });
    if (problem !== undefined) parseErrors.push({ index: i, error: problem });
  }
  if (hasFilter) parseErrors.sort((a, b) => a.index - b.index);
  const t2 = performance.now();

  const { detections, times } = events.length > 0 ? engine.detectBatch(events) : { detections: [], times: [] };
  for (let k = 0; k < detections.length; k++) {
    const found = detections[k] as DetectionResult[];
    if (found.length === 0) continue;
    const source = sourceOf(lines[owners[k] as number] as BatchLine);
    if (source !== undefined) for (const d of found) d.source = source;
  }
  const t3 = performance.now();
  return {
    lines: lines.length,
    parseErrors,
    owners,
    detections,
    events: events.map((e, k) => ((detections[k] as DetectionResult[]).length > 0 ? e : undefined)),
    times,
    ms: { parse: t1 - t0, decodeMerge: t2 - t1, evaluate: t3 - t2 },
    inputProblems,
  };
}

/** The file a batch line's events were read from, when its source said (EVTX records and chunks). */
function sourceOf(line: BatchLine): string | undefined {
  if (typeof line === 'string') return undefined;
  if ('file' in line) return line.file;
  return 'source' in line ? line.source : undefined;
}

/** Feeds filter outputs that are objects to `emit`; returns the problem text for dropped outputs or errors. */
function applyFilter(
  filter: EventFilter,
  value: unknown,
  m: MetricsHook,
  emit: (event: Record<string, unknown>) => void,
): string | undefined {
  let outputs: unknown[];
  try {
    outputs = filter(value);
  } catch (err) {
    // A jq runtime error on one input drops that input only (spec 05 §8).
    m.onParseError?.();
    return `filter error: ${(err as Error).message}`;
  }
  let dropped = 0;
  for (const out of outputs) {
    if (isJsonObject(out)) emit(out);
    else {
      dropped++;
      m.onParseError?.();
    }
  }
  return dropped > 0 ? `filter produced ${dropped} non-object output(s), dropped` : undefined;
}

function assertLoaded(engine: RuntimeEngine): void {
  if (!engine.isLoaded) {
    throw new RuntimeError('not_loaded', 'LogProcessor needs an engine whose loadRules() has succeeded', String(engine.options.rulesPath));
  }
}

function isBlank(line: string): boolean {
  // Fast path: almost every line starts with a printable ASCII character, which trim() would not remove.
  const first = line.charCodeAt(0);
  if (first > 0x20 && first < 0x7f) return false;
  return line.trim().length === 0;
}

function levelOf(r: EvaluationResult): string {
  return r.level ?? 'unknown';
}
