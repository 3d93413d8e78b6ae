// The versioned, JSON-serialisable alert-pipeline state (spec 08 §8) and the checks a snapshot read back from disk
// must pass: a broken envelope is an error naming the version; a broken entry is skipped with a warning.

import type { EvaluationResult } from '@tsigma/eval';
import type { DedupSnapshot } from './dedup.js';
import { AlertPipelineError } from './errors.js';
import type { IncidentRef, IncidentSnapshot } from './grouping.js';
import type { InhibitSourceSnapshot } from './inhibit.js';
import type { SilenceSnapshot } from './silence.js';

/** The only snapshot version this package writes and reads. */
export const SNAPSHOT_VERSION = 1;

/** Everything `AlertPipeline.snapshot` saves; entity index and occurrence counters are rebuilt or dropped. */
export interface AlertPipelineSnapshot {
  version: typeof SNAPSHOT_VERSION;
  dedup: DedupSnapshot[];
  incidents: IncidentSnapshot[];
  silences: SilenceSnapshot[];
  inhibit_sources: InhibitSourceSnapshot[];
}

/** The snapshot's sections, still unchecked entry by entry. */
interface SnapshotSections {
  version: number;
  dedup: unknown[];
  incidents: unknown[];
  silences: unknown[];
  inhibit_sources: unknown[];
}

/** Checks the envelope: an object with a numeric version and arrays (or nothing) for each section. */
export function readEnvelope(snap: unknown): SnapshotSections {
  const spot = (key: string) => ({ source: 'snapshot', key });
  if (snap === null || typeof snap !== 'object' || Array.isArray(snap))
    throw new AlertPipelineError('snapshot_corrupt', `an alert-pipeline snapshot must be a JSON object, not ${kindOf(snap)}`, spot(''));
  const record = snap as Record<string, unknown>;
  const version = record['version'];
  if (typeof version !== 'number' || !Number.isInteger(version))
    throw new AlertPipelineError(
      'snapshot_corrupt',
      `snapshot version must be an integer, found ${JSON.stringify(version) ?? 'none'}`,
      spot('version'),
    );
  const section = (key: keyof Omit<SnapshotSections, 'version'>): unknown[] => {
    const value = record[key];
    if (value === undefined) return [];
    if (!Array.isArray(value))
      throw new AlertPipelineError(
        'snapshot_corrupt',
        `snapshot version ${version}: ${key} must be an array, not ${kindOf(value)}`,
        spot(key),
      );
    return value;
  };
  return {
    version,
    dedup: section('dedup'),
    incidents: section('incidents'),
    silences: section('silences'),
    inhibit_sources: section('inhibit_sources'),
  };
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isCount = (v: unknown): v is number => isInt(v) && v >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);

function isResult(v: unknown): v is EvaluationResult {
  return (
    isObject(v) &&
    isStr(v['rule_title']) &&
    isStrOrNull(v['rule_id']) &&
    (v['level'] === null || (isStr(v['level']) && LEVELS.has(v['level']))) &&
    Array.isArray(v['tags']) &&
    (v['enrichments'] === undefined || isObject(v['enrichments'])) &&
    (Array.isArray(v['matched_fields']) || isStr(v['correlation_type']))
  );
}

/** Why a dedup entry is unusable, or undefined when it is fine. */
export function dedupProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not an object';
  if (!isStr(v['fingerprint']) || !/^[0-9a-f]{16}$/.test(v['fingerprint'])) return 'fingerprint is not 16 hex digits';
  for (const k of ['first_seen', 'last_seen', 'last_emitted']) if (!isInt(v[k])) return `${k} is not an integer`;
  for (const k of ['fire_count', 'emitted_count']) if (!isCount(v[k])) return `${k} is not a count`;
  if (!isResult(v['sample'])) return 'sample is not a result';
  const fields = v['fields'];
  if (!Array.isArray(fields) || !fields.every((f) => Array.isArray(f) && f.length === 2 && isStr(f[0]) && isStrOrNull(f[1])))
    return 'fields is not a list of [selector, value|null]';
  return undefined;
}

function isRef(v: unknown): v is IncidentRef {
  return isObject(v) && isStr(v['rule']) && isStrOrNull(v['level']);
}

/** Why an incident entry is unusable, or undefined when it is fine. */
export function incidentProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not an object';
  if (!isStr(v['id']) || v['id'] === '') return 'id is not a string';
  for (const k of ['first_seen', 'last_seen', 'last_emitted']) if (!isInt(v[k])) return `${k} is not an integer`;
  if (!isCount(v['result_count'])) return 'result_count is not a count';
  if (typeof v['reported'] !== 'boolean' || typeof v['dirty'] !== 'boolean') return 'reported/dirty are not booleans';
  const groupBy = v['group_by'];
  if (!isObject(groupBy) || !Object.values(groupBy).every(isStrOrNull)) return 'group_by is not an object of strings';
  const entities = v['entities'];
  if (!isObject(entities) || !Object.values(entities).every((vals) => Array.isArray(vals) && vals.every(isStr)))
    return 'entities is not an object of string lists';
  if (!(v['max_level'] === null || (isStr(v['max_level']) && LEVELS.has(v['max_level'])))) return 'max_level is not a level';
  const counts = v['rule_counts'];
  if (!isObject(counts) || !Object.values(counts).every(isCount)) return 'rule_counts is not an object of counts';
  if (!Array.isArray(v['refs']) || !v['refs'].every(isRef)) return 'refs is not a list of {rule, level}';
  if (!Array.isArray(v['results']) || !v['results'].every(isResult)) return 'results is not a list of results';
  return undefined;
}

/** Why a silence entry is unusable (matchers are checked when it is rebuilt), or undefined. */
export function silenceProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not an object';
  if (!isStr(v['id']) || v['id'] === '') return 'id is not a string';
  if (
    !Array.isArray(v['matchers']) ||
    !v['matchers'].every((m) => isObject(m) && isStr(m['selector']) && isStr(m['value']) && isStr(m['op']))
  )
    return 'matchers is not a list of {selector, op, value}';
  for (const k of ['starts_at', 'ends_at']) if (!(v[k] === null || isInt(v[k]))) return `${k} is not an integer or null`;
  for (const k of ['created_by', 'comment']) if (!isStrOrNull(v[k])) return `${k} is not a string or null`;
  return undefined;
}

/** Why an inhibit-source entry is unusable, or undefined. */
export function inhibitProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not an object';
  if (!isStr(v['rule']) || !isStr(v['equal_key']) || !isInt(v['last_seen'])) return 'expected {rule, equal_key, last_seen}';
  return undefined;
}
