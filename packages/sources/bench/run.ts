// Entry point of `pnpm bench` for @tsigma/sources: resolving 100 mixed sources cold and warm, and a 100,000-entry
// IOC list from a source through rule load, reload and matching. Run with `node --expose-gc --import tsx bench/run.ts`.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogProcessor, RuntimeEngine } from '@tsigma/runtime';
import { DefaultSourceResolver, PipelineSources, resolveAll, SourceCache, validateSourceDeclarations } from '../src/index.js';
import { dnsEvents, iocList, writeFeeds } from './data.js';

const SOURCES = 100;
const IOCS = Number(process.env.TSIGMA_BENCH_IOCS ?? 100_000);
const EVENTS = Number(process.env.TSIGMA_BENCH_EVENTS ?? 200_000);
/** One event in this many queries a listed IOC. */
const HIT_EVERY = 10;

const dir = await mkdtemp(join(tmpdir(), 'tsigma-sources-bench-'));
const body = JSON.stringify({ ips: Array.from({ length: 50 }, (_, k) => `192.0.2.${k}`) });
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const peak = (): string => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;
const ms = (t0: number): number => performance.now() - t0;

try {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);

  // 1. 100 sources: a third files, a third loopback HTTP, a third commands (/bin/cat of a feed file, no shell).
  const feeds = await writeFeeds(dir, SOURCES);
  const raw = feeds.map((path, i) => {
    const kind = i % 3;
    const common = { id: `s${i}`, extract: '.ips' };
    if (kind === 0) return { ...common, type: 'file', path };
    if (kind === 1) return { ...common, type: 'http', url: `${url}/feed/${i}` };
    return { ...common, type: 'command', command: ['/bin/cat', path] };
  });
  const sources = validateSourceDeclarations(raw, { kind: 'file', path: join(dir, 'sources.yml') });
  const resolver = new DefaultSourceResolver({ cache: await SourceCache.open() });
  let t0 = performance.now();
  await resolveAll(resolver, sources);
  const cold = ms(t0);
  t0 = performance.now();
  await resolveAll(resolver, sources);
  const warm = ms(t0);
  console.log(`resolve ${SOURCES} sources (34 file, 33 http, 33 command), sequential:`);
  console.log(`  cold ${cold.toFixed(0)} ms (${((SOURCES / cold) * 1000).toFixed(0)} sources/s)`);
  console.log(`  warm ${warm.toFixed(0)} ms (${((SOURCES / warm) * 1000).toFixed(0)} sources/s)`);

  // 2. A 100k-entry IOC list (lines file) → `QueryName|contains: '%iocs%'` → compiled engine.
  const iocs = iocList(IOCS);
  await writeFile(join(dir, 'iocs.txt'), iocs.join('\n'));
  await writeFile(
    join(dir, 'iocs.yml'),
    `name: iocs\nvars:\n  iocs: "\${source.iocs}"\ntransformations:\n  - type: value_placeholders\nsources:\n  - id: iocs\n    type: file\n    path: iocs.txt\n    format: lines\n`,
  );
  await writeFile(
    join(dir, 'rule.yml'),
    `title: DNS Query For Listed IOC\nid: 4f1d2c3b-9a8e-4c7d-b6a5-0e1f2a3b4c5d\nlogsource: {category: dns_query, product: windows}\ndetection:\n  sel:\n    QueryName|contains: '%iocs%'\n  condition: sel\nlevel: high\n`,
  );
  const hook = new PipelineSources({ resolver: new DefaultSourceResolver() });
  const engine = new RuntimeEngine({ rulesPath: join(dir, 'rule.yml'), pipelinePaths: [join(dir, 'iocs.yml')], sources: hook });
  t0 = performance.now();
  await engine.loadRules();
  const load = ms(t0);
  const processor = new LogProcessor(engine);
  t0 = performance.now();
  await processor.reloadRules({ sources: 'latest' });
  const reload = ms(t0);
  t0 = performance.now();
  await processor.reloadRules();
  const refetch = ms(t0);
  globalThis.gc?.();
  const heapMiB = process.memoryUsage().heapUsed / 1024 / 1024;
  console.log(`${IOCS.toLocaleString('en-US')}-entry IOC list (file source, lines) into |contains:`);
  console.log(`  first load (fetch + parse + expand + compile) ${load.toFixed(0)} ms`);
  console.log(`  reload with held values ${reload.toFixed(0)} ms; reload with re-fetch ${refetch.toFixed(0)} ms`);
  console.log(`  heap after load ${heapMiB.toFixed(0)} MiB, peak RSS ${peak()}`);

  const lines = dnsEvents(EVENTS, iocs, HIT_EVERY);
  const batch = 1000;
  let matched = 0;
  t0 = performance.now();
  for (let i = 0; i < lines.length; i += batch) {
    for (const r of processor.processBatchLines(lines.slice(i, i + batch))) matched += r.detections.length;
  }
  const match = ms(t0);
  console.log(
    `  matching ${EVENTS.toLocaleString('en-US')} events (1 in ${HIT_EVERY} hits): ${Math.round((EVENTS / match) * 1000).toLocaleString('en-US')} records/s, ${matched} matches`,
  );
  console.log(`peak RSS: ${peak()}`);
} finally {
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
}
