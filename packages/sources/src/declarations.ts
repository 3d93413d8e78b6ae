// Source declarations (spec 09 §1): strict validation of `sources:` entries from pipelines and standalone files,
// and the check that ids are unique across every site. Pure; reading files lives in source-files.ts.

import { dirname, resolve as resolvePath } from 'node:path';
import { parseDuration } from '@tsigma/runtime';
import { SourceConfigError } from './errors.js';
import { DEFAULT_NATS_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from './limits.js';

/** The four source types; `nats` is fetched by @tsigma/io-nats. */
export type SourceType = 'file' | 'http' | 'command' | 'nats';
/** How raw text becomes a value. */
export type SourceFormat = 'json' | 'yaml' | 'csv' | 'lines';
/** An extraction expression and its language. */
export interface ExtractSpec {
  type: 'jq' | 'jsonpath' | 'cel';
  expr: string;
}
/** When a source is resolved again after start-up (spec 09 §5). */
export type RefreshPolicy =
  { kind: 'once' } | { kind: 'interval'; ms: number } | { kind: 'watch' } | { kind: 'push' } | { kind: 'on_demand' };
/** What a failed resolution falls back to. */
export type OnErrorPolicy = 'use_cached' | 'fail' | 'use_default';

/** Where a source was declared. */
export type DeclarationSite = { kind: 'pipeline'; name: string; file?: string } | { kind: 'file'; path: string };

/** A validated source declaration. */
export interface DynamicSource {
  id: string;
  type: SourceType;
  format: SourceFormat;
  extract?: ExtractSpec;
  refresh: RefreshPolicy;
  /** The `refresh` value as written (`once` when absent), for listings. */
  refreshText: string;
  required: boolean;
  onError: OnErrorPolicy;
  /** Present exactly when the declaration has a `default` key. */
  default?: unknown;
  /** `timeout` in ms (type default applied). */
  timeoutMs: number;
  maxBodySize?: number;
  maxStdout?: number;
  /** `file`: absolute path (relative paths resolve against the declaring file's directory). */
  path?: string;
  /** `http` and `nats`. */
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** `command`: the argv, never run through a shell. */
  command?: string[];
  /** `nats`. */
  subject?: string;
  declaredIn: DeclarationSite;
}

/** `[A-Za-z_][A-Za-z0-9_]*`, the id grammar shared with `${source.<id>}` references. */
export const SOURCE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const COMMON_KEYS = ['id', 'type', 'format', 'extract', 'refresh', 'required', 'on_error', 'default', 'timeout'];
const TYPE_KEYS: Record<SourceType, string[]> = {
  file: ['path'],
  http: ['url', 'method', 'headers', 'body', 'max_body_size'],
  command: ['command', 'max_stdout'],
  nats: ['url', 'subject'],
};
const FORMATS: readonly SourceFormat[] = ['json', 'yaml', 'csv', 'lines'];
const ON_ERROR: readonly OnErrorPolicy[] = ['use_cached', 'fail', 'use_default'];
const EXTRACT_TYPES: readonly ExtractSpec['type'][] = ['jq', 'jsonpath', 'cel'];

/** `pipeline 'dyn' (pipelines/dyn.yml)` or `file sources/feeds.yml`. */
export function describeSite(site: DeclarationSite): string {
  if (site.kind === 'file') return `file ${site.path}`;
  return site.file === undefined ? `pipeline '${site.name}'` : `pipeline '${site.name}' (${site.file})`;
}

/** The `declared_in` label of spec 11 §9: `pipeline:<name>` or `file:<path>`. */
export function siteLabel(site: DeclarationSite): string {
  return site.kind === 'file' ? `file:${site.path}` : `pipeline:${site.name}`;
}

function siteFile(site: DeclarationSite): string | undefined {
  return site.kind === 'file' ? site.path : site.file;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a raw `sources:` list declared at `site`; every problem is a SourceConfigError (`invalid_declaration`)
 * naming the site, the source id and the key. Ids must be unique within the list.
 *
 * @example
 * validateSourceDeclarations([{ id: 'ips', type: 'file', path: 'ips.txt', format: 'lines' }], { kind: 'file', path: 'feeds.yml' });
 */
export function validateSourceDeclarations(raw: unknown, site: DeclarationSite): DynamicSource[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new SourceConfigError('invalid_declaration', "'sources' must be a list", describeSite(site));
  const out = raw.map((entry, i) => validateOne(entry, i, site));
  assertUniqueIds(out);
  return out;
}

/** Throws `duplicate_source` naming both sites when two declarations share an id. */
export function assertUniqueIds(sources: readonly DynamicSource[]): void {
  const seen = new Map<string, DynamicSource>();
  for (const s of sources) {
    const first = seen.get(s.id);
    if (first !== undefined) {
      throw new SourceConfigError(
        'duplicate_source',
        `source id '${s.id}' declared in ${describeSite(first.declaredIn)} and in ${describeSite(s.declaredIn)}`,
        s.id,
      );
    }
    seen.set(s.id, s);
  }
}

function validateOne(entry: unknown, index: number, site: DeclarationSite): DynamicSource {
  const where = describeSite(site);
  const idText = isObj(entry) && typeof entry['id'] === 'string' ? entry['id'] : `#${index}`;
  const fail = (key: string, detail: string): never => {
    throw new SourceConfigError('invalid_declaration', `source '${idText}' (${key}): ${detail}`, where);
  };
  if (!isObj(entry)) return fail('', 'a source entry must be a mapping');
  const id = entry['id'];
  if (typeof id !== 'string' || !SOURCE_ID_PATTERN.test(id)) fail('id', 'required, matching [A-Za-z_][A-Za-z0-9_]*');
  const type = entry['type'];
  if (typeof type !== 'string' || !(type in TYPE_KEYS))
    fail('type', `must be one of file, http, command, nats, not ${JSON.stringify(type)}`);
  const t = type as SourceType;
  const allowed = new Set([...COMMON_KEYS, ...TYPE_KEYS[t]]);
  for (const key of Object.keys(entry)) if (!allowed.has(key)) fail(key, `unknown key for a ${t} source`);

  const str = (key: string, required: boolean): string | undefined => {
    const v = entry[key];
    if (v === undefined || v === null) return required ? fail(key, `required for a ${t} source`) : undefined;
    if (typeof v !== 'string' || v === '') return fail(key, 'must be a non-empty string');
    return v;
  };
  const enumOf = <T extends string>(key: string, values: readonly T[], dflt: T): T => {
    const v = entry[key] ?? dflt;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
      fail(key, `must be one of ${values.join(', ')}, not ${JSON.stringify(v)}`);
    return v as T;
  };
  const positiveInt = (key: string): number | undefined => {
    const v = entry[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) fail(key, 'must be a positive integer (bytes)');
    return v as number;
  };
  const duration = (key: string): number | undefined => {
    const v = entry[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return fail(key, 'must be a duration such as 500ms, 30s or 5m');
    try {
      return parseDuration(String(v), key);
    } catch {
      return fail(key, `invalid duration ${JSON.stringify(v)} (e.g. 500ms, 30s, 5m)`);
    }
  };

  const format = enumOf('format', FORMATS, 'json');
  const onError = enumOf('on_error', ON_ERROR, 'use_cached');
  const required = entry['required'] ?? true;
  if (typeof required !== 'boolean') fail('required', 'must be true or false');
  if (onError === 'use_default' && !('default' in entry)) fail('default', "required when on_error is 'use_default'");

  const src: DynamicSource = {
    id: id as string,
    type: t,
    format,
    refresh: { kind: 'once' },
    refreshText: 'once',
    required: required as boolean,
    onError,
    timeoutMs: duration('timeout') ?? (t === 'nats' ? DEFAULT_NATS_TIMEOUT_MS : DEFAULT_TIMEOUT_MS),
    declaredIn: site,
  };
  if ('default' in entry) src.default = entry['default'];

  const extract = entry['extract'];
  if (extract !== undefined) {
    if (typeof extract === 'string') src.extract = { type: 'jq', expr: extract };
    else if (isObj(extract)) {
      for (const k of Object.keys(extract)) if (k !== 'type' && k !== 'expr') fail(`extract.${k}`, 'unknown key');
      const et = extract['type'];
      if (typeof et !== 'string' || !(EXTRACT_TYPES as readonly string[]).includes(et))
        fail('extract.type', `must be one of ${EXTRACT_TYPES.join(', ')}`);
      if (typeof extract['expr'] !== 'string' || extract['expr'] === '') fail('extract.expr', 'must be a non-empty string');
      src.extract = { type: et as ExtractSpec['type'], expr: extract['expr'] as string };
    } else fail('extract', 'must be a jq string or { type, expr }');
  }

  const refresh = entry['refresh'];
  if (refresh !== undefined) {
    if (typeof refresh !== 'string') fail('refresh', 'must be once, a duration, watch, push or on_demand');
    src.refreshText = refresh as string;
    if (refresh === 'once' || refresh === 'on_demand') src.refresh = { kind: refresh };
    else if (refresh === 'watch') {
      if (t !== 'file') fail('refresh', "'watch' is only valid for file sources");
      src.refresh = { kind: 'watch' };
    } else if (refresh === 'push') {
      if (t !== 'nats') fail('refresh', "'push' is only valid for nats sources");
      src.refresh = { kind: 'push' };
    } else src.refresh = { kind: 'interval', ms: duration('refresh') as number };
  }

  switch (t) {
    case 'file': {
      const path = str('path', true) as string;
      const base = siteFile(site);
      src.path = resolvePath(base === undefined ? '.' : dirname(base), path);
      break;
    }
    case 'http': {
      const url = str('url', true) as string;
      if (!/^https?:\/\//i.test(url)) fail('url', 'must be an http:// or https:// URL');
      src.url = url;
      const body = entry['body'];
      if (body !== undefined && typeof body !== 'string') fail('body', 'must be a string');
      if (typeof body === 'string') src.body = body;
      src.method = (str('method', false) ?? (src.body !== undefined ? 'POST' : 'GET')).toUpperCase();
      const headers = entry['headers'];
      if (headers !== undefined) {
        if (!isObj(headers) || Object.values(headers).some((v) => typeof v !== 'string')) fail('headers', 'must be a map of strings');
        src.headers = { ...(headers as Record<string, string>) };
      }
      const max = positiveInt('max_body_size');
      if (max !== undefined) src.maxBodySize = max;
      break;
    }
    case 'command': {
      const cmd = entry['command'];
      const argv = typeof cmd === 'string' ? [cmd] : cmd;
      if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string') || argv[0] === '') {
        fail('command', 'required: an argv list of strings (a single string is a one-element argv)');
      }
      src.command = [...(argv as string[])];
      const max = positiveInt('max_stdout');
      if (max !== undefined) src.maxStdout = max;
      break;
    }
    case 'nats': {
      const url = str('url', false);
      if (url !== undefined) src.url = url;
      const subject = str('subject', true) as string;
      if (/[*>\s]/.test(subject)) fail('subject', 'must be a concrete subject (no wildcards or spaces)');
      src.subject = subject;
      break;
    }
  }
  return src;
}
