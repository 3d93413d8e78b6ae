// `tsigma eval --alert-pipeline <file>` (spec 08, spec 11 §7): the alert pipeline as a result stage of the run, on a
// clock that follows event time, with its dedup summaries and incidents kept for the end of the output.
import { JsonEvent, type EvaluationResult, type Logger } from '@tsigma/eval';
import {
  AlertPipelineError,
  AlertPipelineState,
  loadAlertPipelineFile,
  type AlertPipeline,
  type IncidentResult,
} from '@tsigma/alert-pipeline';
import type { ResultStage, RuntimeEngine } from '@tsigma/runtime';
import { CliError, EXIT_USAGE } from '../exit-codes.js';

/** Loads the file; a bad one is a configuration error (exit 3) naming the file, key and line. */
export async function loadAlertPipeline(path: string): Promise<AlertPipeline> {
  try {
    return await loadAlertPipelineFile(path);
  } catch (error) {
    if (error instanceof AlertPipelineError) throw new CliError(EXIT_USAGE, `--alert-pipeline: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The stage and what it holds back for the end of the run. */
interface AlertStage {
  stage: ResultStage;
  /** Ends the run: a last tick past the group timers; returns every dedup summary and incident emitted. */
  finish(): { dedupLines: EvaluationResult[]; incidents: IncidentResult[] };
}

/**
 * Runs `pipeline` over each input line's results. The clock is the latest event time seen (an event's timestamp
 * fields, as correlations read them; a correlation's latest event reference), never going back; until an event
 * with a time arrives it is the wall clock. Timers tick whenever the clock moves. Events are embedded for the
 * stage (event time, `event.*` selectors) and removed again unless `keepEvents` (`--include-event`).
 */
export function alertStage(pipeline: AlertPipeline, engine: () => RuntimeEngine, keepEvents: boolean, logger: Logger): AlertStage {
  const state = new AlertPipelineState({ logger });
  pipeline.install(state);
  let clock: number | undefined;
  let ticked: number | undefined;
  const dedupLines: EvaluationResult[] = [];
  const incidents: IncidentResult[] = [];
  const tick = (now: number, drain: boolean): void => {
    const out = drain ? pipeline.drain(state, now) : pipeline.tick(state, now);
    dedupLines.push(...out.dedupLines);
    incidents.push(...out.incidents);
    ticked = now;
  };
  const stage: ResultStage = {
    name: 'alert-pipeline',
    process(results) {
      for (const r of results) {
        const t = eventTimeOf(r, engine());
        if (t !== undefined && (clock === undefined || t > clock)) clock = t;
      }
      const now = clock ?? Math.floor(Date.now() / 1000);
      if (ticked !== undefined && now > ticked) tick(now, false);
      const kept = pipeline.process(results, state, now);
      ticked ??= now;
      if (!keepEvents) for (const r of kept) if ('event' in r) delete r.event;
      return kept;
    },
  };
  return {
    stage,
    finish() {
      if (ticked !== undefined) tick(clock ?? ticked, true);
      return { dedupLines, incidents };
    },
  };
}

function eventTimeOf(r: EvaluationResult, engine: RuntimeEngine): number | undefined {
  if ('correlation_type' in r) {
    let latest: number | undefined;
    for (const ref of r.event_refs ?? []) if (latest === undefined || ref.timestamp > latest) latest = ref.timestamp;
    return latest;
  }
  if (r.event === undefined) return undefined;
  const t = engine.eventTime(new JsonEvent(r.event));
  return Number.isNaN(t) ? undefined : t;
}
