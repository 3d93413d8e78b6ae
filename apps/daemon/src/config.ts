// Configuration of tsigmad (spec 10 §1): flags > listed environment variables > YAML config file > defaults, checked
// completely before any I/O. Every problem is a ConfigError naming the key; the daemon exits 3 on it.
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDocument, stringify } from 'yaml';
import { inputFormatNamed, INPUT_FORMAT_NAMES, parseDuration, parseSyslogTzOffset, DEFAULT_SYSLOG_CONFIG } from '@tsigma/runtime';
import type { InputFormat } from '@tsigma/runtime';
import { parseNatsTarget, subjectMatches } from '@tsigma/io-nats';

/** A configuration problem: exit 3, with the offending key in the message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

type Kind = 'string' | 'bool' | 'int' | 'list' | 'duration';

/** One option: its flag, its key in the config file (dotted; none for secrets), its env var and default. */
interface OptionSpec {
  flag: string;
  short?: string;
  key?: string;
  kind: Kind;
  env?: string;
  secret?: boolean;
  def?: string | boolean | number | string[];
}

const OPTIONS: readonly OptionSpec[] = [
  { flag: 'rules', short: 'r', key: 'rules', kind: 'string' },
  { flag: 'pipeline', short: 'p', key: 'pipelines', kind: 'list', def: [] },
  { flag: 'source', key: 'sources', kind: 'list', def: [] },
  { flag: 'skip-invalid-rules', key: 'skip_invalid_rules', kind: 'bool', def: false },
  { flag: 'input', key: 'input.source', kind: 'string', def: 'stdin' },
  { flag: 'input-format', key: 'input.format', kind: 'string', def: 'auto' },
  { flag: 'syslog-tz', key: 'input.syslog_tz', kind: 'string', def: '+00:00' },
  { flag: 'syslog-strip-bom', key: 'input.syslog_strip_bom', kind: 'bool', def: true },
  { flag: 'jq', key: 'input.jq', kind: 'string' },
  { flag: 'jsonpath', key: 'input.jsonpath', kind: 'string' },
  { flag: 'output', key: 'output.sinks', kind: 'list', def: ['stdout'] },
  { flag: 'dlq', key: 'output.dlq', kind: 'string' },
  { flag: 'include-event', key: 'output.include_event', kind: 'bool', def: false },
  { flag: 'pretty', key: 'output.pretty', kind: 'bool', def: false },
  { flag: 'sink-retry-max', key: 'output.sink_retry_max', kind: 'int', def: 3 },
  { flag: 'sink-backoff-base-ms', key: 'output.sink_backoff_base_ms', kind: 'int', def: 100 },
  { flag: 'sink-backoff-max-ms', key: 'output.sink_backoff_max_ms', kind: 'int', def: 5000 },
  { flag: 'sink-queue-size', key: 'output.sink_queue_size', kind: 'int', def: 1024 },
  { flag: 'buffer-size', key: 'throughput.buffer_size', kind: 'int', def: 10000 },
  { flag: 'batch-size', key: 'throughput.batch_size', kind: 'int', def: 128 },
  { flag: 'drain-timeout', key: 'throughput.drain_timeout', kind: 'duration', def: '5s' },
  { flag: 'workers', key: 'throughput.workers', kind: 'int' },
  { flag: 'suppress', key: 'correlation.suppress', kind: 'duration' },
  { flag: 'action', key: 'correlation.action', kind: 'string' },
  { flag: 'no-detections', key: 'correlation.no_detections', kind: 'bool', def: false },
  { flag: 'correlation-event-mode', key: 'correlation.event_mode', kind: 'string' },
  { flag: 'max-correlation-events', key: 'correlation.max_correlation_events', kind: 'int' },
  { flag: 'max-state-entries', key: 'correlation.max_state_entries', kind: 'int' },
  { flag: 'max-group-entries', key: 'correlation.max_group_entries', kind: 'int' },
  { flag: 'timestamp-field', key: 'correlation.timestamp_fields', kind: 'list', def: [] },
  { flag: 'timestamp-fallback', key: 'correlation.timestamp_fallback', kind: 'string' },
  { flag: 'state-db', key: 'state.db', kind: 'string' },
  { flag: 'state-save-interval', key: 'state.save_interval', kind: 'duration', def: '30s' },
  { flag: 'clear-state', key: 'state.clear', kind: 'bool', def: false },
  { flag: 'keep-state', key: 'state.keep', kind: 'bool', def: false },
  { flag: 'source-cache-ttl', key: 'sources_config.cache_ttl', kind: 'duration' },
  { flag: 'allow-remote-include', key: 'sources_config.allow_remote_include', kind: 'bool', def: false },
  { flag: 'egress-policy', key: 'sources_config.egress_policy', kind: 'string', def: 'default' },
  { flag: 'egress-allow-host', key: 'sources_config.egress_allow_hosts', kind: 'list', def: [] },
  { flag: 'enrichers', key: 'enrichers', kind: 'string' },
  { flag: 'alert-pipeline', key: 'alert_pipeline', kind: 'string' },
  { flag: 'api-addr', key: 'api.addr', kind: 'string', def: '127.0.0.1:9090' },
  { flag: 'api-token-env', key: 'api.token_env', kind: 'string' },
  { flag: 'max-request-bytes', key: 'api.max_request_bytes', kind: 'int', def: 16 * 1024 * 1024 },
  { flag: 'nats-creds', key: 'nats.creds', kind: 'string', env: 'NATS_CREDS' },
  { flag: 'nats-nkey', kind: 'string', env: 'NATS_NKEY', secret: true },
  { flag: 'nats-token', kind: 'string', env: 'NATS_TOKEN', secret: true },
  { flag: 'nats-user', key: 'nats.user', kind: 'string', env: 'NATS_USER' },
  { flag: 'nats-password', kind: 'string', env: 'NATS_PASSWORD', secret: true },
  { flag: 'nats-tls-cert', key: 'nats.tls_cert', kind: 'string' },
  { flag: 'nats-tls-key', key: 'nats.tls_key', kind: 'string' },
  { flag: 'nats-tls-ca', key: 'nats.tls_ca', kind: 'string' },
  { flag: 'nats-require-tls', key: 'nats.require_tls', kind: 'bool', def: false },
  { flag: 'nats-url', key: 'nats.url', kind: 'string' },
  { flag: 'replay-from-start', key: 'replay.from_start', kind: 'bool', def: false },
  { flag: 'replay-from-sequence', key: 'replay.from_sequence', kind: 'int' },
  { flag: 'replay-from-time', key: 'replay.from_time', kind: 'string' },
  { flag: 'replay-from-latest', key: 'replay.from_latest', kind: 'bool', def: false },
  { flag: 'consumer-group', key: 'nats.consumer_group', kind: 'string', env: 'TSIGMA_CONSUMER_GROUP' },
  { flag: 'nats-ack-wait', key: 'nats.ack_wait', kind: 'duration', def: '30s' },
  { flag: 'nats-max-deliver', key: 'nats.max_deliver', kind: 'int' },
  { flag: 'log-level', key: 'log.level', kind: 'string', env: 'TSIGMA_LOG', def: 'info' },
  { flag: 'log-format', key: 'log.format', kind: 'string', def: 'json' },
];

