// `tsigma eval -r RULES` (spec 11 §7): evaluate rules (detections and correlations) against events from
// arguments, files or stdin, writing every result to stdout and a summary to stderr. The run is the runtime's
// one loop (runPipeline): named inputs → LogProcessor batches → a sink; this file only wires and reports.
import type { CorrelationConfig, Logger, LogFields, MatchDetail } from '@tsigma/eval';
import { SIGMA_LEVELS, type Level } from '@tsigma/parser';
import { defaultCorrelationConfig, silentLogger } from '@tsigma/eval';
import {
  inputFormatNamed,
  INPUT_FORMAT_NAMES,
  LogProcessor,
  parseDuration,
  parseSyslogTzOffset,
  DEFAULT_SYSLOG_CONFIG,
  DeadLetterWriter,
  expandInputDirectories,
  levelNamed,
  minLevelStage,
  defaultWorkerCount,
  openEventInputs,
  createEventFilter,
  RuntimeError,
  type EventFilterConfig,
  ParallelLogProcessor,
  runPipeline,
  RuntimeEngine,
  type DeadLetterLine,
  type EventInput,
  type InputFormat,
  type MetricsHook,
  type Sink,
} from '@tsigma/runtime';
import { listOption, parseCommandArgs, stringOption, useColor } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { createRunLogger, laterLogger } from '../cli-logger.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_ON_SIGNAL, EXIT_OUTPUT_ERROR, EXIT_USAGE, type StopSignal } from '../exit-codes.js';
import { chooseOutputFormat } from '../output-format.js';
import { loadPipelines } from '../pipelines.js';
import { ProgressLine } from '../progress-line.js';
import { loadRules, requireRules, runtimeErrorAsCliError } from '../rule-loading.js';
import { alertStage, loadAlertPipeline } from './eval-alerts.js';
import { enrichmentStage } from '@tsigma/enrichment';
import { loadEnrichers } from './eval-enrichers.js';
import { EVAL_OUTPUT_FORMATS, openEvalOutput } from './eval-output.js';
import { reportLoadIssues } from './load-issues.js';
import { commandSources, egressPolicyOf, SOURCE_OPTIONS, usesSources } from '../sources.js';
import { SourceCache, type PipelineSources } from '@tsigma/sources';

/** Parse errors, and results that could not be written, printed in full; the rest are only counted (spec 11 §7). */
const MAX_PRINTED_PROBLEMS = 5;

