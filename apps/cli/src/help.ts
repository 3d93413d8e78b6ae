// Per-command `--help`: the usage line, a summary, and one line per option. The option list comes from the table
// the command hands to parseCommandArgs (HelpRequested carries it), so help cannot miss a flag; descriptions live
// here, and a test fails when a declared option has none.
import { GLOBAL_OPTIONS, type OptionSpecs } from './args.js';

/** What `tsigma <command> --help` says about a command. */
interface CommandHelp {
  usage: string;
  summary: string;
  /** One line per option, by long name. */
  options: Record<string, string>;
}

const GLOBAL_HELP: Record<keyof typeof GLOBAL_OPTIONS, string> = {
  'output-format': 'data format on stdout (formats per command; see the summary above)',
  color: 'auto|always|never: ANSI colours on human views (auto: only on a TTY without NO_COLOR)',
  quiet: 'no progress, summary or warnings (errors still go to stderr)',
  'no-stats': 'drop the final summary line',
  'log-level': 'debug|info|warn|error: diagnostic logs on stderr (default warn)',
};

const PIPELINE = 'processing pipeline: builtin name (windows, sysmon, ecs_windows) or file; repeatable, in priority order';
/** The dynamic-source flags `validate` and `eval` share (apps/cli/src/sources.ts). */
const SOURCE_HELP = {
  source: "standalone dynamic-source file or directory, added to the pipelines' declarations; repeatable",
  'egress-policy': 'default|strict|permissive: where http sources may connect',
  'allow-remote-include': 'allow `include` of http and nats sources',
};