/** Keys whose values are paths, resolved against the config file's directory when they come from it. */
const PATH_KEYS = new Set([
  'rules',
  'pipelines',
  'sources',
  'state.db',
  'enrichers',
  'alert_pipeline',
  'nats.creds',
  'nats.tls_cert',
  'nats.tls_key',
  'nats.tls_ca',
]);

/** Where results go: a sink spec after parsing. */
export type SinkSpec =
  | { kind: 'stdout'; onFull: 'block' | 'drop'; spec: string }
  | { kind: 'file'; path: string; onFull: 'block' | 'drop'; spec: string }
  | { kind: 'nats'; url: string; subject: string; onFull: 'block' | 'drop'; spec: string };

export type InputSpec = { kind: 'stdin' } | { kind: 'http' } | { kind: 'otlp' } | { kind: 'nats'; url: string; subject: string };

export type Replay =
  { kind: 'resume' } | { kind: 'all' } | { kind: 'latest' } | { kind: 'sequence'; seq: number } | { kind: 'time'; at: Date };

/** The effective, validated configuration. */
export interface DaemonConfig {
  rules: string;
  pipelines: string[];
  sources: string[];
  skipInvalidRules: boolean;
  input: InputSpec;
  inputFormat: InputFormat;
  jq?: string;
  jsonpath?: string;
  sinks: SinkSpec[];
  dlq?: SinkSpec;
  includeEvent: boolean;
  pretty: boolean;
  delivery: { retryMax: number; backoffBaseMs: number; backoffMaxMs: number; queueSize: number };
  bufferSize: number;
  batchSize: number;
  drainTimeoutMs: number;
  workers: number;
  correlation: Record<string, unknown>;
  stateDb?: string;
  stateSaveIntervalMs: number;
  clearState: boolean;
  keepState: boolean;
  sourceCacheTtlMs?: number;
  allowRemoteInclude: boolean;
  egressPolicy: string;
  egressAllowHosts: string[];
  enrichers?: string;
  alertPipeline?: string;
  apiHost: string;
  apiPort: number;
  apiToken?: string;
  apiTokenEnv?: string;
  maxRequestBytes: number;
  nats: {
    url?: string;
    creds?: string;
    nkey?: string;
    token?: string;
    user?: string;
    password?: string;
    tlsCert?: string;
    tlsKey?: string;
    tlsCa?: string;
    requireTls: boolean;
    consumerGroup?: string;
    ackWaitMs: number;
    maxDeliver?: number;
  };
  replay: Replay;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFormat: 'json' | 'text';
  dryRun: boolean;
  /** The merged raw values by config key (for `--dry-run`); secrets redacted. */
  effective: Record<string, unknown>;
}

