// Resolution (spec 09 §4): fetch → parse → extract, then the `on_error` policy on failure; and resolveAll, which
// applies the `required` policy across a list of sources in declaration order.

import { silentLogger, type Logger } from '@tsigma/eval';
import type { SourceCache } from './cache.js';
import { commandFetcher } from './command-fetcher.js';
import type { DynamicSource } from './declarations.js';
import { DEFAULT_EGRESS_POLICY, type EgressPolicy } from './egress.js';
import { SourceError, type SourceErrorKind } from './errors.js';
import { compileExtractor, type Extractor } from './extract.js';
import type { FetchContext, SourceFetcher } from './fetcher.js';
import { fileFetcher } from './file-fetcher.js';
import { parseSourceText } from './format.js';
import { createHttpFetcher } from './http-fetcher.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_STDOUT_BYTES, type SourceLimits } from './limits.js';
import type { SourceMetrics } from './metrics.js';

/** A resolved value and where it came from. */
export interface ResolvedValue {
  data: unknown;
  resolvedAt: Date;
  origin: 'fetched' | 'cache' | 'default';
}

/** How the last resolution of a source ended (for status listings). */
export interface SourceOutcome {
  status: 'resolved' | 'cached' | 'default' | 'failed';
  /** When the value was fetched (for `cached`, when it was stored); the failure time for `failed`. */
  at: Date;
  error?: string;
}

/** Resolves declarations to values; DefaultSourceResolver is the implementation. */
export interface SourceResolver {
  resolve(src: DynamicSource): Promise<ResolvedValue>;
  /** Parses and extracts pushed text as `resolve` would, without fetching (push sources). */
  valueFromText(src: DynamicSource, text: string): Promise<unknown>;
  /** The last value returned (or pushed) per source id. */
  latestValues(): Map<string, unknown>;
  /** Records a pushed value (also stored into the cache). */
  setValue(id: string, value: unknown): void;
  /** A fetcher registered for this type, for push subscriptions. */
  fetcherFor(type: string): SourceFetcher | undefined;
  /** The context a fetch of `src` runs with. */
  fetchContext(src: DynamicSource, signal: AbortSignal): FetchContext;
  /** How the last resolution of each source ended. */
  outcomes(): Map<string, SourceOutcome>;
}

/** Options of {@link DefaultSourceResolver}. */
export interface DefaultSourceResolverOptions {
  cache?: SourceCache;
  /** Extra or replacement fetchers by type (e.g. `{ nats: natsSourceFetcher(...) }`). */
  fetchers?: Record<string, SourceFetcher>;
  metrics?: SourceMetrics;
  egress?: EgressPolicy;
  logger?: Logger;
}

/**
 * Fetches, parses and extracts sources, falling back by `on_error`.
 *
 * @example
 * const resolver = new DefaultSourceResolver({ cache: await SourceCache.open() });
 * const { data, origin } = await resolver.resolve(source);
 */
export class DefaultSourceResolver implements SourceResolver {
  private readonly fetchers: Record<string, SourceFetcher>;
  private readonly extractors = new Map<string, Promise<Extractor>>();
  private readonly latest = new Map<string, unknown>();
  private readonly outcome = new Map<string, SourceOutcome>();
  private readonly metrics: SourceMetrics;
  private readonly logger: Logger;

  constructor(private readonly opts: DefaultSourceResolverOptions = {}) {
    this.fetchers = { file: fileFetcher, http: createHttpFetcher(), command: commandFetcher, ...opts.fetchers };
    this.metrics = opts.metrics ?? {};
    this.logger = opts.logger ?? silentLogger;
  }

  async resolve(src: DynamicSource): Promise<ResolvedValue> {
    const started = performance.now();
    try {
      const fetched = await this.fetchValue(src);
      if (fetched === NO_DATA) {
        this.logger.warn(`source '${src.id}': no data yet; it resolves to null until a value arrives`, { source_id: src.id });
        return { data: null, resolvedAt: new Date(), origin: 'fetched' };
      }
      const data = fetched;
      const resolvedAt = new Date();
      this.opts.cache?.set(src.id, data);
      this.latest.set(src.id, data);
      this.outcome.set(src.id, { status: 'resolved', at: resolvedAt });
      this.metrics.onSourceResolve?.(src.id, src.type);
      this.metrics.setSourceLastResolved?.(src.id, Math.floor(resolvedAt.getTime() / 1000));
      return { data, resolvedAt, origin: 'fetched' };
    } catch (err) {
      const error = asSourceError(err, src.id);
      this.metrics.onSourceResolveError?.(src.id, error.kind);
      try {
        return this.fallback(src, error);
      } catch (final) {
        this.outcome.set(src.id, { status: 'failed', at: new Date(), error: `${error.kind}: ${error.message}` });
        throw final;
      }
    } finally {
      this.metrics.observeSourceResolveSeconds?.((performance.now() - started) / 1000);
    }
  }