/** Help of every command by its canonical name. */
export const COMMAND_HELP: Record<string, CommandHelp> = {
  parse: {
    usage: 'tsigma parse <file|-> | --condition <expr>',
    summary: 'Print the parsed rule collection (or one condition expression) as JSON.',
    options: { condition: 'parse one condition expression instead of a file', pretty: 'pretty-print the JSON' },
  },
  validate: {
    usage: 'tsigma validate <path>... [-p <pipeline>]...',
    summary:
      'Parse and compile rules, reporting every error per file (exit 2 on any rule error). Output formats human (default), json, ndjson, table, csv, tsv.',
    options: {
      pipeline: PIPELINE,
      verbose: 'print ok/error per file before the summary',
      'resolve-sources': 'fetch every dynamic source the pipelines declare; exit 3 if one fails',
      ...SOURCE_HELP,
    },
  },
  lint: {
    usage: 'tsigma lint <path>... [--fix] [--fail-level error|warning|info]',
    summary:
      'Check rule files against the Sigma specification; output formats human (default), json, ndjson, table, csv, tsv, sarif. ' +
      'Reads the nearest .tsigma-lint.yml (disable, severity, exclude, tag-namespaces).',
    options: {
      fix: 'rewrite fixable findings in place (duplicates, key and logsource case, lone * values)',
      'fail-level': 'exit 1 when a finding is at or above this severity (default error)',
      disable: 'rule ids to skip, comma-separated; repeatable',
      'tag-namespace': 'accept this tag namespace besides attack, car, cve, detection, stp, tlp; repeatable',
      exclude: 'skip files matching this glob, relative to each directory given; repeatable',
      config: 'read this configuration file instead of the nearest .tsigma-lint.yml',
      'no-config': 'ignore .tsigma-lint.yml files',
      verbose: 'list every file in the human view, including clean ones',
    },
  },
  fields: {
    usage: 'tsigma fields -r <rules> [-p <pipeline>]...',
    summary:
      'List every field the rules reference, with the rules and origins using it. Output formats human (default, a table), json, ndjson, csv, tsv.',
    options: {
      rules: 'rule file or directory (recursive); repeatable',
      pipeline: PIPELINE,
      'no-filters': 'leave out fields used only by filter rules',
      'show-mapping': 'pair each original field with its name after the pipelines',
      verbose: 'print every rule load problem',
    },
  },
  eval: {
    usage: 'tsigma eval -r <rules> [-i <file|dir|->]... [-e <json|@file>]... [options]',
    summary:
      'Evaluate rules (detections and correlations) against events; results on stdout. Output formats json, ndjson, ' +
      'table, timeline, csv, tsv.',
    options: {
      rules: 'rule file or directory (recursive); repeatable',
      pipeline: PIPELINE,
      input: 'events from a file or directory (NDJSON, lines, .json streams, .evtx); - reads stdin; repeatable',
      event: 'one inline JSON event, or @file; repeatable',
      'input-format': 'auto|json|syslog|logfmt|cef|plain: how input lines are decoded (default auto)',
      'syslog-tz': 'offset for syslog timestamps without one, +HH:MM (default +00:00)',
      'syslog-strip-bom': 'true|false: strip a UTF-8 BOM before syslog messages (default true)',
      jq: 'evaluate the jq expression result of each event instead of the event',
      jsonpath: 'evaluate the JSONPath result of each event instead of the event',
      'include-event': 'embed the event in detection results',
      'no-detections': 'emit only correlation results',
      suppress: 'suppress repeated correlation alerts for this duration (e.g. 5m)',
      action: 'alert|reset: what a correlation does after firing',
      'correlation-event-mode': 'none|full|refs: events kept with correlation results',
      'max-correlation-events': 'most events kept per correlation result',
      'max-state-entries': 'most correlation windows held in memory',
      'max-group-entries': 'most groups per correlation rule',
      'timestamp-field': 'event field read as the timestamp before the defaults; repeatable',
      'timestamp-fallback': 'wallclock|skip: when an event has no timestamp',
      'dump-correlation-state': 'print the correlation state as JSON to stderr at the end',
      'fail-on-detection': 'exit 1 if any result was produced',
      strict: 'a rule that fails to parse or compile is exit 2 instead of a warning',
      'batch-size': 'lines evaluated together, 1 to 100000 (default 256)',
      threads: 'detection worker threads, 1 to 64 (default: by input size and rule count)',
      pretty: 'alias of --output-format json',
      'no-logsource-routing': 'evaluate every rule on every event, not only rules whose logsource fits',
      'min-level': 'show only results at or above this level',
      sort: 'time: sort results by event time (json, table, timeline, csv, tsv)',
      'match-detail': 'off|summary|full: per-field detail in detection results (default off: field and value only)',
      verbose: 'print every rule warning',
      'alert-pipeline': 'alert pipeline configuration file: inhibit, silence, dedup and group results into incidents',
      enrichers: 'enrichers configuration file: add context (template, lookup, http, command) to every result',
      ...SOURCE_HELP,
    },
  },
  explain: {
    usage: 'tsigma explain -r <rules> [-e <json|@file|->] [--rule-id <id>]',
    summary: 'Explain why each detection rule did or did not match one event.',
    options: {
      rules: 'rule file or directory (recursive); repeatable',
      pipeline: PIPELINE,
      event: 'the event: inline JSON, @file, or - for stdin (default stdin)',
      'rule-id': 'explain only the rule with this id (or exact title)',
      'show-pipeline': 'print the pipeline items applied to each rule',
      'no-logsource-routing': 'explain every rule, not only those whose logsource fits',
      verbose: 'print every rule load problem',
    },
  },
  'evtx dump': {
    usage: 'tsigma evtx dump <file.evtx>... [--output-format ndjson|json]',
    summary: 'Print EVTX records in the evtx_dump JSON shape.',
    options: {},
  },
  'pipeline resolve': {
    usage: 'tsigma pipeline resolve -p <pipeline>... [--source-file <file|dir>]... [-s <id>] [--dry-run] [--expand]',
    summary: 'Resolve the dynamic sources the pipelines declare, once, and print each one (exit 1 if one failed).',
    options: {
      pipeline: PIPELINE,
      'source-file': 'standalone dynamic-source file or directory; repeatable',
      source: 'resolve only the source with this id',
      'dry-run': 'list the declarations without fetching',
      expand: 'also print the pipelines with every ${source.X} expanded',
      'egress-policy': SOURCE_HELP['egress-policy'],
      'allow-remote-include': SOURCE_HELP['allow-remote-include'],
    },
  },
  'pipeline diff': {
    usage: 'tsigma pipeline diff -r <rules> -p <pipeline>... [--rule-id <id>]',
    summary: 'Show each rule before and after the pipelines as a unified YAML diff, naming the items that changed each line.',
    options: {
      rules: 'rule file or directory (recursive); repeatable',
      pipeline: PIPELINE,
      'rule-id': 'only the rule with this id (or exact title)',
    },
  },
};

/** Marks an option the help table does not describe; tests look for it. */
export const UNDESCRIBED = '(no description)';

/** The help text of `command` listing `options` (the command's table) and the global options. */
export function renderCommandHelp(command: string, options: OptionSpecs): string {
  const help = COMMAND_HELP[command];
  const lines = [`Usage: ${help?.usage ?? `tsigma ${command} [options]`}`, ''];
  if (help !== undefined) lines.push(help.summary, '');
  const row = (name: string, spec: OptionSpecs[string], text: string): string => {
    const flag = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
    return `  ${flag.padEnd(34)} ${text}${spec.multiple === true && !text.includes('repeatable') ? '; repeatable' : ''}`;
  };
  const own = Object.entries(options);
  if (own.length > 0) {
    lines.push('Options:');
    for (const [name, spec] of own) lines.push(row(name, spec, help?.options[name] ?? UNDESCRIBED));
    lines.push('');
  }
  lines.push('Global options:');
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS) as [keyof typeof GLOBAL_OPTIONS, OptionSpecs[string]][])
    lines.push(row(name, spec, GLOBAL_HELP[name]));
  lines.push(row('help', { type: 'boolean', short: 'h' }, 'print this help'));
  return lines.join('\n') + '\n';
}