type Raw = string | boolean | string[] | undefined;

/** Parses argv + env + the config file into a DaemonConfig; throws ConfigError. Reads only the config file. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const parseOptions: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    config: { type: 'string' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const o of OPTIONS) {
    parseOptions[o.flag] = {
      type: o.kind === 'bool' ? 'boolean' : 'string',
      ...(o.short === undefined ? {} : { short: o.short }),
      ...(o.kind === 'list' ? { multiple: true } : {}),
    };
  }
  let values: Record<string, Raw>;
  try {
    values = parseArgs({ args: [...argv], options: parseOptions, strict: true, allowPositionals: false }).values as Record<string, Raw>;
  } catch (error) {
    const m = /'(--?[\w-]+)/.exec((error as Error).message);
    throw new ConfigError(m?.[1] ?? 'arguments', (error as Error).message);
  }
  const configPath = typeof values['config'] === 'string' ? values['config'] : undefined;
  const file = configPath === undefined ? new Map<string, unknown>() : readConfigFile(configPath);

  const merged = new Map<string, unknown>();
  const effective: Record<string, unknown> = {};
  for (const o of OPTIONS) {
    const name = o.key ?? o.flag;
    let value: unknown = values[o.flag];
    let fromFile = false;
    if (value === undefined && o.env !== undefined && env[o.env] !== undefined && env[o.env] !== '') {
      const text = env[o.env] as string;
      value = o.kind === 'list' ? [text] : o.kind === 'bool' ? text === 'true' || text === '1' : text;
    }
    if (value === undefined && o.key !== undefined && file.has(o.key)) {
      value = file.get(o.key);
      fromFile = true;
    }
    if (value === undefined) value = o.def;
    if (value === undefined) continue;
    value = coerce(o, name, value, fromFile);
    if (fromFile && PATH_KEYS.has(name) && configPath !== undefined) {
      const base = dirname(resolve(configPath));
      value = Array.isArray(value) ? value.map((v: string) => resolvePathOrName(base, v, name)) : resolve(base, value as string);
    }
    merged.set(o.flag, value);
    effective[name] = o.secret === true ? '<redacted>' : value;
  }
  return validate(merged, values['dry-run'] === true, effective, env);
}

/** Pipelines may be builtin names, which stay names. */
function resolvePathOrName(base: string, v: string, key: string): string {
  if (key === 'pipelines' && !v.includes('/') && !/\.ya?ml$/i.test(v)) return v;
  return resolve(base, v);
}

