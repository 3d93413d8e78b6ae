// The load generator of the daemon bench, run as its own process: posts NDJSON batches over HTTP (keep-alive,
// a few requests in flight) or publishes to a NATS subject, for a fixed time, then prints one JSON line of counts.
// Run by bench/load.ts: node --import tsx bench/producer.ts http <url> <seconds> <lines-file> | nats <url> <subject> <seconds> <lines-file>
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { NatsSink } from '@tsigma/io-nats';

const [mode, target, a3, a4, a5] = process.argv.slice(2);
/** HTTP only: events per second to pace at (the soak); 0 = as fast as the daemon accepts. */
const RATE = mode === 'http' ? Number(a5 ?? 0) : 0;
/** Lines per request (HTTP) and messages in flight (NATS). */
const BATCH_LINES = 500;
const IN_FLIGHT = 4;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
}

if (mode === 'http') {
  const seconds = Number(a3);
  const lines = readFileSync(a4 as string, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const bodies: string[] = [];
  for (let i = 0; i + BATCH_LINES <= lines.length; i += BATCH_LINES) bodies.push(lines.slice(i, i + BATCH_LINES).join('\n') + '\n');
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const url = new URL('/api/v1/events', target);
  const latencies: number[] = [];
  let accepted = 0;
  let failed = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const post = (body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve((JSON.parse(text) as { accepted: number }).accepted)
              : reject(new Error(`${res.statusCode}: ${text}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      if (RATE > 0) {
        // Pace: the n-th batch of all workers together is due at n × BATCH_LINES / RATE seconds.
        const due = started + (next * BATCH_LINES * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const body = bodies[next++ % bodies.length] as string;
      const sent = performance.now();
      try {
        const n = await post(body);
        accepted += n;
        latencies.push(performance.now() - sent);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  agent.destroy();
  console.log(
    JSON.stringify({
      accepted,
      failed,
      requests: latencies.length,
      elapsed,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
    }),
  );
} else if (mode === 'nats') {
  const subject = a3 as string;
  const seconds = Number(a4);
  const lines = readFileSync(a5 as string, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const sink = await NatsSink.connect({ url: target as string }, subject);
  let published = 0;
  const end = performance.now() + seconds * 1000;
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      // One send of many raw lines is one publish each, awaited together: a pipelined producer.
      const chunk = Array.from({ length: 100 }, () => lines[next++ % lines.length] as string);
      await Promise.all(chunk.map((l) => sink.sendRaw(l)));
      published += chunk.length;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  await sink.close();
  console.log(JSON.stringify({ accepted: published, elapsed }));
} else {
  console.error('usage: producer.ts http <url> <seconds> <lines> | nats <url> <subject> <seconds> <lines>');
  process.exit(2);
}
