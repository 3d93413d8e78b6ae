// The enrichers file (spec 07 §7): strict validation of every entry, then the enrichers, then the pipeline. Errors
// name the file, line, enricher id and key; nothing partial is ever returned.

import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { silentLogger, type Logger } from '@tsigma/eval';
import { parseDuration, RuntimeError, Scope, type MetricsHook } from '@tsigma/runtime';
import type { EgressPolicy, LookupFn, SourceCache } from '@tsigma/sources';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { CommandEnricher, type CommandOutput } from './command-enricher.js';
import type { Enricher, OnError } from './enricher.js';
import { injectFieldProblem, NAME_PATTERN, type EnricherSettings } from './enricher-settings.js';
import { EnrichmentConfigError, type EnrichmentConfigErrorCode } from './errors.js';
import { HttpEnricher, type HttpEnricherOptions } from './http-enricher.js';
import { LookupEnricher, type LookupOptions } from './lookup-enricher.js';
import { loadLookupTable } from './lookup-table.js';
import { EnrichmentPipeline } from './pipeline.js';
import { BUILTIN_TYPES, lookupBuiltin, type EnricherBuildContext } from './registry.js';
import { TemplateEnricher } from './template-enricher.js';

/** What loading an enrichers file may use. */
export interface EnrichmentLoadOptions {
  /** The dynamic-source cache `lookup` enrichers with `source:` read; without it such an enricher is an error. */
  sourceCache?: SourceCache;
  /** Declared source ids; when given, a `lookup` source must be one of them. */
  sourceIds?: Iterable<string>;
  metrics?: MetricsHook;
  logger?: Logger;
  /** Egress policy of `http` enrichers; default preset `default`. */
  egress?: EgressPolicy;
  /** DNS resolver behind the egress check (tests). */
  lookup?: LookupFn;
}

const TOP_KEYS = ['max_concurrent_enrichments', 'enrichers'];
const COMMON_KEYS = ['id', 'kind', 'type', 'inject_field', 'timeout', 'on_error', 'scope'];
const TYPE_KEYS: Record<string, readonly string[]> = {
  template: ['template'],
  lookup: ['source', 'extract', 'extract_type', 'default', 'table', 'key', 'column', 'case_insensitive'],
  http: [
    'url',
    'method',
    'headers',
    'body',
    'body_escape',
    'extract',
    'extract_type',
    'cache_ttl',
    'cache_max_entries',
    'max_response_bytes',
  ],
  command: ['command', 'env', 'stdin', 'output', 'max_stdout'],
};
const EXTRACT_TYPES = ['jq', 'jsonpath', 'cel'] as const;

/**
 * Reads an enrichers file and builds its pipeline. Rejects with EnrichmentConfigError.
 *
 * @example
 * const pipeline = await loadEnrichersFile('enrichers.yml', { sourceCache, metrics });
 * const enriched = await pipeline.run(results);
 */
export async function loadEnrichersFile(path: string, opts: EnrichmentLoadOptions = {}): Promise<EnrichmentPipeline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EnrichmentConfigError('io', `cannot read the enrichers file: ${(error as Error).message}`, { file: path }, { cause: error });
  }
  return parseEnrichersConfig(text, path, opts);
}

/**
 * Parses enrichers YAML and builds the pipeline; relative table paths resolve against `file`'s directory.
 *
 * @example
 * const pipeline = await parseEnrichersConfig('enrichers:\n  - id: rb\n    kind: detection\n    type: template\n    inject_field: rb\n    template: x\n', 'enrichers.yml');
 */
export async function parseEnrichersConfig(text: string, file: string, opts: EnrichmentLoadOptions = {}): Promise<EnrichmentPipeline> {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (Array.isArray(docs) && docs.length > 1) throw new EnrichmentConfigError('yaml_syntax', 'expected one YAML document', { file });
  const problem = doc?.errors[0];
  if (problem !== undefined) {
    throw new EnrichmentConfigError('yaml_syntax', problem.message.split('\n')[0] ?? problem.message, {
      file,
      line: lines.linePos(problem.pos[0]).line,
    });
  }
  const locate = (path: (string | number)[]): number | undefined => {
    const start = doc === undefined ? undefined : nodeAt(doc, path)?.range?.[0];
    return start === undefined ? undefined : lines.linePos(start).line;
  };
  const value: unknown = doc === undefined ? null : doc.toJS({ maxAliasCount: 100 });
  return new Loader(file, locate, opts).pipeline(value);
}