function readConfigFile(path: string): Map<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('--config', `cannot read ${path}: ${(error as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError('--config', `${path}: invalid YAML: ${doc.errors[0]?.message ?? ''}`);
  const root: unknown = doc.toJS();
  const out = new Map<string, unknown>();
  if (root === null || root === undefined) return out;
  if (typeof root !== 'object' || Array.isArray(root)) throw new ConfigError('--config', `${path}: the config file must be a mapping`);
  const known = new Map(OPTIONS.filter((o) => o.key !== undefined).map((o) => [o.key as string, o]));
  const groups = new Set([...known.keys()].filter((k) => k.includes('.')).map((k) => k.slice(0, k.indexOf('.'))));
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix === '' ? k : `${prefix}.${k}`;
      if (prefix === '' && groups.has(k)) {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(key, 'must be a mapping');
        walk(v as Record<string, unknown>, key);
        continue;
      }
      if (SECRET_FILE_KEYS.has(key))
        throw new ConfigError(key, 'secrets are accepted only from flags or environment variables, not from the config file');
      if (!known.has(key)) throw new ConfigError(key, `unknown key in ${path}`);
      out.set(key, v);
    }
  };
  walk(root as Record<string, unknown>, '');
  return out;
}

const SECRET_FILE_KEYS = new Set(['nats.token', 'nats.password', 'nats.nkey', 'nats.nkey_seed', 'api.token']);

function coerce(o: OptionSpec, name: string, value: unknown, fromFile: boolean): unknown {
  switch (o.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw new ConfigError(name, `must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case 'list': {
      const list = typeof value === 'string' && fromFile ? [value] : value;
      if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) throw new ConfigError(name, 'must be a list of strings');
      return list;
    }
    case 'int': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !/^\d+$/.test(text))
        throw new ConfigError(name, `must be a non-negative integer, got ${JSON.stringify(value)}`);
      return Number(text);
    }
    case 'duration': {
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new ConfigError(name, `must be a duration such as 30s, got ${JSON.stringify(value)}`);
      const ms = typeof value === 'number' ? value * 1000 : durationMs(value);
      if (ms === undefined) throw new ConfigError(name, `must be a duration such as 30s, got ${JSON.stringify(value)}`);
      return ms;
    }
    default:
      if (typeof value !== 'string') throw new ConfigError(name, `must be a string, got ${JSON.stringify(value)}`);
      return value;
  }
}

function durationMs(text: string): number | undefined {
  try {
    const d = parseDuration(text) as unknown;
    if (typeof d === 'number') return d;
    return undefined;
  } catch {
    return undefined;
  }
}

