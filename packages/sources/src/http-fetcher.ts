// `http` sources: undici's fetch through an egress-checking Agent, with a deadline and a body size limit checked
// on Content-Length first and then while streaming (spec 09 §2, §7). Never uses Node's global fetch.

import { fetch as undiciFetch, type Agent } from 'undici';
import type { DynamicSource } from './declarations.js';
import { createEgressAgent, type EgressPolicy, type LookupFn } from './egress.js';
import { expandEnv } from './env-template.js';
import { SourceError } from './errors.js';
import type { FetchContext, SourceFetcher } from './fetcher.js';
import { decodeUtf8 } from './format.js';
import { HTTP_ERROR_BODY_BYTES } from './limits.js';

/** Options of {@link createHttpFetcher}. */
export interface HttpFetcherOptions {
  /** DNS resolver behind the egress check; default `dns.lookup`. */
  lookup?: LookupFn;
}

/**
 * The `http` fetcher. One Agent per egress policy is kept for connection reuse.
 *
 * @example
 * const resolver = new DefaultSourceResolver({ fetchers: { http: createHttpFetcher() } });
 */
export function createHttpFetcher(opts: HttpFetcherOptions = {}): SourceFetcher {
  const agents = new Map<string, Agent>();
  const agentFor = (policy: EgressPolicy): Agent => {
    const key = `${policy.preset}|${(policy.allowHosts ?? []).join(',')}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = createEgressAgent(policy, opts.lookup);
      agents.set(key, agent);
    }
    return agent;
  };
  return { fetch: (src, ctx) => fetchHttp(src, ctx, agentFor(ctx.egress)) };
}

async function fetchHttp(src: DynamicSource, ctx: FetchContext, agent: Agent): Promise<string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(src.headers ?? {})) headers[k] = expandEnv(v);
  const request: HttpRequestSpec = { url: expandEnv(src.url as string), method: src.method ?? 'GET', headers };
  if (src.body !== undefined) request.body = expandEnv(src.body);
  const bytes = await requestHttp(request, {
    signal: ctx.signal,
    timeoutMs: ctx.limits.timeoutMs,
    maxBodyBytes: ctx.limits.maxBodyBytes,
    dispatcher: agent,
    fail: (kind, detail, options) => new SourceError(kind, src.id, detail, options),
  });
  return decodeUtf8(bytes, src.id);
}

/** One HTTP request as {@link requestHttp} sends it (templates already rendered). */
export interface HttpRequestSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** How {@link requestHttp} sends a request and reports failures. */
export interface HttpRequestOptions {
  /** Aborting it cancels the request (a `fetch` failure unless the deadline expired first). */
  signal: AbortSignal;
  /** Deadline of the whole exchange, body included; a `timeout` failure. Omit to rely on `signal` alone. */
  timeoutMs?: number;
  /** Declared or streamed bodies above this are a `resource_limit` failure. */
  maxBodyBytes: number;
  /** The egress-checking Agent (see createEgressAgent). */
  dispatcher: Agent;
  /** Builds the error thrown for a failure, so each caller names its own subject (a source, an enricher). */
  fail: (kind: 'fetch' | 'timeout' | 'resource_limit', detail: string, options?: ErrorOptions) => Error;
}

/**
 * Sends one request through undici with a deadline and a body limit and returns the body of a 2xx answer; any
 * other status is a `fetch` failure quoting `HTTP <status>` and the start of the body. Shared by `http` sources and
 * the `http` enricher of @tsigma/enrichment.
 *
 * @example
 * const body = await requestHttp({ url, method: 'GET', headers: {} }, { signal, maxBodyBytes: 1 << 20, dispatcher, fail });
 */
export async function requestHttp(request: HttpRequestSpec, opts: HttpRequestOptions): Promise<Uint8Array> {
  const { url, method } = request;
  const deadline = new AbortController();
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => deadline.abort(), opts.timeoutMs);
  const onOuterAbort = (): void => deadline.abort();
  if (opts.signal.aborted) deadline.abort();
  else opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  const timedOut = (): boolean => deadline.signal.aborted && !opts.signal.aborted;
  const timeoutError = (cause?: unknown): Error =>
    opts.fail('timeout', `${method} ${redact(url)} did not complete within ${opts.timeoutMs} ms`, { cause });
  try {
    let response: Awaited<ReturnType<typeof undiciFetch>>;
    try {
      const init: Parameters<typeof undiciFetch>[1] = {
        method,
        headers: request.headers,
        signal: deadline.signal,
        dispatcher: opts.dispatcher,
      };
      if (request.body !== undefined) init.body = request.body;
      response = await undiciFetch(url, init);
    } catch (err) {
      if (timedOut()) throw timeoutError(err);
      throw opts.fail('fetch', `${method} ${redact(url)} failed: ${rootMessage(err)}`, { cause: err });
    }
    const max = opts.maxBodyBytes;
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (response.ok && declared > max) {
      await response.body?.cancel().catch(() => undefined);
      throw opts.fail('resource_limit', `response of ${redact(url)} declares ${declared} bytes, more than the limit of ${max}`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBounded(response.body, response.ok ? max : HTTP_ERROR_BODY_BYTES, !response.ok);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw opts.fail('resource_limit', `response of ${redact(url)} exceeds the limit of ${max} bytes`);
      if (timedOut()) throw timeoutError(err);
      throw opts.fail('fetch', `reading the response of ${redact(url)} failed: ${rootMessage(err)}`, { cause: err });
    }
    if (!response.ok) {
      const text = new TextDecoder().decode(bytes).trim();
      throw opts.fail('fetch', `HTTP ${response.status} from ${redact(url)}${text === '' ? '' : `: ${text}`}`);
    }
    return bytes;
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onOuterAbort);
  }
}

class BodyTooLarge extends Error {}

/** Reads at most `max` bytes; more is BodyTooLarge, or (with `truncate`) the first `max` bytes. */
async function readBounded(body: ReadableStream<Uint8Array> | null, max: number, truncate: boolean): Promise<Uint8Array> {
  if (body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    chunks.push(value);
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      if (!truncate) throw new BodyTooLarge();
      break;
    }
  }
  const out = Buffer.concat(chunks);
  return total > max ? out.subarray(0, max) : out;
}

/** undici wraps connection failures as `TypeError: fetch failed` with the reason in `cause`. */
function rootMessage(err: unknown): string {
  let e = err as Error & { cause?: unknown };
  while (e.cause instanceof Error) e = e.cause;
  return e.message;
}

/** Query strings often carry tokens; messages show the URL without them. */
function redact(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}
