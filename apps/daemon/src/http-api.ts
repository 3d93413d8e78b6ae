// The HTTP API of tsigmad (spec 10 §7) on node:http: routing, bearer-token check, body limits and JSON rendering.
// Every answer comes from the ApiBackend the daemon implements; this module holds no daemon state.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { DaemonMetrics } from './metrics.js';

/** An API answer: status, JSON body (or text for /metrics), extra headers. */
export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  text?: string;
}

/** What the routes need from the daemon. */
export interface ApiBackend {
  ready(): { status: number; body: unknown };
  status(): unknown;
  rules(limit: number, offset: number): unknown;
  reload(wait: boolean): Promise<ApiReply>;
  correlations(): unknown;
  correlationState(id: string | undefined, group: string | undefined): unknown;
  silences(method: 'GET' | 'POST' | 'DELETE', id: string | undefined, body: unknown): ApiReply;
  incidents(id: string | undefined): ApiReply;
  /** Undefined when `--input http` is not set. */
  ingestLines?(lines: string[]): Promise<ApiReply>;
  ingestOtlp(body: Buffer, contentType: string | undefined, contentEncoding: string | undefined): Promise<ApiReply>;
  sources(): unknown;
  resolveSources(id: string | undefined): ApiReply;
  invalidateSource(id: string): ApiReply;
}

/** Largest NDJSON line accepted by `POST /api/v1/events` (05 §7). */
const MAX_LINE_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

interface ApiOptions {
  backend: ApiBackend;
  metrics: DaemonMetrics;
  token?: string;
  maxRequestBytes: number;
  onError(error: unknown): void;
}

