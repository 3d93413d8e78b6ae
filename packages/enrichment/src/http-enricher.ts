// `http` enricher (spec 07 §5): one request per result (or a cache hit), through @tsigma/sources' egress-checked
// requestHttp with the enricher's abort signal and a response size limit; the JSON body is cached, then extracted.

import { createHash } from 'node:crypto';
import type { EvaluationResult } from '@tsigma/eval';
import type { MetricsHook } from '@tsigma/runtime';
import {
  createEgressAgent,
  decodeUtf8,
  DEFAULT_EGRESS_POLICY,
  requestHttp,
  type EgressPolicy,
  type ExtractSpec,
  type LookupFn,
} from '@tsigma/sources';
import type { EnrichContext } from './enricher.js';
import { BuiltinEnricher, type EnricherSettings } from './enricher-settings.js';
import { EnrichError, EnrichmentConfigError } from './errors.js';
import { ExtractorCache } from './extract-cache.js';
import { HttpResponseCache } from './http-cache.js';
import { compileTemplate, type CompiledTemplate, type TemplateSite } from './template.js';

/** Default `max_response_bytes`: enrichment answers are small documents; a bigger one is a misconfigured endpoint. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Default `cache_max_entries`. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

/** Extracted values remembered per cached body (templated extract expressions can differ per result). */
const MAX_EXTRACTS_PER_BODY = 16;

/** A parsed body as cached, with the extractions already run over it. */
interface Fetched {
  data: unknown;
  extracted?: Map<string, Promise<unknown>>;
}

/** Options of {@link HttpEnricher}. */
export interface HttpEnricherOptions {
  /** Template (result values percent-encoded); must render an `http:` or `https:` URL. */
  url: string;
  /** Default `GET`, or `POST` when a body is set. */
  method?: string;
  /** Header templates (CR and LF removed from result values). */
  headers?: Readonly<Record<string, string>>;
  /** Body template. */
  body?: string;
  /** `json` (default): result values JSON-string-escaped in the body; `none`: raw. */
  bodyEscape?: 'json' | 'none';
  /** Extract template applied to the parsed body (result values JSON-string-escaped). */
  extract?: string;
  /** Default `jq`. */
  extractType?: ExtractSpec['type'];
  /** Response cache TTL; absent or 0 disables the cache. */
  cacheTtlMs?: number;
  /** Default {@link DEFAULT_CACHE_MAX_ENTRIES}. */
  cacheMaxEntries?: number;
  /** Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
  /** Default: the `default` preset (loopback and private networks allowed, metadata and link-local denied). */
  egress?: EgressPolicy;
  /** DNS resolver behind the egress check; default `dns.lookup`. */
  lookup?: LookupFn;
  /** Receives the cache hit, miss and expiration counters. */
  metrics?: MetricsHook;
  /** Wall clock of the cache in ms; default `Date.now`. */
  now?: () => number;
}

/**
 * Calls an HTTP API per result. Non-2xx, a body above the limit or a connection failure is a `fetch` failure, a
 * body that is not JSON a `parse` failure.
 *
 * @example
 * new HttpEnricher({ id: 'vt', kind: 'detection', injectField: 'reputation' },
 *   { url: 'https://vt.example/files/${detection.fields.SHA256}', headers: { 'x-apikey': '${VT_API_KEY}' }, cacheTtlMs: 3_600_000 });
 */
export class HttpEnricher extends BuiltinEnricher {
  readonly type = 'http';
  private readonly url: CompiledTemplate;
  private readonly method: string;
  private readonly headers: [string, CompiledTemplate][];
  private readonly body: CompiledTemplate | undefined;
  private readonly headersKeyed: boolean;
  private readonly extract: CompiledTemplate | undefined;
  private readonly extractors: ExtractorCache | undefined;
  private readonly cache: HttpResponseCache | undefined;
  private readonly pending = new Map<string, Promise<Fetched>>();
  private readonly maxBytes: number;
  private readonly agent: ReturnType<typeof createEgressAgent>;
  private readonly metrics: MetricsHook;