/** Runs `tsigma eval`. */
export async function runEval(argv: string[], io: CliIo): Promise<number> {
  const { values, globals } = parseCommandArgs(argv, {
    rules: { type: 'string', short: 'r', multiple: true },
    pipeline: { type: 'string', short: 'p', multiple: true },
    input: { type: 'string', short: 'i', multiple: true },
    event: { type: 'string', short: 'e', multiple: true },
    'input-format': { type: 'string' },
    'syslog-tz': { type: 'string' },
    'syslog-strip-bom': { type: 'string' },
    jq: { type: 'string' },
    jsonpath: { type: 'string' },
    'match-detail': { type: 'string' },
    'include-event': { type: 'boolean' },
    'no-detections': { type: 'boolean' },
    suppress: { type: 'string' },
    action: { type: 'string' },
    'correlation-event-mode': { type: 'string' },
    'max-correlation-events': { type: 'string' },
    'max-state-entries': { type: 'string' },
    'max-group-entries': { type: 'string' },
    'timestamp-field': { type: 'string', multiple: true },
    'timestamp-fallback': { type: 'string' },
    'dump-correlation-state': { type: 'boolean' },
    'fail-on-detection': { type: 'boolean' },
    strict: { type: 'boolean' },
    'batch-size': { type: 'string' },
    threads: { type: 'string' },
    pretty: { type: 'boolean' },
    'no-logsource-routing': { type: 'boolean' },
    'min-level': { type: 'string' },
    sort: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    'alert-pipeline': { type: 'string' },
    enrichers: { type: 'string' },
    ...SOURCE_OPTIONS,
  });
  const rulePaths = listOption(values.rules);
  if (rulePaths.length === 0) throw new CliError(EXIT_USAGE, 'eval needs -r/--rules <path>');
  const format = chooseOutputFormat(values.pretty === true ? 'json' : globals.outputFormat, io.stdout, EVAL_OUTPUT_FORMATS);
  const sortTime = parseSort(stringOption(values.sort));
  const minLevel = parseMinLevel(stringOption(values['min-level']));
  const inputFormat = parseInputFormat(
    stringOption(values['input-format']),
    stringOption(values['syslog-tz']),
    stringOption(values['syslog-strip-bom']),
  );
  const batchSize = parseBatchSize(stringOption(values['batch-size']));
  const matchDetail = parseMatchDetail(stringOption(values['match-detail']));
  const filterConfig = eventFilterConfig(stringOption(values.jq), stringOption(values.jsonpath));
  // Compiled here, before any rule loads, so a bad expression is a usage error (exit 3) that names it.
  const filter = filterConfig === undefined ? undefined : await createEventFilter(filterConfig).catch(filterError);
  let unreadableDirectories = 0;
  const inputs = await expandInputDirectories(inputSpecsInOrder(argv, io), (problem) => {
    unreadableDirectories++;
    if (globals.logLevel !== 'error') io.stderr.write(`warning[unreadable_input]: ${problem.path}: ${problem.message}\n`);
  }).catch((error: unknown) => {
    throw runtimeErrorAsCliError(error);
  });
  const threadsFlag = parseThreads(stringOption(values.threads));
  const correlationConfig = correlationConfigFromFlags(values);
  const alertPipelinePath = stringOption(values['alert-pipeline']);
  const alertPipeline = alertPipelinePath === undefined ? undefined : await loadAlertPipeline(alertPipelinePath);

  // The load's problems come back in `stats.issues` and are printed below in the parser's one-line format; the
  // engine's logger is connected only after the load, so they are not written twice, and then carries the
  // correlation engine's warnings (state evicted at the cap) to stderr.
  const engineLog = laterLogger();
  const pipelineRefs = listOption(values.pipeline);
  // EVTX records only match SigmaHQ's rules through the windows pipeline; without one, they would silently match
  // nothing. A user who names pipelines has chosen.
  if (pipelineRefs.length === 0 && inputs.some((input) => input.kind === 'file' && /\.evtx$/i.test(input.path))) {
    pipelineRefs.push('windows');
    if (!globals.quiet) await writeOut(io.stderr, 'note: .evtx input: using the windows pipeline (-p chooses pipelines)\n');
  }
  // Dynamic sources are resolved before the first evaluation and refreshed by their policies while events flow;
  // their log lines go straight to stderr until the progress line exists, then through it.
  let sourceLine = (text: string): void => void io.stderr.write(text + '\n');
  const sourceLog = createRunLogger(globals.logLevel, (text) => sourceLine(text));
  const pipelines = await loadPipelines(pipelineRefs);
  // One cache: the resolver fills it, `lookup` enrichers with `source:` read it.
  const sourceCache = await SourceCache.open();
  const sources = await commandSources(values, { resolve: true, logger: sourceLog, cache: sourceCache });
  // Enrichers run before the alert pipeline (spec 00 data flow); their warnings reach stderr once the run logger exists.
  const enrichersPath = stringOption(values.enrichers);
  const enrichLog = laterLogger();
  const enrichment =
    enrichersPath === undefined
      ? undefined
      : await loadEnrichers(enrichersPath, {
          sourceCache,
          sourceIds: declaredSourceIds(sources, pipelines),
          egress: egressPolicyOf(values),
          logger: enrichLog.logger,
        });
  const keepEvents = values['include-event'] === true;
  // What workers need to build the same engine (parsed pipelines cannot cross threads: they go as references).
  const engineOptions = {
    rulesPath: rulePaths,
    correlationConfig,
    // The alert pipeline and enrichers reading `event.*` need the embedded event; it is removed again after.
    includeEvent: keepEvents || alertPipeline !== undefined || enrichment?.readsEvent === true,
    matchDetail,
    skipInvalidRules: values.strict !== true,
    logSourceRouting: values['no-logsource-routing'] !== true,
  };
  const engine = new RuntimeEngine({ ...engineOptions, pipelines, logger: engineLog.logger, sources });
  const stats = await loadRules(engine);
  if (!globals.quiet) await reportLoadIssues(stats.issues, values.verbose === true, io);
  requireRules(engine, rulePaths, stats.detectionRules + stats.correlationRules, 'detection or correlation rule');
  const dynamic = usesSources(pipelines) || sources.sources().length > 0;
  // Workers rebuild their engines from pipeline references, which would not carry resolved source values.
  if (dynamic && threadsFlag !== undefined && threadsFlag > 1)
    sourceLog.warn('--threads is ignored: pipelines with dynamic sources run on one thread');
  const threads = dynamic ? 1 : (threadsFlag ?? defaultWorkerCount(inputs, stats.detectionRules));

  const progress = new ProgressLine(io.stderr, inputs.length, globals.quiet);
  const say = (text: string): void => {
    progress.clear();
    io.stderr.write(text + '\n');
  };
  const log = createRunLogger(globals.logLevel, say);
  engineLog.connect(log);
  enrichLog.connect(log);
  sourceLine = say;
  const counts = { events: 0, detections: 0, correlations: 0, parseErrors: 0, inputWarnings: unreadableDirectories };
  const metrics: MetricsHook = {
    onEventsProcessed: (n) => (progress.events = counts.events += n),
    onDetectionMatches: (n) => (progress.matches = (counts.detections += n) + counts.correlations),
    onCorrelationMatches: (n) => (progress.matches = counts.detections + (counts.correlations += n)),
    onParseError: () => counts.parseErrors++,
  };
  let evtxOnly = inputs.length > 0;
  // Problems inside inputs (damaged EVTX chunks and records), whether met here or in a detection worker.
  const inputLogger = globals.logLevel === 'error' ? silentLogger : warningsTo(say, () => counts.inputWarnings++);
  const source = openEventInputs(inputs, {
    format: inputFormat,
    logger: inputLogger,
    // With workers, EVTX chunks are decoded there too, not record by record on this thread.
    evtxChunks: threads > 1,
    onInput: (info) => {
      progress.setInput(info, info.index);
      if (info.kind !== 'evtx') evtxOnly = false;
    },
  });
  const output = openEvalOutput(format, io, sortTime, useColor(globals.color, io.stdout, io.env));
  const problems = new ProblemReport(say, globals.quiet);
  const processor = new LogProcessor(engine, metrics);
  const alerts = alertPipeline === undefined ? undefined : alertStage(alertPipeline, () => processor.currentEngine(), keepEvents, log);
  const stages = [
    ...(minLevel === undefined ? [] : [minLevelStage(minLevel)]),
    ...(enrichment === undefined ? [] : [enrichmentStage(() => enrichment, { stripEvents: !keepEvents && alerts === undefined })]),
    ...(alerts === undefined ? [] : [alerts.stage]),
  ];
  // A refresh that changes a value rebuilds the engine with the values held (no second fetch); the swap lands
  // between two batches, so no event is evaluated twice or skipped.
  const scheduler = dynamic ? sources.scheduler() : undefined;
  scheduler?.onUpdate((u) => {
    if (!u.changed) return;
    processor.reloadRules({ sources: 'latest' }).then(
      (s) => sourceLog.info(`source '${u.id}' changed; rules rebuilt (${s.detectionRules + s.correlationRules} rules)`),
      (error: unknown) => sourceLog.warn(`source '${u.id}' changed but the rebuild failed: ${(error as Error).message}`),
    );
  });
  scheduler?.start();
  // --threads N: N detection workers, correlation and output on this thread; 1 keeps everything here.
  const parallel =
    threads > 1
      ? await ParallelLogProcessor.start({
          processor,
          spec: { engine: engineOptions, pipelineRefs, ...(filterConfig === undefined ? {} : { filter: filterConfig }) },
          workers: threads,
          logger: inputLogger,
        }).catch((error: unknown) => {
          throw runtimeErrorAsCliError(error);
        })
      : undefined;

  // The first SIGINT/SIGTERM stops reading and lets everything read so far be evaluated, written and summed up;
  // a second one ends the process at once (cli-io).
  const stop = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const releaseSignals = io.catchStopSignals?.((signal) => {
    stoppedBy = signal;
    if (!globals.quiet) say(`tsigma: ${signal}: finishing the events already read; send it again to quit at once`);
    stop.abort();
    // stdin is this command's: ending it also ends a read still waiting for a slow producer's first line.
    io.stdin.destroy();
  });
  log.debug('evaluating', { rules: stats.detectionRules + stats.correlationRules, inputs: inputs.length, format });
  try {
    try {
      await runPipeline({
        source,
        processor,
        ...(parallel === undefined ? {} : { parallel }),
        // Workers apply the filter themselves (their spec carries it); runPipeline takes it only without them.
        ...(parallel === undefined && filter !== undefined ? { filter } : {}),
        sinks: [output.sink],
        ...(stages.length === 0 ? {} : { stages }),
        format: inputFormat,
        deadLetter: problems.deadLetters,
        // A failed write to stdout does not heal by waiting; the first failure is final.
        delivery: { retryMax: 0 },
        batchSize,
        metrics,
        signal: stop.signal,
      });
    } catch (error) {
      throw runtimeErrorAsCliError(error);
    } finally {
      await scheduler?.stop();
      await parallel?.close();
      await enrichment?.close();
      progress.stop();
    }
    if (alerts !== undefined) {
      // Dedup summaries are result lines; incidents follow them, after a last tick past the group timers.
      const { dedupLines, incidents } = alerts.finish();
      try {
        await output.sink.send(dedupLines);
      } catch (error) {
        throw new CliError(EXIT_OUTPUT_ERROR, `cannot write output: ${(error as Error).message}`, { cause: error });
      }
      await output.addIncidents(incidents);
    }
    await output.finish();

    if (values['dump-correlation-state'] === true) {
      await writeOut(io.stderr, JSON.stringify(processor.currentEngine().introspectCorrelations(), null, 2) + '\n');
    }
    const matches = counts.detections + counts.correlations;
    if (!globals.noStats) {
      for (const line of output.summary.render()) await writeOut(io.stderr, line + '\n');
      const noun = evtxOnly ? 'EVTX records' : 'events';
      const end = stoppedBy === undefined ? '.' : `; interrupted by ${stoppedBy} before the end of the input.`;
      const warnings = counts.inputWarnings > 0 ? `, ${counts.inputWarnings} input warnings` : '';
      const shown = minLevel === undefined ? '' : `, ${output.summary.hits} at --min-level ${minLevel} or above`;
      await writeOut(
        io.stderr,
        `Processed ${counts.events} ${noun}, ${counts.detections} detection matches, ${counts.correlations} correlation matches${shown}, ${counts.parseErrors} parse errors${warnings}${end}\n`,
      );
      const evicted = processor.currentEngine().correlationStats();
      if (evicted.windowsEvictedByCap > 0) {
        const cap = correlationConfig.maxStateEntries ?? defaultCorrelationConfig().maxStateEntries;
        await writeOut(
          io.stderr,
          `Correlation state: ${evicted.windowsEvictedByCap} windows evicted in ${evicted.capEvictionRounds} rounds at the cap of ${cap} (--max-state-entries); correlations over those groups may be missed.\n`,
        );
      }
    }
    if (log.repeatsHeldBack > 0 && !globals.quiet) {
      await writeOut(io.stderr, `tsigma: ${log.repeatsHeldBack} repeated log line(s) not shown (--log-level debug shows every one)\n`);
    }
    problems.throwIfResultsLost();
    if (matches === 0 && io.stderr.isTTY && !globals.quiet) await writeOut(io.stderr, 'No matches.\n');
    if (stoppedBy !== undefined) return EXIT_ON_SIGNAL[stoppedBy];
    return values['fail-on-detection'] === true && matches > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    releaseSignals?.();
  }
}

