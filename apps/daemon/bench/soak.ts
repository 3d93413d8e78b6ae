// Soak run of tsigmad (issue 18): HTTP input at a fixed rate for a long time with a reload every 10 s; reports RSS
// after the first minute and at the end, and checks that every accepted event was processed (none lost).
// Run: node --import tsx bench/soak.ts [seconds=600] [events/s=20000]   (flat Sysmon events, rules/windows + sysmon,
// --workers 1; not part of `pnpm bench`)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEvents } from '../../../packages/eval/bench/data.js';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';

exitWithoutCorpus('daemon soak');
const BIN = resolve(import.meta.dirname, '../dist/main.js');
const PRODUCER = resolve(import.meta.dirname, 'producer.ts');
const SECONDS = Number(process.argv[2] ?? 600);
const RATE = Number(process.argv[3] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'tsigmad-soak-'));
const lines = join(dir, 'events.ndjson');
writeFileSync(
  lines,
  generateEvents(50_000)
    .map((e) => JSON.stringify(e))
    .join('\n') + '\n',
);
const port = 20000 + Math.floor(Math.random() * 20000);
const base = `http://127.0.0.1:${port}`;
const daemon = spawn(
  process.execPath,
  [
    BIN,
    '-r',
    corpusPath('sigmahq', 'rules', 'windows'),
    '-p',
    'sysmon',
    '--skip-invalid-rules',
    '--workers',
    '1',
    '--input',
    'http',
    '--output',
    'file:///dev/null',
    '--api-addr',
    `127.0.0.1:${port}`,
    '--log-level',
    'warn',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
};
const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${daemon.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
try {
  for (;;) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 300));
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rss()), 1000);
  const reloader = setInterval(() => void fetch(`${base}/api/v1/reload`, { method: 'POST' }), 10_000);
  const producer = spawn(process.execPath, ['--import', 'tsx', PRODUCER, 'http', base, String(SECONDS), lines, String(RATE)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  producer.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  await new Promise((r) => producer.once('exit', r));
  clearInterval(reloader);
  const produced = JSON.parse(out.trim()) as { accepted: number; failed: number; p50_ms: number; p99_ms: number };
  let processed = 0;
  for (let last = -1; ; last = processed) {
    processed = await metric('tsigma_events_processed_total');
    if (processed >= produced.accepted || processed === last) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  clearInterval(sampler);
  const reloads = await metric('tsigma_reloads_total');
  const failedReloads = await metric('tsigma_reloads_failed_total');
  const first = samples[59] ?? samples[0] ?? 0;
  const last = samples.at(-1) ?? 0;
  console.log(`soak: ${SECONDS} s at ${RATE} events/s, rules/windows + sysmon, --workers 1, reload every 10 s`);
  console.log(
    `  accepted ${produced.accepted}, processed ${processed}, lost ${produced.accepted - processed}, failed requests ${produced.failed}`,
  );
  console.log(
    `  reloads ${reloads} (${failedReloads} failed); request latency p50 ${produced.p50_ms.toFixed(1)} ms, p99 ${produced.p99_ms.toFixed(1)} ms`,
  );
  console.log(
    `  RSS after 1 min ${first.toFixed(0)} MiB, at the end ${last.toFixed(0)} MiB (${(((last - first) / first) * 100).toFixed(1)} %), peak ${Math.max(...samples).toFixed(0)} MiB`,
  );
} finally {
  daemon.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
