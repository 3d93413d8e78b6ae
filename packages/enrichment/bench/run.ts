// Entry point of `pnpm bench` for @tsigma/enrichment: results per second through template + lookup (a 100,000-row
// table) and through an http enricher whose cache is warm (a loopback server), with peak memory. Synthetic data only.
// Started with `node --expose-gc --import tsx bench/run.ts`.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvaluationResult } from '@tsigma/eval';
import { parseEnrichersConfig, type EnrichmentPipeline } from '../src/index.js';
import { benchResult, writeHostTable } from './data.js';

const ROWS = Number(process.env['TSIGMA_BENCH_ROWS'] ?? 100_000);
const RESULTS = Number(process.env['TSIGMA_BENCH_RESULTS'] ?? 1_000_000);
const HTTP_RESULTS = Number(process.env['TSIGMA_BENCH_HTTP_RESULTS'] ?? 200_000);
/** Distinct hashes the http enricher sees (all cached after the warm-up). */
const HTTP_KEYS = 1000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function cpuSeconds(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
}

/** Runs `count` results through `pipeline` in batches of `batch` (1 = one input line per result, as in `tsigma eval`). */
async function measure(
  label: string,
  pipeline: EnrichmentPipeline,
  count: number,
  batch: number,
  make: (i: number) => EvaluationResult,
): Promise<void> {
  // Results are built beforehand so the figure is the enrichment's cost, not the generator's.
  const pool = Array.from({ length: Math.min(count, 100_000) }, (_, i) => make(i));
  gc?.();
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let n = 0; n < count; n += batch) {
    const slice: EvaluationResult[] = [];
    for (let k = n; k < Math.min(n + batch, count); k++) {
      const r = pool[k % pool.length] as EvaluationResult;
      delete r.enrichments;
      slice.push(r);
    }
    await pipeline.run(slice);
  }
  const wall = (performance.now() - t) / 1000;
  const cpuS = cpuSeconds(cpu);
  const sample = pool[0]?.enrichments;
  console.log(
    `${label.padEnd(44)} batch ${String(batch).padStart(3)}: ${Math.round(count / wall)
      .toLocaleString('en-US')
      .padStart(10)} results/s wall, ` +
      `${Math.round(count / cpuS)
        .toLocaleString('en-US')
        .padStart(10)} results/s CPU  (sample ${JSON.stringify(sample)})`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'tsigma-enrich-bench-'));
try {
  writeHostTable(join(dir, 'hosts.csv'), ROWS);
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const local = await parseEnrichersConfig(
    `enrichers:
  - id: runbook
    kind: detection
    type: template
    inject_field: runbook_url
    template: "https://wiki.example/runbooks/\${detection.rule.id}?host=\${detection.fields.Computer}"
  - id: owner
    kind: detection
    type: lookup
    inject_field: owner
    table: { path: hosts.csv, key_column: hostname }
    key: "\${detection.fields.Computer}"
    column: owner
    case_insensitive: true
    default: unknown
`,
    join(dir, 'enrichers.yml'),
  );
  gc?.();
  console.log(
    `table: ${ROWS.toLocaleString('en-US')} rows loaded in ${Math.round(performance.now() - t0)} ms, ` +
      `heap +${((process.memoryUsage().heapUsed - heapBefore) / 1048576).toFixed(1)} MiB`,
  );
  await measure('template + lookup (100k-row table)', local, RESULTS, 1, benchResult);
  await measure('template + lookup (100k-row table)', local, RESULTS, 256, benchResult);

  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { attributes: { last_analysis_stats: { malicious: req.url?.length ?? 0, harmless: 60 } } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const http = await parseEnrichersConfig(
    `enrichers:
  - id: vt
    kind: detection
    type: http
    inject_field: file_reputation
    url: "http://127.0.0.1:${port}/files/\${detection.fields.SHA256}"
    cache_ttl: 1h
    extract: ".data.attributes.last_analysis_stats"
`,
    join(dir, 'http.yml'),
  );
  const makeHttp = (i: number): EvaluationResult => benchResult(i % HTTP_KEYS);
  await measure('http warm-up (1000 requests, cache cold)', http, HTTP_KEYS, 16, makeHttp);
  await measure('http, warm cache', http, HTTP_RESULTS, 1, makeHttp);
  await measure('http, warm cache', http, HTTP_RESULTS, 256, makeHttp);
  await http.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
