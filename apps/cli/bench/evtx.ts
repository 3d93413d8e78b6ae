// `.evtx` files in, results out, as an incident responder runs it (issue 13): every EVTX sample of the corpus,
// several passes over, through `tsigma eval` with all of SigmaHQ's rules (windows pipeline implied, logsource
// routing on), NDJSON written to a file; then the same run as a CSV timeline sorted by time. In process, so the
// peak memory is the run's own.
// Run: pnpm bench (after pnpm build), or node --import tsx bench/evtx.ts [passes]
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { corpusPath, exitWithoutCorpus } from '../../../test/corpus-root.js';
import type { CliIo, TextOut } from '../src/cli-io.js';
import { run } from '../src/run.js';

exitWithoutCorpus('cli bench (bench/evtx.ts)');
const PASSES = Number(process.argv[2] ?? 4);
const samples = readdirSync(corpusPath('evtx'))
  .filter((f) => f.endsWith('.evtx'))
  .map((f) => corpusPath('evtx', f));
const bytes = samples.reduce((n, f) => n + statSync(f).size, 0) * PASSES;
const dir = mkdtempSync(join(tmpdir(), 'tsigma-evtx-bench-'));

/** Stderr kept in memory (for the record count); stdout to a file. */
class Text implements TextOut {
  text = '';
  write(chunk: string, callback?: (error?: Error | null) => void): boolean {
    this.text += chunk;
    callback?.();
    return true;
  }
}

async function evalRun(label: string, extra: string[]): Promise<void> {
  const out = createWriteStream(join(dir, `${label}.out`));
  const stderr = new Text();
  const stdin = new PassThrough();
  stdin.end();
  const io: CliIo = { stdout: out, stderr, stdin, env: {} };
  const args = ['eval', '-r', corpusPath('sigmahq', 'rules'), '--log-level', 'error', ...extra];
  for (let p = 0; p < PASSES; p++) for (const f of samples) args.push('-i', f);
  const t0 = performance.now();
  const code = await run(args, io);
  await new Promise((resolve) => out.end(resolve));
  const secs = (performance.now() - t0) / 1000;
  const summary = /Processed (\d+) EVTX records, (\d+) detection matches/.exec(stderr.text);
  if (code !== 0 || summary === null) throw new Error(`${label}: exit ${code}\n${stderr.text}`);
  const records = Number(summary[1]);
  console.log(
    `${label}: ${records.toLocaleString('en-US')} records, ${summary[2]} hits in ${secs.toFixed(2)} s (rules loaded included): ` +
      `${Math.round(records / secs).toLocaleString('en-US')} records/s, ${(bytes / 2 ** 20 / secs).toFixed(1)} MiB/s`,
  );
}

console.log(
  `node ${process.version}; ${samples.length} EVTX samples × ${PASSES} passes (${(bytes / 2 ** 20).toFixed(1)} MiB), SigmaHQ rules/`,
);
try {
  await evalRun('ndjson', ['--output-format', 'ndjson']);
  await evalRun('csv timeline --sort time', ['--output-format', 'csv', '--sort', 'time']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
