// A real loopback HTTP server for the integration suites: each test sets what the next requests get.

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server answers: status, body, headers, or a handler for full control (slow or oversize responses). */
export type FeedReply = { status?: number; body?: string; headers?: Record<string, string> } | ((res: ServerResponse) => void);

export interface FeedServer {
  url: string;
  port: number;
  /** Sets the reply of every following request. */
  reply(r: FeedReply): void;
  /** Headers of the last request. */
  lastHeaders(): IncomingHttpHeaders | undefined;
  requests(): number;
  close(): Promise<void>;
}

export async function startFeedServer(initial: FeedReply = { body: '[]' }): Promise<FeedServer> {
  let current = initial;
  let headers: IncomingHttpHeaders | undefined;
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    headers = req.headers;
    req.resume();
    const r = current;
    if (typeof r === 'function') return r(res);
    res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
    res.end(r.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    reply: (r) => void (current = r),
    lastHeaders: () => headers,
    requests: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
