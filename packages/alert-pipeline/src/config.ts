// The alert-pipeline file (spec 08 §2): strict validation of a parsed YAML value into an AlertPipeline. Every key
// is checked (an unknown one names its parent, the allowed keys and the closest match); nothing is built on error.

import { readFile } from 'node:fs/promises';
import { parseDuration, RuntimeError, Scope, Selector } from '@tsigma/runtime';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { DedupConfig } from './dedup.js';
import { AlertPipelineError, SilenceError, type AlertPipelineErrorCode, type AlertPipelineSpot } from './errors.js';
import type { GroupConfig, GroupMode, IncludeMode } from './grouping.js';
import type { InhibitRule } from './inhibit.js';
import { Matcher, MatcherProblem, MatcherSet, type MatchOp, type MatcherSpec } from './matcher.js';
import { AlertPipeline } from './pipeline.js';
import { buildSilence, type Silence, type SilenceSpec } from './silence.js';

/** Default cap on API-created silences. */
export const DEFAULT_MAX_SILENCES = 1000;
/** Default cap on active dedup alerts: bounds memory under a flood of unique fingerprints. */
export const DEFAULT_MAX_ACTIVE_ALERTS = 100_000;

const DEFAULTS = {
  resolveTimeout: '1h',
  groupWait: '30s',
  groupInterval: '5m',
  inhibitDuration: '5m',
  maxOpenIncidents: 10_000,
  maxEntitiesPerIncident: 1000,
  maxResultsPerIncident: 1000,
  maxValueCardinality: 10_000,
} as const;

const KEYS = {
  '': ['strip_event', 'scope', 'max_silences', 'dedup', 'group', 'silences', 'inhibit_rules'],
  scope: ['rules', 'tags', 'levels'],
  dedup: ['fingerprint', 'repeat_interval', 'resolve_timeout', 'max_active_alerts'],
  group: [
    'mode',
    'by',
    'entities',
    'group_wait',
    'group_interval',
    'repeat_interval',
    'resolve_timeout',
    'include',
    'caps',
    'stop_values',
    'nats_subject',
  ],
  caps: ['max_open_incidents', 'max_entities_per_incident', 'max_results_per_incident', 'max_value_cardinality'],
  silence: ['id', 'matchers', 'starts_at', 'ends_at', 'created_by', 'comment'],
  matcher: ['selector', 'op', 'value'],
  inhibit: ['name', 'source_match', 'target_match', 'equal', 'duration'],
} as const;

type Path = (string | number)[];
type Locate = (path: Path, atKey: boolean) => { line: number; column: number } | undefined;

/**
 * Validates a parsed config value (as `yaml` or `JSON.parse` return it) and builds the pipeline; `source` names it
 * in errors. Pure: no file access. Throws AlertPipelineError.
 *
 * @example
 * const pipeline = buildAlertPipeline({ dedup: { fingerprint: ['rule', 'match.SourceIp'] } });
 */
export function buildAlertPipeline(config: unknown, source = 'alert pipeline', locate?: Locate): AlertPipeline {
  return new Checker(source, locate ?? (() => undefined)).pipeline(config);
}

/**
 * Parses YAML text and builds the pipeline; an empty document is a pipeline with no stage. Throws AlertPipelineError
 * with the line and column of the offending key.
 *
 * @example
 * const pipeline = parseAlertPipelineConfig('group:\n  by: [match.SourceIp]\n  group_wait: 30s\n', 'alerts.yml');
 */
export function parseAlertPipelineConfig(yamlText: string, source = 'alert pipeline'): AlertPipeline {
  const lines = new LineCounter();
  const docs = parseAllDocuments(yamlText, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs)) return buildAlertPipeline(null, source);
  if (docs.length > 1) throw new AlertPipelineError('yaml_syntax', 'expected one YAML document', { source, key: '' });
  const doc = docs[0];
  if (doc === undefined) return buildAlertPipeline(null, source);
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const at = lines.linePos(problem.pos[0]);
    throw new AlertPipelineError('yaml_syntax', problem.message.split('\n')[0] ?? problem.message, {
      source,
      key: '',
      line: at.line,
      column: at.col,
    });
  }
  const locate: Locate = (path, atKey) => {
    const node = nodeAt(doc, path, atKey);
    const start = node?.range?.[0];
    if (start === undefined) return undefined;
    const at = lines.linePos(start);
    return { line: at.line, column: at.col };
  };
  return buildAlertPipeline(doc.toJS({ maxAliasCount: 100 }), source, locate);
}

