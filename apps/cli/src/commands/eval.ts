// `tsigma eval -r RULES` (spec 11 §7): evaluate rules (detections and correlations) against events from
// arguments, files or stdin, writing every result to stdout and a summary to stderr.
import { parseSigmaFiles, readSigmaFiles, type SigmaCollection } from '@tsigma/parser';
import { CorrelationEngine, defaultCorrelationConfig, type CorrelationConfig, type EvaluationResult } from '@tsigma/eval';
import type { InputFormat } from '@tsigma/runtime';
import { listOption, parseCommandArgs, stringOption } from '../args.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_RULE_ERROR, EXIT_USAGE } from '../exit-codes.js';
import { readInputs, type InputSpec } from '../event-inputs.js';
import { chooseOutputFormat, renderTable } from '../output-format.js';
import { describeLoadIssue } from '../load-issues.js';
import { loadPipelines } from '../pipelines.js';
import { ProgressLine } from '../progress-line.js';
import { collectRuleFiles } from '../rule-files.js';

/** Parse errors printed in full; the rest are only counted (spec 11 §7). */
const MAX_PRINTED_PARSE_ERRORS = 5;
/** Table cells longer than this are cut with an ellipsis. */
const MAX_DETAIL_CHARS = 200;

/** Runs `tsigma eval`. */
export async function runEval(argv: string[], io: CliIo): Promise<number> {
  const { values, globals } = parseCommandArgs(argv, {
    rules: { type: 'string', short: 'r', multiple: true },
    pipeline: { type: 'string', short: 'p', multiple: true },
    input: { type: 'string', short: 'i', multiple: true },
    event: { type: 'string', short: 'e', multiple: true },
    'input-format': { type: 'string' },
    'syslog-tz': { type: 'string' },
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
    pretty: { type: 'boolean' },
  });
  const rulePaths = listOption(values.rules);
  if (rulePaths.length === 0) throw new CliError(EXIT_USAGE, 'eval needs -r/--rules <path>');
  const format = chooseOutputFormat(values.pretty === true ? 'json' : globals.outputFormat, io.stdout);
  const inputFormat = parseInputFormat(stringOption(values['input-format']), stringOption(values['syslog-tz']));
  const config = correlationConfigFromFlags(values);
  const inputs = inputSpecsInOrder(argv);

  const engine = new CorrelationEngine(config);
  engine.setIncludeEvent(values['include-event'] === true);
  for (const pipeline of await loadPipelines(listOption(values.pipeline))) engine.addPipeline(pipeline);
  // File by file: each file's rules are compiled before the next is parsed (see Engine.addCollections).
  const report = engine.addCollections(readSigmaFiles(await collectRuleFiles(rulePaths)));
  for (const error of report.errors) {
    if (values.strict === true && error.severity === 'error') {
      throw new CliError(EXIT_RULE_ERROR, describeLoadIssue(error));
    }
    if (!globals.quiet) await writeOut(io.stderr, describeLoadIssue(error) + '\n');
  }

  const progress = new ProgressLine(io.stderr, inputs.length, globals.quiet);
  const collected: EvaluationResult[] = [];
  let events = 0;
  let detections = 0;
  let correlations = 0;
  let parseErrors = 0;
  let evtxOnly = inputs.length > 0;
  const warn = async (text: string) => {
    progress.clear();
    await writeOut(io.stderr, text + '\n');
  };
  try {
    for await (const item of readInputs(inputs, inputFormat, io.stdin, (p, i) => {
      progress.setInput(p, i);
      if (!p.evtx) evtxOnly = false;
    })) {
      if (item.kind === 'error') {
        if (item.counts) {
          parseErrors++;
          if (parseErrors <= MAX_PRINTED_PARSE_ERRORS && !globals.quiet) await warn(`parse error: ${item.where}: ${item.message}`);
        } else if (!globals.quiet) await warn(`warning: ${item.where}: ${item.message}`);
        continue;
      }
      events++;
      progress.events = events;
      const result = engine.processEvent(item.event);
      detections += result.detections.length;
      correlations += result.correlations.length;
      progress.matches = detections + correlations;
      for (const r of [...result.detections, ...result.correlations]) {
        if (format === 'ndjson') await writeOut(io.stdout, JSON.stringify(r) + '\n');
        else collected.push(r);
      }
    }
  } finally {
    progress.stop();
  }

  if (format === 'json') await writeOut(io.stdout, JSON.stringify(collected, null, 2) + '\n');
  if (format === 'table') await writeOut(io.stdout, renderResultTable(collected));
  if (values['dump-correlation-state'] === true) await writeOut(io.stderr, JSON.stringify(engine.introspect(), null, 2) + '\n');
  if (!globals.noStats) {
    const noun = evtxOnly ? 'EVTX records' : 'events';
    await writeOut(
      io.stderr,
      `Processed ${events} ${noun}, ${detections} detection matches, ${correlations} correlation matches, ${parseErrors} parse errors.\n`,
    );
  }
  if (detections + correlations === 0 && io.stderr.isTTY && !globals.quiet) await writeOut(io.stderr, 'No matches.\n');
  return values['fail-on-detection'] === true && detections + correlations > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** Parses every rule file under the paths into one collection. */
export async function loadRuleCollection(paths: string[]): Promise<SigmaCollection> {
  return parseSigmaFiles(await collectRuleFiles(paths));
}

/** `-i` and `-e` in command-line order; stdin when there are none. */
function inputSpecsInOrder(argv: string[]): InputSpec[] {
  const specs: InputSpec[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const [flag, inlineValue] =
      token.startsWith('--') && token.includes('=')
        ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)]
        : [token, undefined];
    if (flag !== '-i' && flag !== '--input' && flag !== '-e' && flag !== '--event') continue;
    const value = inlineValue ?? argv[++i] ?? '';
    if (flag === '-i' || flag === '--input') specs.push({ kind: 'file', path: value });
    else if (value.startsWith('@')) specs.push({ kind: 'file', path: value.slice(1) });
    else specs.push({ kind: 'inline', text: value });
  }
  return specs.length > 0 ? specs : [{ kind: 'stdin' }];
}