function validate(m: Map<string, unknown>, dryRun: boolean, effective: Record<string, unknown>, env: NodeJS.ProcessEnv): DaemonConfig {
  const str = (f: string): string | undefined => m.get(f) as string | undefined;
  const int = (f: string): number | undefined => m.get(f) as number | undefined;
  const bool = (f: string): boolean => m.get(f) === true;
  const list = (f: string): string[] => (m.get(f) as string[] | undefined) ?? [];

  const rules = str('rules');
  if (rules === undefined) throw new ConfigError('rules', 'required (-r/--rules <file|dir>)');

  const input = parseInput(str('input') ?? 'stdin');
  const sinks = list('output').map((s) => parseSink(s, 'output'));
  if (sinks.length === 0) sinks.push({ kind: 'stdout', onFull: 'block', spec: 'stdout' });
  const dlqText = str('dlq');
  const dlq = dlqText === undefined ? undefined : parseSink(dlqText, 'dlq');
  if (input.kind === 'nats') {
    for (const s of [...sinks, ...(dlq === undefined ? [] : [dlq])]) {
      if (s.kind === 'nats' && subjectMatches(input.subject, s.subject)) {
        throw new ConfigError(
          s === dlq ? 'dlq' : 'output',
          `subject ${s.subject} is matched by the input subject ${input.subject}: results would feed back into the input`,
        );
      }
    }
  }

  const tz = str('syslog-tz') ?? '+00:00';
  const tzMinutes = parseSyslogTzOffset(tz);
  if (tzMinutes === undefined) throw new ConfigError('syslog-tz', `must be an offset from +HH:MM to -HH:MM, got ${tz}`);
  const formatName = str('input-format') ?? 'auto';
  const inputFormat = inputFormatNamed(formatName, {
    ...DEFAULT_SYSLOG_CONFIG,
    defaultTzOffsetMinutes: tzMinutes,
    stripBom: bool('syslog-strip-bom'),
  });
  if (inputFormat === undefined)
    throw new ConfigError('input-format', `must be one of ${INPUT_FORMAT_NAMES.join(', ')}, got ${formatName}`);
  if (str('jq') !== undefined && str('jsonpath') !== undefined) throw new ConfigError('jq', '--jq and --jsonpath are mutually exclusive');

  const bufferSize = int('buffer-size') ?? 10000;
  if (bufferSize < 1) throw new ConfigError('buffer-size', 'must be at least 1');
  const batchSize = int('batch-size') ?? 128;
  if (batchSize < 1) throw new ConfigError('batch-size', 'must be at least 1');
  const queueSize = int('sink-queue-size') ?? 1024;
  if (queueSize < 1) throw new ConfigError('sink-queue-size', 'must be at least 1');
  const workers = int('workers') ?? availableParallelism();
  if (workers < 1) throw new ConfigError('workers', 'must be at least 1');

  if (bool('clear-state') && bool('keep-state'))
    throw new ConfigError('clear-state', '--clear-state and --keep-state are mutually exclusive');

  const replayFlags = ['replay-from-start', 'replay-from-sequence', 'replay-from-time', 'replay-from-latest'].filter(
    (f) => m.get(f) !== undefined && m.get(f) !== false,
  );
  if (replayFlags.length > 1) throw new ConfigError(replayFlags[0] as string, `${replayFlags.join(', ')} are mutually exclusive`);
  if (replayFlags.length === 1 && input.kind !== 'nats')
    throw new ConfigError(replayFlags[0] as string, 'replay flags need a NATS input (--input nats://...)');
  let replay: Replay = { kind: 'resume' };
  if (bool('replay-from-start')) replay = { kind: 'all' };
  if (bool('replay-from-latest')) replay = { kind: 'latest' };
  const seq = int('replay-from-sequence');
  if (seq !== undefined) {
    if (seq < 1) throw new ConfigError('replay-from-sequence', 'must be at least 1');
    replay = { kind: 'sequence', seq };
  }
  const time = str('replay-from-time');
  if (time !== undefined) {
    const at = new Date(time);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(time) || Number.isNaN(at.getTime()))
      throw new ConfigError('replay-from-time', `must be an RFC 3339 time, got ${time}`);
    replay = { kind: 'time', at };
  }

  const addr = str('api-addr') ?? '127.0.0.1:9090';
  const am = /^(.*):(\d+)$/.exec(addr);
  const port = am === null ? NaN : Number(am[2]);
  if (am === null || port > 65535) throw new ConfigError('api-addr', `must be host:port, got ${addr}`);
  const apiHost = (am[1] as string).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';

  const tokenEnv = str('api-token-env');
  let apiToken: string | undefined;
  if (tokenEnv !== undefined) {
    apiToken = env[tokenEnv];
    if (apiToken === undefined || apiToken === '')
      throw new ConfigError('api-token-env', `environment variable ${tokenEnv} is unset or empty`);
  }

  const logLevel = str('log-level') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new ConfigError('log-level', `must be debug, info, warn or error, got ${logLevel}`);
  const logFormat = str('log-format') ?? 'json';
  if (logFormat !== 'json' && logFormat !== 'text') throw new ConfigError('log-format', `must be json or text, got ${logFormat}`);
  const egressPolicy = str('egress-policy') ?? 'default';
  if (!['default', 'strict', 'permissive'].includes(egressPolicy))
    throw new ConfigError('egress-policy', `must be default, strict or permissive, got ${egressPolicy}`);

  const correlation: Record<string, unknown> = {};
  const suppress = int('suppress');
  if (suppress !== undefined) correlation['suppressSecs'] = Math.floor(suppress / 1000);
  const action = str('action');
  if (action !== undefined) {
    if (action !== 'alert' && action !== 'reset') throw new ConfigError('action', `must be alert or reset, got ${action}`);
    correlation['action'] = action;
  }
  if (bool('no-detections')) correlation['emitDetections'] = false;
  const mode = str('correlation-event-mode');
  if (mode !== undefined) {
    if (!['none', 'full', 'refs'].includes(mode))
      throw new ConfigError('correlation-event-mode', `must be none, full or refs, got ${mode}`);
    correlation['eventMode'] = mode;
  }
  for (const [flag, key] of [
    ['max-correlation-events', 'maxCorrelationEvents'],
    ['max-state-entries', 'maxStateEntries'],
    ['max-group-entries', 'maxGroupEntries'],
  ] as const) {
    const v = int(flag);
    if (v !== undefined) correlation[key] = v;
  }
  const tsFields = list('timestamp-field');
  if (tsFields.length > 0) correlation['timestampFields'] = tsFields;
  const fallback = str('timestamp-fallback');
  if (fallback !== undefined) {
    if (fallback !== 'wallclock' && fallback !== 'skip')
      throw new ConfigError('timestamp-fallback', `must be wallclock or skip, got ${fallback}`);
    correlation['timestampFallback'] = fallback;
  }

  const natsUrl = str('nats-url');
  if (natsUrl !== undefined && !/^(nats|tls):\/\/[^/]+$/.test(natsUrl))
    throw new ConfigError('nats-url', `must be nats://host:port, got ${natsUrl}`);
  const maxDeliver = int('nats-max-deliver');
  if (maxDeliver !== undefined && maxDeliver < 1) throw new ConfigError('nats-max-deliver', 'must be at least 1');

  const stateDb = str('state-db');

  const config: DaemonConfig = {
    rules,
    pipelines: list('pipeline'),
    sources: list('source'),
    skipInvalidRules: bool('skip-invalid-rules'),
    input,
    inputFormat,
    sinks,
    includeEvent: bool('include-event'),
    pretty: bool('pretty'),
    delivery: {
      retryMax: int('sink-retry-max') ?? 3,
      backoffBaseMs: int('sink-backoff-base-ms') ?? 100,
      backoffMaxMs: int('sink-backoff-max-ms') ?? 5000,
      queueSize,
    },
    bufferSize,
    batchSize: Math.min(batchSize, bufferSize),
    drainTimeoutMs: int('drain-timeout') ?? 5000,
    workers,
    correlation,
    stateSaveIntervalMs: Math.max(1, int('state-save-interval') ?? 30000),
    clearState: bool('clear-state'),
    keepState: bool('keep-state'),
    allowRemoteInclude: bool('allow-remote-include'),
    egressPolicy,
    egressAllowHosts: list('egress-allow-host'),
    apiHost,
    apiPort: port,
    maxRequestBytes: int('max-request-bytes') ?? 16 * 1024 * 1024,
    nats: {
      requireTls: bool('nats-require-tls'),
      ackWaitMs: int('nats-ack-wait') ?? 30000,
    },
    replay,
    logLevel: logLevel as DaemonConfig['logLevel'],
    logFormat,
    dryRun,
    effective,
  };
  const opt = <K extends keyof DaemonConfig>(k: K, v: DaemonConfig[K] | undefined): void => {
    if (v !== undefined) config[k] = v;
  };
  opt('jq', str('jq'));
  opt('jsonpath', str('jsonpath'));
  opt('dlq', dlq);
  opt('stateDb', stateDb);
  opt('sourceCacheTtlMs', int('source-cache-ttl'));
  opt('alertPipeline', str('alert-pipeline'));
  opt('enrichers', str('enrichers'));
  opt('apiToken', apiToken);
  opt('apiTokenEnv', tokenEnv);
  const n = config.nats;
  for (const [flag, key] of [
    ['nats-url', 'url'],
    ['nats-creds', 'creds'],
    ['nats-nkey', 'nkey'],
    ['nats-token', 'token'],
    ['nats-user', 'user'],
    ['nats-password', 'password'],
    ['nats-tls-cert', 'tlsCert'],
    ['nats-tls-key', 'tlsKey'],
    ['nats-tls-ca', 'tlsCa'],
    ['consumer-group', 'consumerGroup'],
  ] as const) {
    const v = str(flag);
    if (v !== undefined) n[key] = v;
  }
  if (maxDeliver !== undefined) n.maxDeliver = maxDeliver;
  return config;
}