type Entry = Record<string, unknown>;

class Loader {
  private readonly baseDir: string;
  private readonly logger: Logger;
  private readonly metrics: MetricsHook;
  private readonly tables: string[] = [];

  constructor(
    private readonly file: string,
    private readonly locate: (path: (string | number)[]) => number | undefined,
    private readonly opts: EnrichmentLoadOptions,
  ) {
    this.baseDir = dirname(resolvePath(file));
    this.logger = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? {};
  }

  async pipeline(value: unknown): Promise<EnrichmentPipeline> {
    const top = this.mapping(value, [], undefined) ?? {};
    this.allowOnly(top, TOP_KEYS, [], undefined);
    let maxConcurrent: number | undefined;
    if (top['max_concurrent_enrichments'] !== undefined)
      maxConcurrent = this.integer(top['max_concurrent_enrichments'], ['max_concurrent_enrichments'], undefined);
    const list = top['enrichers'] ?? [];
    if (!Array.isArray(list)) this.fail('wrong_type', ['enrichers'], undefined, `expected a list of enrichers, found ${typeName(list)}`);
    const enrichers: Enricher[] = [];
    const ids = new Set<string>();
    const fields = new Map<string, string>();
    for (let i = 0; i < list.length; i++) {
      const enricher = await this.enricher(list[i], i, ids);
      const earlier = fields.get(enricher.injectField);
      if (earlier !== undefined)
        this.logger.warn(
          `enrichers '${earlier}' and '${enricher.id}' both write inject_field '${enricher.injectField}'; the later one wins`,
          {
            file: this.file,
          },
        );
      else fields.set(enricher.injectField, enricher.id);
      enrichers.push(enricher);
    }
    const pipelineOpts: ConstructorParameters<typeof EnrichmentPipeline>[1] = {
      metrics: this.metrics,
      logger: this.logger,
      files: [resolvePath(this.file), ...this.tables],
    };
    if (maxConcurrent !== undefined) pipelineOpts.maxConcurrent = maxConcurrent;
    return new EnrichmentPipeline(enrichers, pipelineOpts);
  }