  async valueFromText(src: DynamicSource, text: string): Promise<unknown> {
    const parsed = parseSourceText(text, src.format, src.id);
    return src.extract === undefined ? parsed : (await this.extractorFor(src))(parsed);
  }

  latestValues(): Map<string, unknown> {
    return new Map(this.latest);
  }

  outcomes(): Map<string, SourceOutcome> {
    return new Map(this.outcome);
  }

  setValue(id: string, value: unknown): void {
    this.latest.set(id, value);
    this.outcome.set(id, { status: 'resolved', at: new Date() });
    this.opts.cache?.set(id, value);
  }

  fetcherFor(type: string): SourceFetcher | undefined {
    return this.fetchers[type];
  }

  fetchContext(src: DynamicSource, signal: AbortSignal): FetchContext {
    const limits: SourceLimits = {
      timeoutMs: src.timeoutMs,
      maxBodyBytes: src.maxBodySize ?? DEFAULT_MAX_BODY_BYTES,
      maxStdoutBytes: src.maxStdout ?? DEFAULT_MAX_STDOUT_BYTES,
    };
    return { signal, egress: this.opts.egress ?? DEFAULT_EGRESS_POLICY, limits, logger: this.logger };
  }

  private async fetchValue(src: DynamicSource): Promise<unknown> {
    const fetcher = this.fetchers[src.type];
    if (fetcher === undefined) throw new SourceError('fetch', src.id, `no fetcher for source type '${src.type}' in this build`);
    const text = await fetcher.fetch(src, this.fetchContext(src, new AbortController().signal));
    return text === null ? NO_DATA : this.valueFromText(src, text);
  }

  private extractorFor(src: DynamicSource): Promise<Extractor> {
    const spec = src.extract as NonNullable<DynamicSource['extract']>;
    const key = `${src.id}\u0000${spec.type}\u0000${spec.expr}`;
    let compiled = this.extractors.get(key);
    if (compiled === undefined) {
      compiled = compileExtractor(spec, src.id);
      // A failed compile is reported at every resolve, not cached as a rejected promise forever unnoticed.
      compiled.catch(() => this.extractors.delete(key));
      this.extractors.set(key, compiled);
    }
    return compiled;
  }

  private fallback(src: DynamicSource, error: SourceError): ResolvedValue {
    if (src.onError === 'use_cached') {
      const hit = this.opts.cache?.entry(src.id);
      if (hit !== undefined) {
        this.metrics.onSourceCacheHit?.();
        this.logger.warn(`${error.message}; using the cached value stored at ${hit.storedAt.toISOString()}`, {
          source_id: src.id,
          error_kind: error.kind,
        });
        this.latest.set(src.id, hit.value);
        this.outcome.set(src.id, { status: 'cached', at: hit.storedAt, error: `${error.kind}: ${error.message}` });
        return { data: hit.value, resolvedAt: hit.storedAt, origin: 'cache' };
      }
    }
    if (src.onError === 'use_default') {
      this.logger.warn(`${error.message}; using the declared default`, { source_id: src.id, error_kind: error.kind });
      this.latest.set(src.id, src.default);
      this.outcome.set(src.id, { status: 'default', at: new Date(), error: `${error.kind}: ${error.message}` });
      return { data: src.default, resolvedAt: new Date(), origin: 'default' };
    }
    throw error;
  }
}

/** A fetch that found no data yet (see SourceFetcher.fetch). */
const NO_DATA = Symbol('no data');

const KINDS: ReadonlySet<string> = new Set<SourceErrorKind>(['fetch', 'parse', 'extract', 'timeout', 'resource_limit']);

function asSourceError(err: unknown, id: string): SourceError {
  if (err instanceof SourceError) return err;
  const kind = (err as { kind?: unknown }).kind;
  const message = (err as Error).message.startsWith(`source '${id}': `)
    ? (err as Error).message.slice(`source '${id}': `.length)
    : (err as Error).message;
  return new SourceError(typeof kind === 'string' && KINDS.has(kind) ? (kind as SourceErrorKind) : 'fetch', id, message, { cause: err });
}

/**
 * Resolves `sources` in declaration order. A required source whose error stands rejects the call with that
 * SourceError; an optional one becomes null with a warning.
 *
 * @example
 * const values = await resolveAll(resolver, sources); // Map { 'ip_blocklist' => ['10.0.0.5'] }
 */
export async function resolveAll(
  resolver: SourceResolver,
  sources: readonly DynamicSource[],
  opts: { logger?: Logger } = {},
): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  for (const src of sources) {
    try {
      values.set(src.id, (await resolver.resolve(src)).data);
    } catch (err) {
      if (src.required) throw err;
      (opts.logger ?? silentLogger).warn(`${(err as Error).message}; optional source resolves to null`, { source_id: src.id });
      values.set(src.id, null);
    }
  }
  return values;
}
