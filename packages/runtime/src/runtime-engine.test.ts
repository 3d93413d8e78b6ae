import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonEvent, parsePipeline, silentLogger } from '@tsigma/eval';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, tempRules } from '../test/helpers.js';
import { RuntimeError } from './errors.js';
import { RuntimeEngine } from './runtime-engine.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function temp(...files: string[]): string {
  const t = tempRules(...files);
  cleanup = t.cleanup;
  return t.dir;
}

const quiet = {};

describe('RuntimeEngine', () => {
  it('loads a single rule file and evaluates a batch in order', async () => {
    const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml'), ...quiet });
    expect(engine.isLoaded).toBe(false);
    const stats = await engine.loadRules();
    expect(stats).toEqual({ detectionRules: 1, correlationRules: 0, filterRules: 0, stateEntries: 0, skipped: [], issues: [], files: 1 });
    const out = engine.processBatch([new JsonEvent({ CommandLine: 'ls' }), new JsonEvent({ CommandLine: 'cmd /c whoami' })]);
    expect(out.map((r) => r.detections.map((d) => d.rule_title))).toEqual([[], ['Whoami Execution']]);
    expect(out[1]?.detections[0]?.event).toBeUndefined();
    expect(engine.exportState()).toBeNull();
    expect(engine.introspectCorrelations()).toEqual({ correlations: [], groups: [] });
  });

  it('reads an event time from the timestamp fields, NaN without one', async () => {
    const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml') });
    await engine.loadRules();
    expect(engine.eventTime(new JsonEvent({ '@timestamp': '2024-06-26T14:40:00Z' }))).toBe(1719412800);
    expect(engine.eventTime(new JsonEvent({ CommandLine: 'ls' }))).toBeNaN();
  });

  it('loads a directory recursively with correlations, lists rules and fields', async () => {
    const dir = temp('rules/whoami.yml', 'reload/dir.yml', 'reload/brute-force.yml');
    const engine = new RuntimeEngine({ rulesPath: dir, includeEvent: true, ...quiet });
    const stats = await engine.loadRules();
    expect(stats).toMatchObject({ detectionRules: 3, correlationRules: 1, stateEntries: 0 });
    expect(engine.listRules().map((r) => [r.kind, r.title])).toEqual([
      ['detection', 'Failed Login'],
      ['detection', 'Directory Listing'],
      ['detection', 'Whoami Execution'],
      ['correlation', 'Brute Force Detection'],
    ]);
    expect(engine.listRules()[2]).toEqual({
      id: 'd5b8d8a0-0001-0000-0000-000000000001',
      title: 'Whoami Execution',
      level: 'medium',
      kind: 'detection',
      path: join(dir, 'whoami.yml'),
      tags: ['attack.discovery'],
    });
    const fields = engine.ruleFieldSet();
    expect([...fields.keys()]).toEqual(['CommandLine', 'EventType', 'User']);
    expect(fields.get('User')?.origins).toEqual(['correlation', 'metadata']);
    const [r] = engine.processBatch([new JsonEvent({ CommandLine: 'whoami' })]);
    expect(r?.detections[0]?.event).toEqual({ CommandLine: 'whoami' });
    const events = [1, 2].map((i) => new JsonEvent({ EventType: 'login_failed', User: 'bob', timestamp: 1000 + i }));
    engine.processBatch(events);
    expect(engine.stats().stateEntries).toBe(1);
    expect(engine.introspectCorrelations(undefined, 'bob')?.groups[0]).toMatchObject({ got: 2, met: false });
    const snapshot = engine.exportState();
    expect(snapshot).not.toBeNull();
    const other = new RuntimeEngine(engine.options);
    await other.loadRules();
    expect(other.importState(snapshot!)).toBe(true);
    expect(other.stats().stateEntries).toBe(1);
  });

  it('reports post-pipeline field names', async () => {
    const pipeline = parsePipeline(
      'name: ecs\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      CommandLine: process.command_line\n',
    );
    const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml'), pipelines: [pipeline], ...quiet });
    await engine.loadRules();
    expect([...engine.ruleFieldSet().keys()]).toEqual(['User', 'process.command_line']);
    const [r] = engine.processBatch([new JsonEvent({ process: { command_line: 'whoami' } })]);
    expect(r?.detections).toHaveLength(1);
  });

  it('rejects a broken rule with every issue named by file and document, unless skipInvalidRules', async () => {
    const dir = temp('rules/whoami.yml', 'reload/broken.yml');
    const strict = new RuntimeEngine({ rulesPath: dir, ...quiet });
    const err = await strict.loadRules().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('rule_load');
    expect((err as RuntimeError).subject).toBe(join(dir, 'broken.yml'));
    expect((err as RuntimeError).issues).toMatchObject([{ file: join(dir, 'broken.yml'), documentIndex: 0, code: 'unknown_modifier' }]);
    expect(strict.isLoaded).toBe(false);
    expect(() => strict.processBatch([])).toThrow(expect.objectContaining({ code: 'not_loaded' }));

    const warnings: string[] = [];
    const lenient = new RuntimeEngine({
      rulesPath: dir,
      skipInvalidRules: true,
      logger: { ...silentLogger, warn: (m: string) => warnings.push(m) },
    });
    const stats = await lenient.loadRules();
    expect(stats.detectionRules).toBe(1);
    expect(stats.skipped).toMatchObject([{ file: join(dir, 'broken.yml'), code: 'unknown_modifier' }]);
    expect(warnings.some((w) => w.includes('broken.yml'))).toBe(true);
    expect(lenient.listRules().map((r) => r.title)).toEqual(['Whoami Execution']);
  });

  it('re-reads pipeline files on every load and names a bad one', async () => {
    const dir = temp('rules/whoami.yml');
    const pipelinePath = join(dir, 'pipe.yaml.txt');
    writeFileSync(pipelinePath, 'name: p\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      CommandLine: cmd\n');
    const engine = new RuntimeEngine({ rulesPath: join(dir, 'whoami.yml'), pipelinePaths: [pipelinePath], ...quiet });
    await engine.loadRules();
    expect([...engine.ruleFieldSet().keys()]).toContain('cmd');
    writeFileSync(pipelinePath, 'name: p\ntransformations: [\n');
    await expect(engine.loadRules()).rejects.toMatchObject({ code: 'pipeline_load', subject: pipelinePath });
    expect([...engine.ruleFieldSet().keys()]).toContain('cmd'); // the previous load is still published
  });

  it('fails closed on pipelines that need dynamic sources', async () => {
    const pipeline = parsePipeline('name: dyn\nvars:\n  admins: "${source.admins}"\ntransformations: []\n');
    const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml'), pipelines: [pipeline], ...quiet });
    await expect(engine.loadRules()).rejects.toMatchObject({ code: 'sources_unavailable', subject: 'dyn' });
  });

  it('counts the correlation windows evicted at the state cap, and warns once per eviction round', async () => {
    const warnings: string[] = [];
    const engine = new RuntimeEngine({
      rulesPath: fixture('reload', 'brute-force.yml'),
      correlationConfig: { maxStateEntries: 10 },
      logger: { ...silentLogger, warn: (m: string) => warnings.push(m) },
    });
    await engine.loadRules();
    expect(engine.correlationStats()).toMatchObject({ liveWindows: 0, windowsEvictedByCap: 0 });
    const users = Array.from({ length: 30 }, (_, i) => new JsonEvent({ EventType: 'login_failed', User: `u${i}`, timestamp: 1000 + i }));
    engine.processBatch(users);
    const stats = engine.correlationStats();
    expect(stats.windowsEvictedByCap).toBeGreaterThan(0);
    expect(stats.liveWindows).toBeLessThanOrEqual(10);
    expect(warnings).toHaveLength(stats.capEvictionRounds);
  });

  it('rejects naming a rules path that does not exist', async () => {
    const engine = new RuntimeEngine({ rulesPath: '/nonexistent/rules', ...quiet });
    await expect(engine.loadRules()).rejects.toMatchObject({ code: 'rule_load', subject: '/nonexistent/rules' });
  });
});