  private async enricher(value: unknown, i: number, ids: Set<string>): Promise<Enricher> {
    const at = ['enrichers', i];
    const entry = this.mapping(value, at, undefined);
    if (entry === undefined) this.fail('wrong_type', at, undefined, 'expected a mapping');
    const rawId = entry['id'];
    const id = typeof rawId === 'string' ? rawId : undefined;
    const str = (key: string, required: boolean): string | undefined => {
      const v = entry[key];
      if (v === undefined) {
        if (required) this.fail('missing_key', [...at, key], id, `'${key}' is required`);
        return undefined;
      }
      if (typeof v !== 'string') this.fail('wrong_type', [...at, key], id, `expected a string, found ${typeName(v)}`);
      return v;
    };
    str('id', true);
    if (id === undefined) throw new Error('unreachable');
    if (!NAME_PATTERN.test(id)) this.fail('invalid_value', [...at, 'id'], id, `'${id}' is not a valid id (expected [A-Za-z0-9_.-]+)`);
    if (ids.has(id)) this.fail('duplicate_id', [...at, 'id'], id, `the id '${id}' is used by an earlier enricher`);
    ids.add(id);
    const kind = str('kind', true) as string;
    if (kind !== 'detection' && kind !== 'correlation')
      this.fail('invalid_value', [...at, 'kind'], id, `kind must be detection or correlation, not '${kind}'`);
    const type = str('type', true) as string;
    const custom = BUILTIN_TYPES.includes(type) ? undefined : lookupBuiltin(type);
    if (!BUILTIN_TYPES.includes(type) && custom === undefined)
      this.fail(
        'unknown_type',
        [...at, 'type'],
        id,
        `unknown type '${type}' (built in: ${BUILTIN_TYPES.join(', ')}; others must be registered)`,
      );
    const injectField = str('inject_field', true) as string;
    const fieldProblem = injectFieldProblem(injectField);
    if (fieldProblem !== undefined) this.fail('invalid_value', [...at, 'inject_field'], id, fieldProblem);
    let timeoutMs = 5000;
    const timeout = entry['timeout'];
    if (timeout !== undefined) {
      if (typeof timeout !== 'string')
        this.fail('wrong_type', [...at, 'timeout'], id, `expected a duration such as 5s, found ${typeName(timeout)}`);
      try {
        timeoutMs = parseDuration(timeout, 'timeout');
      } catch (error) {
        this.fail('invalid_duration', [...at, 'timeout'], id, (error as Error).message, error);
      }
      if (timeoutMs <= 0) this.fail('invalid_duration', [...at, 'timeout'], id, 'timeout must be longer than 0');
    }
    let onError: OnError = 'skip';
    // YAML reads a bare `null` as null: `on_error: null` means the policy named null.
    if (Object.hasOwn(entry, 'on_error')) {
      const raw = entry['on_error'] === null ? 'null' : entry['on_error'];
      if (raw !== 'skip' && raw !== 'null' && raw !== 'drop')
        this.fail('invalid_value', [...at, 'on_error'], id, `on_error must be skip, null or drop, not ${typeName(raw)}`);
      onError = raw;
    }
    const scope = this.scope(entry['scope'], [...at, 'scope'], id);
    const settings: Required<EnricherSettings> = { id, kind, injectField, timeoutMs, onError, scope };
    if (custom !== undefined) {
      const ctx: EnricherBuildContext = { ...settings, baseDir: this.baseDir, metrics: this.metrics };
      if (this.opts.sourceCache !== undefined) ctx.sourceCache = this.opts.sourceCache;
      let inner: Enricher;
      try {
        inner = await custom(entry, ctx);
      } catch (error) {
        if (error instanceof EnrichmentConfigError) throw error.inFile(this.file, this.locate(at));
        this.fail('factory_failed', at, id, (error as Error).message, error);
      }
      return wrapCustom(inner, settings);
    }
    this.allowOnly(entry, [...COMMON_KEYS, ...(TYPE_KEYS[type] ?? [])], at, id);
    try {
      return await this.builtin(type, entry, settings, at);
    } catch (error) {
      if (error instanceof EnrichmentConfigError && error.spot.file === 'enrichers') {
        const key = error.spot.key?.split(/[.[]/)[0];
        throw error.inFile(this.file, this.locate(key === undefined ? at : [...at, key]));
      }
      throw error;
    }
  }

  private async builtin(type: string, entry: Entry, settings: Required<EnricherSettings>, at: (string | number)[]): Promise<Enricher> {
    const id = settings.id;
    const req = <T>(key: string, check: (v: unknown) => v is T, what: string): T => {
      const v = entry[key];
      if (v === undefined) this.fail('missing_key', [...at, key], id, `'${key}' is required for type ${type}`);
      if (!check(v)) this.fail('wrong_type', [...at, key], id, `expected ${what}, found ${typeName(v)}`);
      return v;
    };
    const opt = <T>(key: string, check: (v: unknown) => v is T, what: string): T | undefined =>
      entry[key] === undefined ? undefined : req(key, check, what);
    const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
      const v = opt(key, isString, 'a string');
      if (v !== undefined && !allowed.includes(v as T))
        this.fail('invalid_value', [...at, key], id, `${key} must be one of ${allowed.join(', ')}, not '${v}'`);
      return v as T | undefined;
    };
    const positive = (key: string): number | undefined =>
      entry[key] === undefined ? undefined : this.integer(entry[key], [...at, key], id);
    switch (type) {
      case 'template':
        return new TemplateEnricher(settings, req('template', isString, 'a string'));
      case 'lookup': {
        const hasSource = entry['source'] !== undefined;
        const hasTable = entry['table'] !== undefined;
        if (hasSource === hasTable) this.fail('missing_key', at, id, 'a lookup needs exactly one of source or table');
        const withDefault = Object.hasOwn(entry, 'default') ? { default: entry['default'] } : {};
        if (hasSource) {
          for (const k of ['key', 'column', 'case_insensitive'])
            if (entry[k] !== undefined) this.fail('unknown_key', [...at, k], id, `'${k}' belongs to a table lookup, not a source lookup`);
          const source = req('source', isString, 'a source id');
          const cache = this.opts.sourceCache;
          if (cache === undefined)
            this.fail('undeclared_source', [...at, 'source'], id, `source '${source}' cannot be read: no source cache is available`);
          const declared = this.opts.sourceIds === undefined ? undefined : new Set(this.opts.sourceIds);
          if (declared !== undefined && !declared.has(source))
            this.fail('undeclared_source', [...at, 'source'], id, `source '${source}' is not declared`);
          const lookup: LookupOptions = { source, sourceCache: cache, ...withDefault };
          const extract = opt('extract', isString, 'a string');
          if (extract !== undefined) lookup.extract = extract;
          const extractType = oneOf('extract_type', EXTRACT_TYPES);
          if (extractType !== undefined) lookup.extractType = extractType;
          return new LookupEnricher(settings, lookup);
        }
        for (const k of ['extract', 'extract_type'])
          if (entry[k] !== undefined) this.fail('unknown_key', [...at, k], id, `'${k}' belongs to a source lookup, not a table lookup`);
        const table = this.mapping(entry['table'], [...at, 'table'], id) ?? {};
        this.allowOnly(table, ['path', 'format', 'key_column'], [...at, 'table'], id);
        const path = table['path'];
        if (typeof path !== 'string' || path === '')
          this.fail('missing_key', [...at, 'table', 'path'], id, "'table.path' is required (a string)");
        const format = table['format'];
        if (format !== undefined && format !== 'csv' && format !== 'json' && format !== 'yaml')
          this.fail('invalid_value', [...at, 'table', 'format'], id, `table.format must be csv, json or yaml, not ${typeName(format)}`);
        const keyColumn = table['key_column'];
        if (keyColumn !== undefined && typeof keyColumn !== 'string')
          this.fail('wrong_type', [...at, 'table', 'key_column'], id, `expected a string, found ${typeName(keyColumn)}`);
        const caseInsensitive = opt('case_insensitive', isBoolean, 'true or false') ?? false;
        const absolute = resolvePath(this.baseDir, path);
        const spec: Parameters<typeof loadLookupTable>[0] = { path: absolute, caseInsensitive };
        if (format !== undefined) spec.format = format;
        if (keyColumn !== undefined) spec.keyColumn = keyColumn;
        let loaded: Awaited<ReturnType<typeof loadLookupTable>>;
        try {
          loaded = await loadLookupTable(spec, id, this.logger);
        } catch (error) {
          if (error instanceof EnrichmentConfigError) throw error.inFile(this.file, this.locate([...at, 'table', 'path']));
          throw error;
        }
        this.tables.push(absolute);
        const lookup: LookupOptions = {
          table: loaded,
          key: req('key', isString, 'a template string'),
          reload: { spec, logger: this.logger },
          ...withDefault,
        };
        const column = opt('column', isString, 'a string');
        if (column !== undefined) lookup.column = column;
        return new LookupEnricher(settings, lookup);
      }
      case 'http': {
        const http: HttpEnricherOptions = { url: req('url', isString, 'a URL template'), metrics: this.metrics };
        const method = opt('method', isString, 'a string');
        if (method !== undefined) {
          if (!/^[A-Za-z]+$/.test(method)) this.fail('invalid_value', [...at, 'method'], id, `'${method}' is not an HTTP method`);
          http.method = method;
        }
        const headers = opt('headers', isStringMap, 'a mapping of header names to strings');
        if (headers !== undefined) http.headers = headers;
        const body = opt('body', isString, 'a string');
        if (body !== undefined) http.body = body;
        const bodyEscape = oneOf('body_escape', ['json', 'none'] as const);
        if (bodyEscape !== undefined) http.bodyEscape = bodyEscape;
        const extract = opt('extract', isString, 'a string');
        if (extract !== undefined) http.extract = extract;
        const extractType = oneOf('extract_type', EXTRACT_TYPES);
        if (extractType !== undefined) http.extractType = extractType;
        const ttl = entry['cache_ttl'];
        if (ttl !== undefined) {
          if (ttl === 0) http.cacheTtlMs = 0;
          else {
            if (typeof ttl !== 'string')
              this.fail('wrong_type', [...at, 'cache_ttl'], id, `expected a duration such as 1h, found ${typeName(ttl)}`);
            try {
              http.cacheTtlMs = parseDuration(ttl, 'cache_ttl');
            } catch (error) {
              this.fail('invalid_duration', [...at, 'cache_ttl'], id, (error as Error).message, error);
            }
          }
        }
        const maxEntries = positive('cache_max_entries');
        if (maxEntries !== undefined) http.cacheMaxEntries = maxEntries;
        const maxBytes = positive('max_response_bytes');
        if (maxBytes !== undefined) http.maxResponseBytes = maxBytes;
        if (this.opts.egress !== undefined) http.egress = this.opts.egress;
        if (this.opts.lookup !== undefined) http.lookup = this.opts.lookup;
        return new HttpEnricher(settings, http);
      }
      default: {
        const command = req('command', isStringList, 'a list of strings (the argv)');
        if (command.length === 0) this.fail('invalid_value', [...at, 'command'], id, 'command needs at least the executable');
        const cmd: ConstructorParameters<typeof CommandEnricher>[1] = { command };
        const env = opt('env', isStringMap, 'a mapping of names to strings');
        if (env !== undefined) cmd.env = env;
        const stdin = opt('stdin', isString, 'a string');
        if (stdin !== undefined) cmd.stdin = stdin;
        const output = oneOf<CommandOutput>('output', ['json', 'raw', 'lines']);
        if (output !== undefined) cmd.output = output;
        const maxStdout = positive('max_stdout');
        if (maxStdout !== undefined) cmd.maxStdoutBytes = maxStdout;
        return new CommandEnricher(settings, cmd);
      }
    }
  }