/** Ids of the declared dynamic sources, or undefined when the declarations are invalid (the rule load reports that). */
function declaredSourceIds(sources: PipelineSources, pipelines: Parameters<PipelineSources['collect']>[0]): string[] | undefined {
  try {
    return sources.collect(pipelines).map((s) => s.id);
  } catch {
    return undefined;
  }
}

/** Problems inside an input (damaged EVTX headers, chunks, records) as `warning[<code>]: <file>: <message>` lines, counted. */
function warningsTo(say: (text: string) => void, count: () => void): Logger {
  const warn = (message: string, fields?: LogFields): void => {
    count();
    const code = typeof fields?.['code'] === 'string' ? `[${fields['code']}]` : '';
    say(`warning${code}: ${fields?.['file'] ?? 'input'}: ${message}`);
  };
  return { ...silentLogger, warn, error: warn };
}

/**
 * The run's dead-letter queue, read as a report: the first few undecodable lines are printed as parse errors;
 * results that could not be written (stdout failed, or a result JSON cannot encode) are printed as errors and end
 * the run with the output-error exit code once everything else was written.
 */
class ProblemReport {
  readonly deadLetters: DeadLetterWriter;
  private parseErrorsPrinted = 0;
  private resultsLost = 0;
  private firstLoss: string | undefined;