/**
 * Reads, parses and validates an alert-pipeline file. Rejects with AlertPipelineError (`io` when unreadable).
 *
 * @example
 * const pipeline = await loadAlertPipelineFile('alerts.yml');
 */
export async function loadAlertPipelineFile(path: string): Promise<AlertPipeline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AlertPipelineError(
      'io',
      `cannot read the alert pipeline file: ${(error as Error).message}`,
      { source: path, key: '' },
      { cause: error },
    );
  }
  return parseAlertPipelineConfig(text, path);
}

/** The deepest node on `path` (the key node of the last segment when `atKey`). */
function nodeAt(doc: Document, path: Path, atKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return node;
      if (last && atKey) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) return node;
      node = item;
    } else break;
  }
  return (node ?? undefined) as Node | undefined;
}

function pathText(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** The allowed key closest to `key`: one that ends or starts with it as a word, else within a small edit distance. */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const byWord = allowed.find((a) => a === lower || a.endsWith(`_${lower}`) || a.startsWith(`${lower}_`));
  if (byWord !== undefined) return byWord;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const a of allowed) {
    const d = editDistance(lower, a);
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length] as number;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

class Checker {
  constructor(
    private readonly source: string,
    private readonly locate: Locate,
  ) {}

  private fail(code: AlertPipelineErrorCode, path: Path, detail: string, atKey = false, cause?: unknown): never {
    const spot: AlertPipelineSpot = { source: this.source, key: pathText(path), ...this.locate(path, atKey) };
    throw new AlertPipelineError(code, detail, spot, cause === undefined ? undefined : { cause });
  }