function parseInput(text: string): InputSpec {
  if (text === 'stdin' || text === 'http' || text === 'otlp') return { kind: text };
  if (text.startsWith('nats://') || text.startsWith('tls://')) {
    try {
      const t = parseNatsTarget(text);
      return { kind: 'nats', url: t.url, subject: t.subject };
    } catch (error) {
      throw new ConfigError('input', (error as Error).message);
    }
  }
  throw new ConfigError('input', `must be stdin, http, otlp or nats://host:port/<subject>, got ${text}`);
}

function parseSink(text: string, key: 'output' | 'dlq'): SinkSpec {
  const q = text.indexOf('?');
  const base = q < 0 ? text : text.slice(0, q);
  let onFull: 'block' | 'drop' = 'block';
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(text.slice(q + 1))) {
      if (k !== 'on_full') throw new ConfigError(key, `unknown sink parameter ${k} in ${text}`);
      if (v !== 'block' && v !== 'drop') throw new ConfigError(key, `on_full must be block or drop, got ${v}`);
      onFull = v;
    }
  }
  if (base === 'stdout') return { kind: 'stdout', onFull, spec: text };
  if (base.startsWith('file://')) {
    const path = resolve(base.slice('file://'.length));
    if (path === '/') throw new ConfigError(key, `file sink needs a path: ${text}`);
    let isDir = false;
    try {
      isDir = statSync(dirname(path)).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new ConfigError(key, `the directory of ${path} does not exist`);
    return { kind: 'file', path, onFull, spec: text };
  }
  if (base.startsWith('nats://') || base.startsWith('tls://')) {
    try {
      const t = parseNatsTarget(base);
      return { kind: 'nats', url: t.url, subject: t.subject, onFull, spec: text };
    } catch (error) {
      throw new ConfigError(key, (error as Error).message);
    }
  }
  throw new ConfigError(key, `unknown sink scheme in ${text} (stdout, file://<path>, nats://host:port/<subject>)`);
}