/** Builds the server (not yet listening). */
export function createApiServer(opts: ApiOptions): Server {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((error: unknown) => {
      opts.onError(error);
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  return server;
}

function send(res: ServerResponse, reply: ApiReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let text: string;
  if (reply.text !== undefined) {
    text = reply.text;
  } else {
    text = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json';
  }
  res.writeHead(reply.status, headers);
  res.end(text);
}

const json = (status: number, body: unknown): ApiReply => ({ status, body });
const error = (status: number, message: string): ApiReply => ({ status, body: { error: message } });

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function checkToken(req: IncomingMessage, token: string): 'ok' | 'missing' | 'invalid' {
  const header = req.headers.authorization;
  if (header === undefined || !header.startsWith('Bearer ')) return 'missing';
  const given = Buffer.from(header.slice('Bearer '.length));
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want) ? 'ok' : 'invalid';
}

/** One route: path pattern, allowed methods and handler. */
interface Route {
  match: RegExp;
  methods: string[];
  run(req: IncomingMessage, m: RegExpExecArray, url: URL): Promise<ApiReply> | ApiReply;
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ApiOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const { backend, metrics } = opts;
  if (opts.token !== undefined && path !== '/healthz' && path !== '/readyz') {
    const verdict = checkToken(req, opts.token);
    if (verdict !== 'ok') {
      metrics.apiAuthFailures.inc({ reason: verdict });
      req.resume();
      send(res, { status: 401, body: { error: 'unauthorized' }, headers: { 'www-authenticate': 'Bearer' } });
      return;
    }
  }
  const body = async (): Promise<Buffer> => readBody(req, opts.maxRequestBytes);
  const jsonBody = async (): Promise<unknown> => {
    const raw = (await body()).toString('utf8');
    if (raw.trim() === '') return undefined;
    return JSON.parse(raw) as unknown;
  };
  const routes: Route[] = [
    { match: /^\/healthz$/, methods: ['GET'], run: () => json(200, { status: 'ok' }) },
    { match: /^\/readyz$/, methods: ['GET'], run: () => backend.ready() },
    {
      match: /^\/metrics$/,
      methods: ['GET'],
      run: async () => ({
        status: 200,
        body: null,
        text: await metrics.registry.metrics(),
        headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      }),
    },
    { match: /^\/api\/v1\/status$/, methods: ['GET'], run: () => json(200, backend.status()) },
    {
      match: /^\/api\/v1\/rules$/,
      methods: ['GET'],
      run: (_r, _m, u) => {
        const limit = intParam(u, 'limit', 100);
        const offset = intParam(u, 'offset', 0);
        if (limit === undefined || limit < 1 || limit > 1000) return error(400, 'limit must be an integer from 1 to 1000');
        if (offset === undefined) return error(400, 'offset must be a non-negative integer');
        return json(200, backend.rules(limit, offset));
      },
    },
    { match: /^\/api\/v1\/reload$/, methods: ['POST'], run: (_r, _m, u) => backend.reload(u.searchParams.get('wait') === 'true') },
    { match: /^\/api\/v1\/correlations$/, methods: ['GET'], run: () => json(200, backend.correlations()) },
    {
      match: /^\/api\/v1\/correlations\/state$/,
      methods: ['GET'],
      run: (_r, _m, u) =>
        json(200, backend.correlationState(u.searchParams.get('id') ?? undefined, u.searchParams.get('group') ?? undefined)),
    },
    {
      match: /^\/api\/v1\/silences$/,
      methods: ['GET', 'POST'],
      run: async (r) => {
        if (r.method === 'GET') return backend.silences('GET', undefined, undefined);
        return backend.silences('POST', undefined, await jsonBody());
      },
    },
    {
      match: /^\/api\/v1\/silences\/([^/]+)$/,
      methods: ['DELETE'],
      run: (_r, m) => backend.silences('DELETE', decodeURIComponent(m[1] as string), undefined),
    },
    { match: /^\/api\/v1\/incidents$/, methods: ['GET'], run: () => backend.incidents(undefined) },
    { match: /^\/api\/v1\/incidents\/([^/]+)$/, methods: ['GET'], run: (_r, m) => backend.incidents(decodeURIComponent(m[1] as string)) },
    {
      match: /^\/api\/v1\/events$/,
      methods: ['POST'],
      run: async () => {
        if (backend.ingestLines === undefined) {
          return error(404, 'event ingestion not enabled (start with --input http)');
        }
        const text = (await body()).toString('utf8');
        const lines: string[] = [];
        let lineNo = 0;
        for (const raw of text.split('\n')) {
          lineNo++;
          const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
          if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
            return json(413, { error: 'line exceeds maximum size', max_bytes: MAX_LINE_BYTES, line: lineNo });
          }
          if (line.trim() !== '') lines.push(line);
        }
        return backend.ingestLines(lines);
      },
    },
    {
      match: /^\/v1\/logs$/,
      methods: ['POST'],
      run: async (r) => backend.ingestOtlp(await body(), r.headers['content-type'], r.headers['content-encoding']),
    },
    { match: /^\/api\/v1\/sources$/, methods: ['GET'], run: () => json(200, backend.sources()) },
    {
      match: /^\/api\/v1\/sources\/resolve$/,
      methods: ['POST'],
      run: async () => {
        const b = await jsonBody();
        const id =
          b !== null && typeof b === 'object' && typeof (b as { source_id?: unknown }).source_id === 'string'
            ? (b as { source_id: string }).source_id
            : undefined;
        return backend.resolveSources(id);
      },
    },
    {
      match: /^\/api\/v1\/sources\/resolve\/([^/]+)$/,
      methods: ['POST'],
      run: (_r, m) => backend.resolveSources(decodeURIComponent(m[1] as string)),
    },
    {
      match: /^\/api\/v1\/sources\/cache\/([^/]+)$/,
      methods: ['DELETE'],
      run: (_r, m) => backend.invalidateSource(decodeURIComponent(m[1] as string)),
    },
  ];
  for (const route of routes) {
    const m = route.match.exec(path);
    if (m === null) continue;
    if (!route.methods.includes(req.method ?? 'GET')) {
      req.resume();
      send(res, { status: 405, body: { error: `method ${req.method} not allowed` }, headers: { allow: route.methods.join(', ') } });
      return;
    }
    let reply: ApiReply;
    try {
      reply = await route.run(req, m, url);
    } catch (e) {
      if (e instanceof BodyTooLarge) reply = error(413, `request body exceeds ${opts.maxRequestBytes} bytes`);
      else if (e instanceof SyntaxError) reply = error(400, `invalid JSON body: ${e.message}`);
      else throw e;
    }
    send(res, reply);
    return;
  }
  req.resume();
  send(res, error(404, `no route ${path}`));
}

function intParam(u: URL, name: string, def: number): number | undefined {
  const v = u.searchParams.get(name);
  if (v === null) return def;
  return /^\d+$/.test(v) ? Number(v) : undefined;
}