  constructor(
    private readonly say: (text: string) => void,
    private readonly quiet: boolean,
  ) {
    this.deadLetters = new DeadLetterWriter(textSink('dead letters', (line) => this.note(JSON.parse(line) as DeadLetterLine)));
  }

  /** Throws the output error if any result could not be written. */
  throwIfResultsLost(): void {
    if (this.firstLoss === undefined) return;
    throw new CliError(EXIT_OUTPUT_ERROR, `cannot write results: ${this.resultsLost} result(s) not written; first: ${this.firstLoss}`);
  }

  private note(entry: DeadLetterLine): void {
    const where = entry.origin ?? 'input';
    if (entry.error.startsWith('sink delivery failed')) {
      const why = entry.error.replace(/^sink delivery failed \([^)]*\): /, '');
      this.firstLoss ??= why;
      // Errors, so printed even when quiet; the count in the final message covers the rest.
      if (this.resultsLost++ < MAX_PRINTED_PROBLEMS) this.say(`error: ${where}: result not written: ${why}`);
      return;
    }
    if (this.parseErrorsPrinted++ >= MAX_PRINTED_PROBLEMS || this.quiet) return;
    this.say(`parse error: ${where}: ${entry.error.replace(/^(parse error|oversize): /, '')}`);
  }
}