/** The effective configuration as YAML for `--dry-run`, secrets shown as `<redacted>`. */
export function renderEffectiveConfig(config: DaemonConfig): string {
  const tree: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config.effective)) {
    const parts = key.split('.');
    let node = tree;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1] as string] = value;
  }
  if (config.apiTokenEnv !== undefined) tree['api_token'] = '<redacted>';
  return stringify(tree);
}

export const HELP = `Usage: tsigmad -r <rules> [options]

The tsigma detection daemon: events in (stdin, HTTP, OTLP, NATS), results out (stdout, files, NATS), an HTTP API
for health, metrics and management. Every option also has a config-file key (--config <file.yml>).

  -r, --rules <path>            rule file or directory (required)
  -p, --pipeline <name|file>    processing pipeline; repeatable
  --input stdin|http|otlp|nats://host:port/<subject>
  --input-format auto|json|syslog|logfmt|cef|plain
  --output <sink>               stdout | file://<path> | nats://host:port/<subject> [?on_full=block|drop]; repeatable
  --dlq <sink>                  dead-letter sink
  --alert-pipeline <file>       alert pipeline (dedup, silences, inhibition, incidents)
  --state-db <file>             SQLite state (correlation and alert state survive restarts)
  --api-addr host:port          HTTP API (default 127.0.0.1:9090)
  --workers N                   detection worker threads (default: available parallelism)
  --dry-run                     print the effective configuration and exit
See the README for every option.
`;
