// `--log-level` and the correlation-state cap on the command line: the engine's warnings reach stderr, a warning
// repeated every eviction round is written once, and the summary counts what the cap evicted.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsigmaInProcess as tsigma } from './in-process.js';

const BRUTE = resolve(import.meta.dirname, 'fixtures/rules-brute');

/** Failed logins from `n` source addresses within one minute: one correlation window each. */
function loginsFrom(n: number): string {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ timestamp: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`, event_type: 'login_failure', src_ip: `10.0.0.${i}` }),
  ).join('\n');
}

const EVICTION_WARNING = /^tsigma: warn: correlation state reached 4 windows; evicted \d+ least recently updated windows/gm;
const SUMMARY = /^Correlation state: (\d+) windows evicted in (\d+) rounds at the cap of 4 \(--max-state-entries\)/m;

describe('correlation state evicted at the cap', () => {
  const args = ['eval', '-r', BRUTE, '--max-state-entries', '4', '--output-format', 'ndjson'];

  it('is reported once as a warning, counted in the summary, and the held-back repeats are counted', async () => {
    const r = await tsigma(args, loginsFrom(12));
    expect(r.code).toBe(0);
    expect(r.stderr.match(EVICTION_WARNING)).toHaveLength(1);
    const [, evicted, rounds] = SUMMARY.exec(r.stderr) ?? [];
    expect(Number(evicted)).toBeGreaterThanOrEqual(8);
    expect(Number(rounds)).toBeGreaterThan(1);
    expect(r.stderr).toContain(`tsigma: ${Number(rounds) - 1} repeated log line(s) not shown (--log-level debug shows every one)`);
  });

  it('--log-level debug writes every round; error and --quiet write none, and --quiet drops the summary too', async () => {
    const debug = await tsigma([...args, '--log-level', 'debug'], loginsFrom(12));
    const rounds = Number(SUMMARY.exec(debug.stderr)?.[2]);
    expect(debug.stderr.match(EVICTION_WARNING)).toHaveLength(rounds);
    const errorOnly = await tsigma([...args, '--log-level', 'error'], loginsFrom(12));
    expect(errorOnly.stderr).not.toMatch(EVICTION_WARNING);
    expect(errorOnly.stderr).toMatch(SUMMARY);
    const quiet = await tsigma([...args, '-q'], loginsFrom(12));
    expect(quiet.stderr).toBe('');
  });

  it('says nothing when the cap is not reached', async () => {
    const r = await tsigma(args, loginsFrom(3));
    expect(r.stderr).not.toContain('Correlation state');
    expect(r.stderr).not.toContain('tsigma: warn');
  });

  it('refuses an unknown --log-level or --color with the usage exit code', async () => {
    const level = await tsigma([...args, '--log-level', 'loud'], '');
    expect(level.code).toBe(3);
    expect(level.stderr).toBe('tsigma: --log-level must be one of debug, info, warn, error, not "loud"\n');
    expect((await tsigma([...args, '--color', 'purple'], '')).code).toBe(3);
  });
});
