// The command enricher with real child processes (spec 07 §9 test 8 and the bad-input cases of issue 15).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseEnrichersConfig, type EnrichmentLoadOptions } from '@tsigma/enrichment';
import { detection, recordingMetrics, warnings } from '../builders.js';

const scripts = join(import.meta.dirname, '../fixtures/scripts');
const node = JSON.stringify(process.execPath);

async function commandPipeline(lines: string[], opts: EnrichmentLoadOptions = {}) {
  const text = `enrichers:\n  - id: cmd\n    kind: detection\n    type: command\n    inject_field: out\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
  return parseEnrichersConfig(text, 'enrichers.yml', opts);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('command enricher', () => {
  it('§9.8 a Node script printing {"argv": [...]} injects the object; env and stdin templates arrive', async () => {
    const p = await commandPipeline([
      `command: [${node}, ${JSON.stringify(join(scripts, 'argv.mjs'))}, "--user", "\${detection.fields.User}"]`,
      'env: { ENRICH_TEST: "rule ${detection.rule.id}" }',
      'stdin: "${detection.fields.User}"',
    ]);
    const [r] = await p.run([detection({ User: 'bob' })]);
    expect(r?.enrichments?.['out']).toEqual({ argv: ['--user', 'bob'], env: 'rule rule-1', stdin: 'bob' });
  });

  it('event values with shell syntax arrive as single argv entries and run nothing', async () => {
    const hostile = ['; rm -rf /', '$(id)', '`id`', 'a\nb', '\' " | & > /tmp/x', '${HOME}'];
    const p = await commandPipeline([
      `command: [${node}, ${JSON.stringify(join(scripts, 'argv.mjs'))}, "\${detection.fields.V}", "x\${detection.fields.V}"]`,
    ]);
    const out = await p.run(hostile.map((V) => detection({ V })));
    expect(out.map((r) => (r.enrichments?.['out'] as { argv: string[] }).argv)).toEqual(hostile.map((v) => [v, `x${v}`]));
  });

  it('§9.8 a script exiting 3 with boom on stderr: status skip, the warning contains exit 3: boom', async () => {
    const metrics = recordingMetrics();
    const logger = warnings();
    const p = await commandPipeline([`command: [${node}, ${JSON.stringify(join(scripts, 'fail.mjs'))}]`], { metrics, logger });
    const [r] = await p.run([detection()]);
    expect(r?.enrichments).toBeUndefined();
    expect(metrics.statuses('cmd')).toEqual(['skip']);
    expect(logger.lines.join('\n')).toContain('exit 3: boom');
  });

  it('a command that never exits is killed at the timeout: status timeout, on_error null', async () => {
    const metrics = recordingMetrics();
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-enrich-'));
    const pidFile = join(dir, 'pid');
    try {
      const hang = JSON.stringify(join(scripts, 'hang.mjs'));
      const p = await commandPipeline([`command: [${node}, ${hang}, ${JSON.stringify(pidFile)}]`, 'timeout: 2s', 'on_error: null'], {
        metrics,
      });
      const [r] = await p.run([detection()]);
      expect(r?.enrichments).toEqual({ out: null });
      expect(metrics.statuses('cmd')).toEqual(['timeout']);
      expect(existsSync(pidFile)).toBe(true);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 5000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stdout beyond max_stdout kills the child; output raw and lines', async () => {
    const logger = warnings();
    const flood = await commandPipeline([`command: [${node}, ${JSON.stringify(join(scripts, 'flood.mjs'))}]`, 'max_stdout: 100000'], {
      logger,
    });
    const [r] = await flood.run([detection()]);
    expect(r?.enrichments).toBeUndefined();
    expect(logger.lines.join('\n')).toContain('more than 100000 bytes');
    const lines = join(scripts, 'lines.mjs');
    const raw = await commandPipeline([`command: [${node}, ${JSON.stringify(lines)}]`, 'output: raw']);
    expect((await raw.run([detection()]))[0]?.enrichments?.['out']).toBe('a \r\n\r\nb\n  c  ');
    const list = await commandPipeline([`command: [${node}, ${JSON.stringify(lines)}]`, 'output: lines']);
    expect((await list.run([detection()]))[0]?.enrichments?.['out']).toEqual(['a ', 'b', '  c  ']);
  });

  it('output json that does not parse, and a missing executable, apply on_error', async () => {
    const metrics = recordingMetrics();
    const logger = warnings();
    const notJson = await commandPipeline([`command: [${node}, ${JSON.stringify(join(scripts, 'lines.mjs'))}]`, 'on_error: null'], {
      metrics,
      logger,
    });
    expect((await notJson.run([detection()]))[0]?.enrichments).toEqual({ out: null });
    const missing = await commandPipeline(['command: [/nonexistent/enricher-binary]'], { metrics, logger });
    expect((await missing.run([detection()]))[0]?.enrichments).toBeUndefined();
    expect(metrics.statuses('cmd')).toEqual(['error', 'skip']);
    expect(logger.lines.join('\n')).toContain('cannot run command /nonexistent/enricher-binary');
  });
});