  /** A mapping (null reads as empty) whose keys are all in `allowed`. */
  private mapping(value: unknown, path: Path, allowed: readonly string[]): Record<string, unknown> {
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) this.fail('wrong_type', path, `expected a mapping, found ${typeName(value)}`);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (allowed.includes(key)) continue;
      const near = closestKey(key, allowed);
      const parent = path.length === 0 ? 'the top level' : pathText(path);
      this.fail(
        'unknown_key',
        [...path, key],
        `unknown key '${key}' in ${parent}${near === undefined ? '' : `; did you mean '${near}'?`} Allowed keys: ${allowed.join(', ')}`,
        true,
      );
    }
    return record;
  }

  private bool(value: unknown, path: Path, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail('wrong_type', path, `expected true or false, found ${typeName(value)}`);
    return value;
  }

  private optString(value: unknown, path: Path): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail('wrong_type', path, `expected a string, found ${typeName(value)}`);
    return value;
  }

  private oneOf<T extends string>(value: unknown, path: Path, allowed: readonly T[], fallback: T): T {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
      this.fail('invalid_value', path, `expected one of ${allowed.join(', ')}, found ${typeName(value)}`);
    return value as T;
  }

  private list(value: unknown, path: Path): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail('wrong_type', path, `expected a list, found ${typeName(value)}`);
    return value;
  }

  private strings(value: unknown, path: Path): string[] {
    return this.list(value, path).map((item, i) => {
      if (typeof item === 'string') return item;
      if (typeof item === 'number' || typeof item === 'boolean') return String(item);
      return this.fail('wrong_type', [...path, i], `expected a string, found ${typeName(item)}`);
    });
  }

  /** An integer cap ≥ 1. */
  private cap(value: unknown, path: Path, fallback: number): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      this.fail('wrong_type', path, `expected an integer, found ${typeName(value)}`);
    if (value < 1) this.fail('invalid_value', path, `must be at least 1, found ${value}`);
    return value;
  }

  /** A duration in whole seconds (spec 05 §1 grammar, truncated); a bare integer 0 reads as `0`. */
  private seconds(value: unknown, path: Path, fallback: string): number {
    const text = value === undefined || value === null ? fallback : typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string')
      return this.fail('wrong_type', path, `expected a duration such as 30s or 1h30m, found ${typeName(value)}`);
    try {
      return Math.floor(parseDuration(text, pathText(path)) / 1000);
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      return this.fail(
        'invalid_duration',
        path,
        `invalid duration ${JSON.stringify(text)}: expected <integer><unit> groups (ms, s, m, h, d) such as 30s or 1h30m, or 0`,
        false,
        error,
      );
    }
  }

  private selectors(value: unknown, path: Path, required: boolean): Selector[] {
    const texts = this.strings(value, path);
    if (required && texts.length === 0) this.fail('missing_key', path, 'needs at least one selector');
    return texts.map((text, i) => {
      try {
        return Selector.parse(text);
      } catch (error) {
        if (!(error instanceof RuntimeError)) throw error;
        return this.fail('invalid_selector', [...path, i], error.message, false, error);
      }
    });
  }

  private matchers(value: unknown, path: Path): { specs: MatcherSpec[]; compiled: Matcher[] } {
    const items = this.list(value, path);
    if (items.length === 0) this.fail('missing_key', path, 'needs at least one matcher {selector, op, value}');
    const specs: MatcherSpec[] = [];
    const compiled: Matcher[] = [];
    items.forEach((item, i) => {
      const at = [...path, i];
      const m = this.mapping(item, at, KEYS.matcher);
      if (typeof m['selector'] !== 'string')
        this.fail(m['selector'] === undefined ? 'missing_key' : 'wrong_type', [...at, 'selector'], 'a matcher needs a selector string');
      const raw = m['value'];
      if (raw === undefined || raw === null) this.fail('missing_key', [...at, 'value'], 'a matcher needs a value');
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')
        this.fail('wrong_type', [...at, 'value'], `expected a scalar value, found ${typeName(raw)}`);
      const op = this.oneOf<MatchOp>(m['op'], [...at, 'op'], ['=', '!=', '=~', '!~'], '=');
      const spec: MatcherSpec = { selector: m['selector'], op, value: String(raw) };
      const matcher = Matcher.compile(spec);
      if (matcher instanceof MatcherProblem) this.fail(matcher.kind, [...at, matcher.part], matcher.message);
      specs.push(spec);
      compiled.push(matcher);
    });
    return { specs, compiled };
  }

  pipeline(config: unknown): AlertPipeline {
    const top = this.mapping(config, [], KEYS['']);
    const scopeSpec = this.mapping(top['scope'], ['scope'], KEYS.scope);
    const levels = this.strings(scopeSpec['levels'], ['scope', 'levels']);
    let scope: Scope;
    try {
      scope = new Scope({
        rules: this.strings(scopeSpec['rules'], ['scope', 'rules']),
        tags: this.strings(scopeSpec['tags'], ['scope', 'tags']),
        levels,
      });
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      return this.fail('invalid_value', ['scope', 'levels'], error.message.replace(/^scope\.levels: /, ''), false, error);
    }
    const dedup = top['dedup'] === undefined ? undefined : this.dedup(top['dedup']);
    const group = top['group'] === undefined ? undefined : this.group(top['group']);
    const dedupPart = dedup === undefined ? {} : { dedup };
    const groupPart = group === undefined ? {} : { group };
    return new AlertPipeline({
      scope,
      stripEvent: this.bool(top['strip_event'], ['strip_event'], false),
      maxSilences: this.cap(top['max_silences'], ['max_silences'], DEFAULT_MAX_SILENCES),
      ...dedupPart,
      ...groupPart,
      silences: this.silences(top['silences']),
      inhibitRules: this.inhibitRules(top['inhibit_rules']),
    });
  }

  private dedup(value: unknown): DedupConfig {
    const d = this.mapping(value, ['dedup'], KEYS.dedup);
    if (d['fingerprint'] === undefined) this.fail('missing_key', ['dedup'], 'dedup needs fingerprint: a list of at least one selector');
    return {
      fingerprint: this.selectors(d['fingerprint'], ['dedup', 'fingerprint'], true),
      repeatIntervalSec: this.seconds(d['repeat_interval'], ['dedup', 'repeat_interval'], '0'),
      resolveTimeoutSec: this.seconds(d['resolve_timeout'], ['dedup', 'resolve_timeout'], DEFAULTS.resolveTimeout),
      maxActiveAlerts: this.cap(d['max_active_alerts'], ['dedup', 'max_active_alerts'], DEFAULT_MAX_ACTIVE_ALERTS),
    };
  }

  private group(value: unknown): GroupConfig {
    const g = this.mapping(value, ['group'], KEYS.group);
    const mode = this.oneOf<GroupMode>(g['mode'], ['group', 'mode'], ['group_by', 'entity_graph'], 'group_by');
    const by = this.selectors(g['by'], ['group', 'by'], mode === 'group_by');
    const entities = this.selectors(g['entities'], ['group', 'entities'], mode === 'entity_graph');
    // The list of the other mode is validated but unused, as rsigma does: switching modes needs no other edit.
    const caps = this.mapping(g['caps'], ['group', 'caps'], KEYS.caps);
    const subject = g['nats_subject'];
    if (subject !== undefined && subject !== null && (typeof subject !== 'string' || subject === ''))
      this.fail('wrong_type', ['group', 'nats_subject'], `expected a NATS subject or null, found ${typeName(subject)}`);
    return {
      mode,
      by,
      entities,
      groupWaitSec: this.seconds(g['group_wait'], ['group', 'group_wait'], DEFAULTS.groupWait),
      groupIntervalSec: this.seconds(g['group_interval'], ['group', 'group_interval'], DEFAULTS.groupInterval),
      repeatIntervalSec: this.seconds(g['repeat_interval'], ['group', 'repeat_interval'], '0'),
      resolveTimeoutSec: this.seconds(g['resolve_timeout'], ['group', 'resolve_timeout'], DEFAULTS.resolveTimeout),
      include: this.oneOf<IncludeMode>(g['include'], ['group', 'include'], ['refs', 'results'], 'refs'),
      caps: {
        maxOpenIncidents: this.cap(caps['max_open_incidents'], ['group', 'caps', 'max_open_incidents'], DEFAULTS.maxOpenIncidents),
        maxEntitiesPerIncident: this.cap(
          caps['max_entities_per_incident'],
          ['group', 'caps', 'max_entities_per_incident'],
          DEFAULTS.maxEntitiesPerIncident,
        ),
        maxResultsPerIncident: this.cap(
          caps['max_results_per_incident'],
          ['group', 'caps', 'max_results_per_incident'],
          DEFAULTS.maxResultsPerIncident,
        ),
        maxValueCardinality: this.cap(
          caps['max_value_cardinality'],
          ['group', 'caps', 'max_value_cardinality'],
          DEFAULTS.maxValueCardinality,
        ),
      },
      stopValues: new Set(this.strings(g['stop_values'], ['group', 'stop_values'])),
      ...(typeof subject === 'string' ? { natsSubject: subject } : {}),
    };
  }

  private silences(value: unknown): Silence[] {
    const out: Silence[] = [];
    this.list(value, ['silences']).forEach((item, i) => {
      const at: Path = ['silences', i];
      const s = this.mapping(item, at, KEYS.silence);
      const { specs } = this.matchers(s['matchers'], [...at, 'matchers']);
      const spec: SilenceSpec = { matchers: specs };
      for (const key of ['id', 'starts_at', 'ends_at', 'created_by', 'comment'] as const) {
        const text = this.optString(s[key], [...at, key]);
        if (text !== undefined) spec[key] = text;
      }
      let silence: Silence;
      try {
        silence = buildSilence(spec, 'static', () => '');
      } catch (error) {
        if (!(error instanceof SilenceError)) throw error;
        const code = error.field === 'starts_at' || error.field === 'ends_at' ? 'invalid_timestamp' : 'invalid_value';
        return this.fail(code, [...at, error.field], error.message.slice(error.field.length + 2), false, error);
      }
      if (out.some((o) => o.id === silence.id)) this.fail('invalid_value', [...at, 'id'], `silence id "${silence.id}" is used twice`);
      out.push(silence);
    });
    return out;
  }

  private inhibitRules(value: unknown): InhibitRule[] {
    const out: InhibitRule[] = [];
    this.list(value, ['inhibit_rules']).forEach((item, i) => {
      const at: Path = ['inhibit_rules', i];
      const r = this.mapping(item, at, KEYS.inhibit);
      const name = this.optString(r['name'], [...at, 'name']) ?? `inhibit_rule_${i}`;
      if (out.some((o) => o.name === name)) this.fail('invalid_value', [...at, 'name'], `inhibit rule name "${name}" is used twice`);
      out.push({
        name,
        source: new MatcherSet(this.matchers(r['source_match'], [...at, 'source_match']).compiled),
        target: new MatcherSet(this.matchers(r['target_match'], [...at, 'target_match']).compiled),
        equal: this.selectors(r['equal'], [...at, 'equal'], false),
        durationSec: this.seconds(r['duration'], [...at, 'duration'], DEFAULTS.inhibitDuration),
      });
    });
    return out;
  }
}