/** A sink that hands each raw line to `onLine` (the problem report behind the DLQ writer). */
function textSink(label: string, onLine: (line: string) => void): Sink {
  return {
    label,
    send: () => Promise.resolve(),
    sendRaw: (json) => {
      onLine(json);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

/**
 * `-i` and `-e` in command-line order; stdin when there are none. An inline event must be one JSON object: it is
 * checked here, before anything runs, so a typo is a usage error (exit 3) rather than a parse error.
 */
function inputSpecsInOrder(argv: string[], io: CliIo): EventInput[] {
  const specs: EventInput[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const [flag, inlineValue] =
      token.startsWith('--') && token.includes('=')
        ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)]
        : [token, undefined];
    if (flag !== '-i' && flag !== '--input' && flag !== '-e' && flag !== '--event') continue;
    const value = inlineValue ?? argv[++i] ?? '';
    if ((flag === '-i' || flag === '--input') && value === '-') specs.push({ kind: 'stream', stream: io.stdin, name: 'stdin' });
    else if (flag === '-i' || flag === '--input') specs.push({ kind: 'file', path: value });
    else if (value.startsWith('@')) specs.push({ kind: 'file', path: value.slice(1) });
    else specs.push({ kind: 'inline', text: checkedInlineEvent(value) });
  }
  return specs.length > 0 ? specs : [{ kind: 'stream', stream: io.stdin, name: 'stdin' }];
}

function checkedInlineEvent(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(EXIT_USAGE, `-e: invalid JSON event (${(error as Error).message})`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError(EXIT_USAGE, '-e: the event must be one JSON object');
  return text;
}

function parseInputFormat(name: string | undefined, tz: string | undefined, stripBomFlag: string | undefined): InputFormat {
  let stripBom = DEFAULT_SYSLOG_CONFIG.stripBom;
  if (stripBomFlag !== undefined) {
    if (stripBomFlag !== 'true' && stripBomFlag !== 'false')
      throw new CliError(EXIT_USAGE, `--syslog-strip-bom must be true or false, not "${stripBomFlag}"`);
    stripBom = stripBomFlag === 'true';
  }
  let defaultTzOffsetMinutes = 0;
  if (tz !== undefined) {
    const minutes = parseSyslogTzOffset(tz);
    if (minutes === undefined)
      throw new CliError(EXIT_USAGE, `--syslog-tz must be an offset from +HH:MM to -HH:MM up to 14:00, not "${tz}"`);
    defaultTzOffsetMinutes = minutes;
  }
  const format = inputFormatNamed(name ?? 'auto', { ...DEFAULT_SYSLOG_CONFIG, defaultTzOffsetMinutes, stripBom });
  if (format === undefined) throw new CliError(EXIT_USAGE, `--input-format must be one of ${INPUT_FORMAT_NAMES.join(', ')}, not "${name}"`);
  return format;
}

const MATCH_DETAILS: readonly MatchDetail[] = ['off', 'summary', 'full'];

function parseMatchDetail(raw: string | undefined): MatchDetail {
  if (raw === undefined) return 'off';
  if (!(MATCH_DETAILS as readonly string[]).includes(raw))
    throw new CliError(EXIT_USAGE, `--match-detail must be one of ${MATCH_DETAILS.join(', ')}, not "${raw}"`);
  return raw as MatchDetail;
}

function eventFilterConfig(jq: string | undefined, jsonpath: string | undefined): EventFilterConfig | undefined {
  if (jq !== undefined && jsonpath !== undefined) throw new CliError(EXIT_USAGE, '--jq and --jsonpath exclude each other');
  if (jq !== undefined) return { jq };
  return jsonpath === undefined ? undefined : { jsonpath };
}

function filterError(error: unknown): never {
  if (error instanceof RuntimeError) throw new CliError(EXIT_USAGE, error.message, { cause: error });
  throw error;
}

function parseSort(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  if (raw !== 'time') throw new CliError(EXIT_USAGE, `--sort takes time, not "${raw}"`);
  return true;
}

function parseMinLevel(raw: string | undefined): Level | undefined {
  if (raw === undefined) return undefined;
  const level = levelNamed(raw);
  if (level === undefined) throw new CliError(EXIT_USAGE, `--min-level must be one of ${SIGMA_LEVELS.join(', ')}, not "${raw}"`);
  return level;
}

/** Most events evaluated together; bounds memory between reading and writing. */
const MAX_BATCH_SIZE = 100_000;

function parseBatchSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH_SIZE)
    throw new CliError(EXIT_USAGE, `--batch-size must be an integer from 1 to ${MAX_BATCH_SIZE}, not "${raw}"`);
  return n;
}