  private scope(value: unknown, at: (string | number)[], id: string): Scope {
    const spec = this.mapping(value, at, id);
    if (spec === undefined) return new Scope();
    this.allowOnly(spec, ['rules', 'tags', 'levels'], at, id);
    for (const axis of ['rules', 'tags', 'levels']) {
      const v = spec[axis];
      if (v !== undefined && v !== null && !isStringList(v))
        this.fail('wrong_type', [...at, axis], id, `expected a list of strings, found ${typeName(v)}`);
    }
    try {
      return new Scope({
        rules: (spec['rules'] as string[] | null) ?? [],
        tags: (spec['tags'] as string[] | null) ?? [],
        levels: (spec['levels'] as string[] | null) ?? [],
      });
    } catch (error) {
      if (error instanceof RuntimeError) this.fail('invalid_scope', [...at, 'levels'], id, error.message, error);
      throw error;
    }
  }

  /** A mapping, undefined for an absent or null value; anything else is a `wrong_type` error. */
  private mapping(value: unknown, at: (string | number)[], id: string | undefined): Entry | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail('wrong_type', at, id, `expected a mapping, found ${typeName(value)}`);
    return value as Entry;
  }

  private allowOnly(entry: Entry, allowed: readonly string[], at: (string | number)[], id: string | undefined): void {
    for (const key of Object.keys(entry))
      if (!allowed.includes(key)) this.fail('unknown_key', [...at, key], id, `unknown key '${key}' (allowed: ${allowed.join(', ')})`);
  }

  private integer(value: unknown, at: (string | number)[], id: string | undefined): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      this.fail('invalid_value', at, id, `expected an integer of at least 1, found ${typeName(value)}`);
    return value;
  }

  private fail(
    code: EnrichmentConfigErrorCode,
    path: (string | number)[],
    enricherId: string | undefined,
    detail: string,
    cause?: unknown,
  ): never {
    const line = this.locate(path);
    // The key inside the enricher entry (`table.path`), or the top-level key outside one.
    const inEntry = path[0] === 'enrichers' && typeof path[1] === 'number';
    const keyPath = (inEntry ? path.slice(2) : path).map(String).join('.');
    const spot = {
      file: this.file,
      ...(enricherId === undefined ? {} : { enricherId }),
      ...(keyPath === '' ? {} : { key: keyPath }),
      ...(line === undefined ? {} : { line }),
    };
    throw new EnrichmentConfigError(code, detail, spot, cause === undefined ? undefined : { cause });
  }
}

/** Custom enrichers keep their behaviour, but id, kind, inject field, timeout, on_error and scope come from config. */
function wrapCustom(inner: Enricher, settings: Required<EnricherSettings>): Enricher {
  const wrapped: Enricher & { close?: () => Promise<void> } = {
    ...settings,
    enrich: (result, ctx) => inner.enrich(result, ctx),
  };
  const now = inner.enrichNow?.bind(inner);
  if (now !== undefined) wrapped.enrichNow = now;
  const close = (inner as { close?: () => Promise<void> }).close?.bind(inner);
  if (close !== undefined) wrapped.close = close;
  return wrapped;
}

function nodeAt(doc: Document, path: (string | number)[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) return node;
      node = item;
    } else break;
  }
  return (node ?? undefined) as Node | undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isStringMap = (v: unknown): v is Record<string, string> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(isString);