const SYSLOG_TZ = /^([+-])(\d{2}):(\d{2})$/;

function parseInputFormat(name: string | undefined, tz: string | undefined): InputFormat {
  let defaultTzOffsetMinutes = 0;
  if (tz !== undefined) {
    const m = SYSLOG_TZ.exec(tz);
    if (!m) throw new CliError(EXIT_USAGE, `--syslog-tz must look like +HH:MM or -HH:MM, not "${tz}"`);
    defaultTzOffsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }
  const syslog = { defaultTzOffsetMinutes, stripBom: true };
  switch (name ?? 'auto') {
    case 'auto':
      return { kind: 'auto', syslog };
    case 'syslog':
      return { kind: 'syslog', syslog };
    case 'json':
    case 'logfmt':
    case 'cef':
    case 'plain':
      return { kind: name as 'json' | 'logfmt' | 'cef' | 'plain' };
    default:
      throw new CliError(EXIT_USAGE, `--input-format must be one of auto, json, syslog, logfmt, cef, plain, not "${name}"`);
  }
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

const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const DURATION_GROUP = /(\d+)(ms|s|m|h|d)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The shared duration grammar (spec 05 §1: `500ms`, `30s`, `1h30m`, `0`), in whole seconds. */
function parseSeconds(text: string, flag: string): number {
  if (text === '0') return 0;
  if (!DURATION.test(text)) throw new CliError(EXIT_USAGE, `${flag} takes a duration such as 30s, 5m or 1h30m, not "${text}"`);
  let ms = 0;
  for (const m of text.matchAll(DURATION_GROUP)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
  return Math.floor(ms / 1000);
}

function renderResultTable(results: EvaluationResult[]): string {
  const rows = results.map((r) => {
    const isCorrelation = 'correlation_type' in r;
    const detail = isCorrelation
      ? `${r.group_key.map(([k, v]) => `${k}=${v}`).join(', ')} | agg=${r.aggregated_value}`
      : r.matched_fields.map((f) => `${f.field}=${typeof f.value === 'string' ? f.value : JSON.stringify(f.value)}`).join(', ');
    const cut = detail.length > MAX_DETAIL_CHARS ? detail.slice(0, MAX_DETAIL_CHARS - 1) + '…' : detail;
    return [r.level ?? '-', r.rule_title, isCorrelation ? r.correlation_type : 'detection', cut];
  });
  return renderTable(['LEVEL', 'RULE', 'TYPE', 'DETAIL'], rows);
}