/** Most worker threads `--threads` accepts: far beyond any core count where one coordinator could keep up. */
const MAX_THREADS = 64;

function parseThreads(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS)
    throw new CliError(EXIT_USAGE, `--threads must be an integer from 1 to ${MAX_THREADS}, not "${raw}"`);
  return n;
}

function correlationConfigFromFlags(values: Record<string, string | boolean | string[] | undefined>): Partial<CorrelationConfig> {
  const config: Partial<CorrelationConfig> = {};
  const suppress = stringOption(values.suppress);
  if (suppress !== undefined) config.suppressSecs = parseSeconds(suppress, '--suppress');
  const action = stringOption(values.action);
  if (action !== undefined) {
    if (action !== 'alert' && action !== 'reset') throw new CliError(EXIT_USAGE, `--action must be alert or reset, not "${action}"`);
    config.action = action;
  }
  const mode = stringOption(values['correlation-event-mode']);
  if (mode !== undefined) {
    if (mode !== 'none' && mode !== 'full' && mode !== 'refs')
      throw new CliError(EXIT_USAGE, `--correlation-event-mode must be none, full or refs, not "${mode}"`);
    config.eventMode = mode;
  }
  const counts: [string, 'maxCorrelationEvents' | 'maxStateEntries' | 'maxGroupEntries'][] = [
    ['max-correlation-events', 'maxCorrelationEvents'],
    ['max-state-entries', 'maxStateEntries'],
    ['max-group-entries', 'maxGroupEntries'],
  ];
  for (const [flag, key] of counts) {
    const raw = stringOption(values[flag]);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new CliError(EXIT_USAGE, `--${flag} must be a non-negative integer, not "${raw}"`);
    config[key] = n;
  }
  const fields = listOption(values['timestamp-field']);
  if (fields.length > 0) config.timestampFields = [...fields, ...defaultCorrelationConfig().timestampFields];
  const fallback = stringOption(values['timestamp-fallback']);
  if (fallback !== undefined) {
    if (fallback !== 'wallclock' && fallback !== 'skip')
      throw new CliError(EXIT_USAGE, `--timestamp-fallback must be wallclock or skip, not "${fallback}"`);
    config.timestampFallback = fallback;
  }
  if (values['no-detections'] === true) config.emitDetections = false;
  return config;
}

/** A duration flag (spec 05 §1 grammar: `500ms`, `30s`, `1h30m`, `0`) in whole seconds. */
function parseSeconds(text: string, flag: string): number {
  try {
    return Math.floor(parseDuration(text, flag) / 1000);
  } catch (error) {
    throw new CliError(EXIT_USAGE, `${flag} takes a duration such as 30s, 5m or 1h30m, not "${text}"`, { cause: error });
  }
}
