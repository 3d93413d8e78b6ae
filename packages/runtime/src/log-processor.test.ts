import { cpSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectionResult, Pipeline, ProcessResult } from '@tsigma/eval';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixture, tempRules } from '../test/helpers.js';
import { createEventFilter } from './event-filter.js';
import { LogProcessor } from './log-processor.js';
import type { BatchPhase, MetricsHook } from './metrics.js';
import { flattenResults } from './results.js';
import { RuntimeEngine, type SourceExpansionMode } from './runtime-engine.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

async function processorFor(rulesPath: string, metrics?: MetricsHook): Promise<LogProcessor> {
  const engine = new RuntimeEngine({ rulesPath });
  await engine.loadRules();
  return new LogProcessor(engine, metrics);
}

function titles(results: ReturnType<LogProcessor['processBatchLines']>): string[][] {
  return results.map((r) => flattenResults(r).map((x) => x.rule_title));
}

const login = (user: string, ts: number): string => JSON.stringify({ EventType: 'login_failed', User: user, timestamp: ts });

describe('LogProcessor batches', () => {
  it('§11.1: blank lines are empty results, bad lines are parse errors, order is kept', async () => {
    const p = await processorFor(fixture('rules', 'whoami.yml'));
    const out = p.processBatchWithFormatDetailed(['{"CommandLine":"whoami"}', '', 'not json', '{"CommandLine":"dir"}'], { kind: 'json' });
    expect(out.results).toHaveLength(4);
    expect(titles(out.results)).toEqual([['Whoami Execution'], [], [], []]);
    expect(out.parseErrors).toHaveLength(1);
    expect(out.parseErrors[0]).toMatchObject({ index: 2 });
    expect(out.parseErrors[0]?.oversize).toBeUndefined();
    expect(p.processBatchLines(['{"CommandLine":"whoami"}', '  '])).toHaveLength(2);
  });

  it('§11.2: jq `.records[]` turns one line into two events whose results stay on that line', async () => {
    const p = await processorFor(fixture('rules', 'whoami.yml'));
    const filter = await createEventFilter({ jq: '.records[]' });
    const out = p.processBatchLines(['{"records":[{"CommandLine":"whoami"},{"CommandLine":"whoami /all"}]}', '{"records":[]}'], filter);
    expect(out[0]?.detections).toHaveLength(2);
    expect(out[0]?.detections.map((d) => d.matched_fields[0]?.value)).toEqual(['whoami', 'whoami /all']);
    expect(out[1]).toEqual({ detections: [], correlations: [] });
  });

  it('merges filter outputs of 200,000 results each onto their line (no argument spread)', async () => {
    const p = await processorFor(fixture('rules', 'whoami.yml'));
    const [one] = p.processBatchLines(['{"CommandLine":"whoami"}']);
    const hit = one?.detections[0] as DetectionResult;
    // As if 200,000 rules matched each event: loading that many rules would take most of a minute.
    const many = (): ProcessResult => ({ detections: new Array<DetectionResult>(200_000).fill(hit), correlations: [] });
    vi.spyOn(p.currentEngine(), 'correlateBatch').mockImplementation((_events, detections) => detections.map(many));
    const filter = await createEventFilter({ jq: '.records[]' });
    const [merged] = p.processBatchLines(['{"records":[{"a":1},{"a":2},{"a":3}]}'], filter);
    expect(merged?.detections).toHaveLength(600_000);
  });

  it('filters: non-object outputs and runtime errors are parse errors; key/value lines bypass the filter', async () => {
    let parseErrors = 0;
    const p = await processorFor(fixture('rules', 'whoami.yml'), { onParseError: () => parseErrors++ });
    const filter = await createEventFilter({ jq: '.records[]' });
    const out = p.processBatchWithFormatDetailed(
      ['{"records":[{"CommandLine":"whoami"},1,"x"]}', '[1,2]', 'CommandLine=whoami', 'not json'],
      { kind: 'auto' },
      filter,
    );
    expect(titles(out.results)).toEqual([['Whoami Execution'], [], [], []]);
    expect(out.parseErrors.map((e) => e.index)).toEqual([0, 1]);
    expect(out.parseErrors[1]?.error).toMatch(/^filter error/);
    expect(parseErrors).toBe(3);
    const logfmt = p.processBatchWithFormat(['CommandLine=whoami'], { kind: 'logfmt' }, filter);
    expect(titles(logfmt)).toEqual([['Whoami Execution']]);
  });

  it('per-line formats override the batch format, and oversize lines are flagged', async () => {
    const p = await processorFor(fixture('rules', 'whoami.yml'));
    const big = `{"CommandLine":"${'a'.repeat(1_048_576)}"}`;
    const out = p.processBatchWithFormatDetailed(
      ['CommandLine=whoami', { line: '{"CommandLine":"whoami"}', format: { kind: 'json' } }, big],
      {
        kind: 'logfmt',
      },
    );
    expect(titles(out.results)).toEqual([['Whoami Execution'], ['Whoami Execution'], []]);
    expect(out.parseErrors).toEqual([{ index: 2, error: 'line exceeds 1048576 bytes', oversize: true }]);
  });

  it('reports metrics for every phase, match and event', async () => {
    const calls: Record<string, unknown[][]> = {};
    const record =
      (name: string) =>
      (...args: unknown[]): void => {
        (calls[name] ??= []).push(args);
      };
    const metrics: MetricsHook = {
      onEventsProcessed: record('events'),
      onDetectionMatches: record('detections'),
      onCorrelationMatches: record('correlations'),
      onDetectionMatchDetail: record('detail'),
      observeProcessingLatency: record('latency'),
      observeBatchPhaseDuration: record('phase'),
      observeBatchSize: record('size'),
      setCorrelationStateEntries: record('state'),
      onParseError: record('parse'),
    };
    const p = await processorFor(fixture('rules', 'whoami.yml'), metrics);
    p.processBatchLines(['{"CommandLine":"whoami"}', '{"CommandLine":"ls"}', 'bad']);
    expect(calls.events).toEqual([[2]]);
    expect(calls.detections).toEqual([[1]]);
    expect(calls.correlations).toEqual([[0]]);
    expect(calls.detail).toEqual([['Whoami Execution', 'medium']]);
    expect(calls.latency).toHaveLength(2);
    expect(calls.phase?.map((c) => c[0] as BatchPhase)).toEqual(['parse', 'decode_merge', 'evaluate', 'result_merge']);
    expect(calls.size).toEqual([[3]]);
    expect(calls.state).toEqual([[0]]);
    expect(calls.parse).toHaveLength(1);
  });

  it('refuses an engine that was never loaded', () => {
    expect(() => new LogProcessor(new RuntimeEngine({ rulesPath: 'x' }))).toThrow(expect.objectContaining({ code: 'not_loaded' }));
  });
});