  constructor(settings: EnricherSettings, opts: HttpEnricherOptions) {
    super(settings);
    const site = (field: string): TemplateSite => ({ enricherId: this.id, kind: this.kind, field });
    // A URL may start with an environment variable (a base URL kept out of YAML); it is checked again once rendered.
    if (!/^(https?:\/\/|\$\{[A-Za-z_])/i.test(opts.url))
      throw new EnrichmentConfigError('invalid_value', `url must start with http:// or https://, not '${opts.url}'`, {
        file: 'enrichers',
        enricherId: this.id,
        key: 'url',
      });
    this.url = compileTemplate(opts.url, site('url'), 'url');
    this.method = (opts.method ?? (opts.body === undefined ? 'GET' : 'POST')).toUpperCase();
    this.headers = Object.entries(opts.headers ?? {}).map(([k, v]) => [k, compileTemplate(v, site(`headers.${k}`), 'header')]);
    this.headersKeyed = this.headers.some(([, t]) => t.readsResult);
    this.body = opts.body === undefined ? undefined : compileTemplate(opts.body, site('body'), opts.bodyEscape === 'none' ? 'raw' : 'json');
    this.extract = opts.extract === undefined ? undefined : compileTemplate(opts.extract, site('extract'), 'json');
    this.extractors = opts.extract === undefined ? undefined : new ExtractorCache(this.id, opts.extractType ?? 'jq');
    this.readsEvent = [this.url, this.body, this.extract, ...this.headers.map(([, t]) => t)].some((t) => t?.readsEvent === true);
    const metrics = (this.metrics = opts.metrics ?? {});
    this.cache =
      opts.cacheTtlMs === undefined || opts.cacheTtlMs <= 0
        ? undefined
        : new HttpResponseCache(
            opts.cacheTtlMs,
            opts.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
            {
              onHit: () => metrics.onEnrichmentHttpCacheHit?.(this.id),
              onMiss: () => metrics.onEnrichmentHttpCacheMiss?.(this.id),
              onExpiration: () => metrics.onEnrichmentHttpCacheExpiration?.(this.id),
            },
            opts.now,
          );
    this.maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.agent = createEgressAgent(opts.egress ?? DEFAULT_EGRESS_POLICY, opts.lookup);
  }

  async enrich(result: Readonly<EvaluationResult>, ctx: EnrichContext): Promise<unknown> {
    const url = this.url.render(result);
    if (!/^https?:\/\//i.test(url)) throw new EnrichError(this.id, 'template', `rendered url is not http(s): ${url}`);
    const headers: Record<string, string> = {};
    for (const [k, t] of this.headers) headers[k] = t.render(result);
    const body = this.body?.render(result);
    const entry = await this.fetchCached(url, headers, body, ctx.signal);
    if (this.extract === undefined || this.extractors === undefined) return entry.data;
    const expr = this.extract.render(result);
    // Extraction is deterministic over a cached body, so a warm cache also skips the (WebAssembly) jq run.
    const memo = (entry.extracted ??= new Map<string, Promise<unknown>>());
    let extracted = memo.get(expr);
    if (extracted === undefined) {
      extracted = this.extractors.run(expr, entry.data);
      if (memo.size < MAX_EXTRACTS_PER_BODY) memo.set(expr, extracted);
    }
    return extracted;
  }

  /** Releases the connection pool. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async fetchCached(url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<Fetched> {
    if (this.cache === undefined) return { data: await this.fetchJson(url, headers, body, signal) };
    const key = this.cacheKey(url, headers, body);
    // Results enriched concurrently with the same key share one request (and its failure); joining one is a hit.
    const inFlight = this.pending.get(key);
    if (inFlight !== undefined) {
      this.metrics.onEnrichmentHttpCacheHit?.(this.id);
      return inFlight;
    }
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit.value as Fetched;
    const request = this.fetchJson(url, headers, body, signal).then((data) => {
      const entry: Fetched = { data };
      this.cache?.set(key, entry);
      return entry;
    });
    this.pending.set(key, request);
    try {
      return await request;
    } finally {
      this.pending.delete(key);
    }
  }

  private cacheKey(url: string, headers: Record<string, string>, body: string | undefined): string {
    const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
    let key = `${this.method}\n${url}\n${sha(body ?? '')}`;
    if (this.headersKeyed) key += `\n${sha(JSON.stringify(Object.entries(headers)))}`;
    return key;
  }

  private async fetchJson(url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<unknown> {
    const spec: Parameters<typeof requestHttp>[0] = { url, method: this.method, headers };
    if (body !== undefined) spec.body = body;
    const bytes = await requestHttp(spec, {
      signal,
      maxBodyBytes: this.maxBytes,
      dispatcher: this.agent,
      fail: (kind, detail, options) => new EnrichError(this.id, kind === 'timeout' ? 'timeout' : 'fetch', detail, options),
    });
    try {
      return JSON.parse(decodeUtf8(bytes, this.id));
    } catch (error) {
      throw new EnrichError(this.id, 'parse', `the response of ${url.split('?')[0]} is not JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
