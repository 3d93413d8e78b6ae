// The http enricher against a real loopback server (spec 07 §9 tests 5, 6, 9 and the bad-input cases of issue 15).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseEnrichersConfig, type EnrichmentLoadOptions } from '@tsigma/enrichment';
import { detection, recordingMetrics, warnings } from '../builders.js';
import { json, startServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function httpEnricher(lines: string[], top = ''): string {
  return `${top}enrichers:\n  - id: rep\n    kind: detection\n    type: http\n    inject_field: rep\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
}

async function pipelineFor(lines: string[], opts: EnrichmentLoadOptions = {}, top = '') {
  return parseEnrichersConfig(httpEnricher(lines, top), 'enrichers.yml', opts);
}

describe('http enricher', () => {
  it('§9.5 cache_ttl 1h: two results with the same hash make one request; hit 1, miss 1', async () => {
    server = await startServer((req, res) => json(res, { url: req.url, stats: { malicious: 3 } }));
    const metrics = recordingMetrics();
    const p = await pipelineFor([`url: "${server.url}/files/\${detection.fields.SHA256}"`, 'cache_ttl: 1h', 'extract: .stats'], {
      metrics,
    });
    const out = await p.run([detection({ SHA256: 'abc' }), detection({ SHA256: 'abc' })]);
    expect(out.map((r) => r.enrichments?.['rep'])).toEqual([{ malicious: 3 }, { malicious: 3 }]);
    expect(server.requests).toHaveLength(1);
    expect(metrics.calls.filter((c) => c.startsWith('onEnrichmentHttpCache'))).toEqual([
      'onEnrichmentHttpCacheMiss(rep)',
      'onEnrichmentHttpCacheHit(rep)',
    ]);
    await p.close();
  });

  it('§9.5 cache_ttl 100ms and a 150 ms pause: a second request and one expiration', async () => {
    server = await startServer((_req, res) => json(res, { ok: true }));
    const metrics = recordingMetrics();
    const p = await pipelineFor([`url: "${server.url}/files/\${detection.fields.SHA256}"`, 'cache_ttl: 100ms'], { metrics });
    await p.run([detection({ SHA256: 'abc' })]);
    await sleep(150);
    await p.run([detection({ SHA256: 'abc' })]);
    expect(server.requests).toHaveLength(2);
    expect(metrics.calls.filter((c) => c.startsWith('onEnrichmentHttpCacheExpiration'))).toEqual(['onEnrichmentHttpCacheExpiration(rep)']);
    await p.close();
  });

  it('§9.6 a server that answers after 2 s, timeout 100ms, on_error null: null, status timeout, request aborted', async () => {
    server = await startServer((_req, res) => {
      const t = setTimeout(() => json(res, { late: true }), 2000);
      res.on('close', () => clearTimeout(t));
    });
    const metrics = recordingMetrics();
    const p = await pipelineFor([`url: "${server.url}/slow"`, 'timeout: 100ms', 'on_error: null'], { metrics });
    const [r] = await p.run([detection()]);
    expect(r?.enrichments).toEqual({ rep: null });
    expect(metrics.statuses('rep')).toEqual(['timeout']);
    const s = server;
    await vi.waitFor(() => expect(s.aborted).toBe(1), { timeout: 5000 });
    await p.close();
  });

  it('§9.9 50 results, max_concurrent_enrichments 4, slow server: never more than 4 at once, output in input order', async () => {
    server = await startServer((req, res) => {
      setTimeout(() => json(res, { path: req.url }), 20);
    });
    const p = await pipelineFor([`url: "${server.url}/q/\${detection.fields.N}"`, 'extract: .path'], {}, 'max_concurrent_enrichments: 4\n');
    const input = Array.from({ length: 50 }, (_, i) => detection({ N: String(i) }));
    const out = await p.run(input);
    expect(out.map((r) => r.enrichments?.['rep'])).toEqual(input.map((_, i) => `/q/${i}`));
    expect(server.maxConcurrent).toBeLessThanOrEqual(4);
    expect(server.maxConcurrent).toBeGreaterThan(1);
    await p.close();
  });

  it('a 5xx answer applies on_error skip with a warning naming the status', async () => {
    server = await startServer((_req, res) => json(res, { error: 'down' }, 503));
    const metrics = recordingMetrics();
    const logger = warnings();
    const p = await pipelineFor([`url: "${server.url}/x"`], { metrics, logger });
    const [r] = await p.run([detection()]);
    expect(r?.enrichments).toBeUndefined();
    expect(metrics.statuses('rep')).toEqual(['skip']);
    expect(logger.lines.join('\n')).toContain('HTTP 503');
    await p.close();
  });

  it('a server streaming 100 MB, or declaring it, fails at the size limit (on_error null, status error)', async () => {
    const total = 100 * 1024 * 1024;
    server = await startServer((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(total) });
        res.write('[');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    for (const path of ['/streamed', '/declared']) {
      const metrics = recordingMetrics();
      const logger = warnings();
      const p = await pipelineFor([`url: "${server.url}${path}"`, 'on_error: null', 'max_response_bytes: 1048576'], { metrics, logger });
      const [r] = await p.run([detection()]);
      expect(r?.enrichments).toEqual({ rep: null });
      expect(metrics.statuses('rep')).toEqual(['error']);
      await p.close();
    }
  });

  it('a body that is not JSON is a parse failure; POST bodies JSON-escape result values; headers drop CR/LF', async () => {
    server = await startServer((req, res, body) => {
      if (req.url === '/text') {
        res.writeHead(200);
        res.end('not json');
        return;
      }
      json(res, { body: JSON.parse(body) as unknown, header: req.headers['x-user'] ?? null });
    });
    const logger = warnings();
    const bad = await pipelineFor([`url: "${server.url}/text"`], { logger });
    await bad.run([detection()]);
    expect(logger.lines.join('\n')).toContain('is not JSON');
    await bad.close();
    const p = await pipelineFor([
      `url: "${server.url}/lookup"`,
      `body: '{"user": "\${detection.fields.User}"}'`,
      `headers: { x-user: "\${detection.fields.User}" }`,
    ]);
    const [r] = await p.run([detection({ User: 'a"b\r\nX-Evil: 1' })]);
    expect(r?.enrichments?.['rep']).toEqual({ body: { user: 'a"b\r\nX-Evil: 1' }, header: 'a"bX-Evil: 1' });
    expect(server.requests.at(-1)?.method).toBe('POST');
    await p.close();
  });

  it('the strict egress policy denies the loopback server: a fetch failure, no request reaches it', async () => {
    server = await startServer((_req, res) => json(res, {}));
    const logger = warnings();
    const p = await pipelineFor([`url: "${server.url}/x"`], { logger, egress: { preset: 'strict' } });
    const [r] = await p.run([detection()]);
    expect(r?.enrichments).toBeUndefined();
    expect(logger.lines.join('\n')).toContain('egress policy denied loopback address');
    expect(server.requests).toHaveLength(0);
    await p.close();
  });

  it('the cache key covers method, URL, body hash, and the headers when a header reads the result', async () => {
    server = await startServer((req, res) => json(res, { url: req.url }));
    const byBody = await pipelineFor([`url: "${server.url}/q"`, 'cache_ttl: 1h', 'body: \'{"u": "${detection.fields.User}"}\'']);
    await byBody.run([detection({ User: 'a' }), detection({ User: 'b' }), detection({ User: 'a' })]);
    expect(server.requests.map((r) => r.body).sort()).toEqual(['{"u": "a"}', '{"u": "b"}']);
    await byBody.close();
    const byHeader = await pipelineFor([`url: "${server.url}/h"`, 'cache_ttl: 1h', 'headers: { x-user: "${detection.fields.User}" }']);
    await byHeader.run([detection({ User: 'a' }), detection({ User: 'b' }), detection({ User: 'b' })]);
    expect(
      server.requests
        .filter((r) => r.url === '/h')
        .map((r) => String(r.headers['x-user']))
        .sort(),
    ).toEqual(['a', 'b']);
    await byHeader.close();
  });
});