describe('LogProcessor hot reload', () => {
  it('§11.7: a batch during a reload uses the old rules, the next the new; correlation state carries over', async () => {
    const t = tempRules('rules/whoami.yml', 'reload/brute-force.yml');
    cleanup = t.cleanup;
    const p = await processorFor(t.dir);
    const before = p.processBatchLines([1, 2, 3, 4].map((i) => login('bob', 1000 + i)));
    expect(before.every((r) => r.correlations.length === 0)).toBe(true);
    expect(p.currentEngine().stats().stateEntries).toBe(1);

    cpSync(fixture('reload', 'dir.yml'), join(t.dir, 'dir.yml'));
    const old = p.currentEngine();
    const reload = p.reloadRules();
    const during = p.processBatchLines(['{"CommandLine":"whoami"}', '{"CommandLine":"dir C:\\\\"}']);
    expect(titles(during)).toEqual([['Whoami Execution'], []]);
    const stats = await reload;
    expect(p.currentEngine()).not.toBe(old);
    expect(stats).toMatchObject({ detectionRules: 3, correlationRules: 1, stateEntries: 1 });
    const after = p.processBatchLines(['{"CommandLine":"whoami"}', '{"CommandLine":"dir C:\\\\"}']);
    expect(titles(after)).toEqual([['Whoami Execution'], ['Directory Listing']]);

    const fifth = p.processBatchLines([login('bob', 1005)]);
    expect(fifth[0]?.correlations.map((c) => [c.rule_title, c.aggregated_value])).toEqual([['Brute Force Detection', 5]]);
  });

  it('§11.8: a broken rule file rejects naming the file and the old engine keeps working', async () => {
    const t = tempRules('rules/whoami.yml');
    cleanup = t.cleanup;
    const p = await processorFor(t.dir);
    const lines = ['{"CommandLine":"whoami"}', '{"CommandLine":"ls"}'];
    const expected = p.processBatchLines(lines);
    const old = p.currentEngine();
    cpSync(fixture('reload', 'broken.yml'), join(t.dir, 'broken.yml'));
    await expect(p.reloadRules()).rejects.toMatchObject({ code: 'rule_load', subject: join(t.dir, 'broken.yml') });
    expect(p.currentEngine()).toBe(old);
    expect(p.processBatchLines(lines)).toEqual(expected);
  });

  it('serialises concurrent reloads: calls during a reload share exactly one follow-up run', async () => {
    const t = tempRules('rules/whoami.yml');
    cleanup = t.cleanup;
    const p = await processorFor(t.dir);
    const engines = new Set([p.currentEngine()]);
    const first = p.reloadRules();
    const second = p.reloadRules();
    const third = p.reloadRules();
    expect(third).toBe(second);
    await first;
    engines.add(p.currentEngine());
    await second;
    engines.add(p.currentEngine());
    expect(engines.size).toBe(3);
    await p.reloadRules();
    expect(p.currentEngine()).not.toBe([...engines][2]);
  });

  it('passes the source mode to the load; a follow-up standing for several calls fetches if any of them asked to', async () => {
    const t = tempRules('rules/whoami.yml');
    cleanup = t.cleanup;
    const modes: string[] = [];
    // A real hook that expands nothing: it records how each load asked for sources.
    const sources = {
      expandPipelines: (ps: readonly Pipeline[], mode: SourceExpansionMode) => {
        modes.push(mode);
        return Promise.resolve([...ps]);
      },
    };
    const engine = new RuntimeEngine({ rulesPath: t.dir, sources });
    await engine.loadRules();
    const p = new LogProcessor(engine);
    await p.reloadRules({ sources: 'latest' });
    const running = p.reloadRules({ sources: 'latest' });
    const followUp = p.reloadRules({ sources: 'latest' });
    expect(p.reloadRules()).toBe(followUp);
    await running;
    await followUp;
    expect(modes).toEqual(['resolve', 'latest', 'latest', 'resolve']);
  });

  it('a failing source hook rejects the load with source_load and keeps the previous engine', async () => {
    const t = tempRules('rules/whoami.yml');
    cleanup = t.cleanup;
    let fail = false;
    const sources = {
      expandPipelines: (ps: readonly Pipeline[]) => (fail ? Promise.reject(new Error("source 'ips': HTTP 500")) : Promise.resolve([...ps])),
    };
    const engine = new RuntimeEngine({ rulesPath: t.dir, sources });
    await engine.loadRules();
    const p = new LogProcessor(engine);
    fail = true;
    await expect(p.reloadRules()).rejects.toMatchObject({ code: 'source_load' });
    expect(p.currentEngine()).toBe(engine);
  });

  it('under load: 100 reloads while batches flow, no event lost or doubled, switches only between batches', async () => {
    const t = tempRules();
    cleanup = t.cleanup;
    const rulePath = join(t.dir, 'versioned.yml');
    const writeVersion = (v: number): void => {
      const tmp = join(t.dir, '.next');
      writeFileSync(
        tmp,
        `title: version ${v}\nid: 00000000-0000-0000-0000-000000000001\nlogsource:\n  product: test\ndetection:\n  selection:\n    kind: probe\n  condition: selection\nlevel: low\n`,
      );
      renameSync(tmp, rulePath); // atomic, so a reload never reads half a file
    };
    writeVersion(0);
    const p = await processorFor(t.dir);

    const RELOADS = 100;
    const BATCH = 25;
    let reloadsDone = 0;
    let stop = false;
    const batchVersions: number[] = [];
    const firstBatchAfter: number[] = [];
    const seen = new Map<number, number>();
    let produced = 0;

    const producer = (async () => {
      while (!stop) {
        const ids = Array.from({ length: BATCH }, () => produced++);
        const out = p.processBatchLines(ids.map((id) => JSON.stringify({ kind: 'probe', id })));
        const versions = new Set<number>();
        out.forEach((r, i) => {
          expect(r.detections).toHaveLength(1);
          const id = ids[i] as number;
          seen.set(id, (seen.get(id) ?? 0) + 1);
          versions.add(Number(r.detections[0]?.rule_title.split(' ')[1]));
        });
        expect(versions.size).toBe(1); // a whole batch sees one engine
        batchVersions.push([...versions][0] as number);
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let v = 1; v <= RELOADS; v++) {
      writeVersion(v);
      await p.reloadRules();
      reloadsDone++;
      firstBatchAfter[v] = batchVersions.length;
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
    stop = true;
    await producer;

    expect(reloadsDone).toBe(RELOADS);
    expect(seen.size).toBe(produced);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (let i = 1; i < batchVersions.length; i++) expect(batchVersions[i]).toBeGreaterThanOrEqual(batchVersions[i - 1] as number);
    for (let v = 1; v <= RELOADS; v++) {
      const next = batchVersions[firstBatchAfter[v] as number];
      if (next !== undefined) expect(next).toBeGreaterThanOrEqual(v);
    }
    expect(batchVersions.at(-1)).toBe(RELOADS);
    expect(new Set(batchVersions).size).toBeGreaterThan(RELOADS / 2); // batches really interleaved with reloads
  });
});
