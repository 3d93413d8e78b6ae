// The CLI fuzz (scripts/fuzz-cli.mjs, issue 12) at a small size: mutated rules, events and EVTX files through every
// command; no run may exit outside 0–4, print a stack trace or hang. The seed is fixed so a failure here replays with
// the command the fuzz prints; TSIGMA_FUZZ_SEED picks another. Larger runs: `node scripts/fuzz-cli.mjs --runs 3000`.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, '../../../scripts/fuzz-cli.mjs');
const SEED = process.env['TSIGMA_FUZZ_SEED'] ?? '20261207';

interface FuzzSummary {
  seed: number;
  runs: number;
  failures: number;
  notes: string[];
  failed: { run: number; scenario: string; why: string; mutations: string[] }[];
}

describe('fuzz-cli', () => {
  it('runs the CLI over mutated inputs without a crash, a stack trace or a hang', () => {
    // The run budget stops new runs after 25 s; the per-run timeout only catches hangs, so it is generous.
    const args = [SCRIPT, '--seed', SEED, '--runs', '80', '--seconds', '25', '--timeout', '30000', '--json'];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 100_000 });
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as FuzzSummary;
    for (const note of summary.notes ?? []) process.stderr.write(`fuzz-cli: ${note}\n`);
    expect(summary.failed, r.stderr).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
    expect(summary.runs).toBeGreaterThan(0);
  }, 120_000);
});
