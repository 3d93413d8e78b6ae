// PipelineSources wired into RuntimeEngine and LogProcessor: sources resolve on every load, and a refresh that
// changes a value rebuilds the engine through the reload path with the held values (spec 09 §4–5).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogProcessor, RuntimeEngine } from '@tsigma/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultSourceResolver, PipelineSources, SourceCache, type SourceUpdate } from '../../src/index.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { rejection } from '../helpers/sources.js';

const rules = join(import.meta.dirname, '../fixtures/rules');
let dir: string;
let server: FeedServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsigma-reload-'));
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function writePipeline(name: string, extra = ''): Promise<string> {
  const path = join(dir, `${name}.yml`);
  await writeFile(
    path,
    `name: ${name}
vars:
  blocklist: "\${source.ips}"
transformations:
  - type: value_placeholders
sources:
  - id: ips
    type: http
    url: ${server.url}/ips
    extract: .ips
    refresh: on_demand
${extra}`,
  );
  return path;
}

const event = (ip: string) => JSON.stringify({ DestinationIp: ip });
const fired = (processor: LogProcessor, ip: string) => processor.processBatchLines([event(ip)])[0]?.detections.length ?? 0;

describe('RuntimeEngine with PipelineSources', () => {
  it('resolves on load, and a changed value rebuilds the engine through the reload path', async () => {
    server.reply({ body: JSON.stringify({ ips: ['10.0.0.5', '203.0.113.42'] }) });
    const resolver = new DefaultSourceResolver({ cache: await SourceCache.open() });
    const sources = new PipelineSources({ resolver });
    const engine = new RuntimeEngine({ rulesPath: rules, pipelinePaths: [await writePipeline('dyn')], sources });
    await engine.loadRules();
    const processor = new LogProcessor(engine);
    expect(fired(processor, '203.0.113.42')).toBe(1);
    expect(fired(processor, '198.51.100.7')).toBe(0);

    const scheduler = sources.scheduler();
    const reloads: Promise<unknown>[] = [];
    const updates: SourceUpdate[] = [];
    scheduler.onUpdate((u) => {
      updates.push(u);
      if (u.changed) reloads.push(processor.reloadRules({ sources: 'latest' }));
    });
    const requestsBefore = server.requests();
    server.reply({ body: JSON.stringify({ ips: ['198.51.100.7'] }) });
    expect(scheduler.trigger({ kind: 'all' })).toBe('started');
    await scheduler.idle();
    await Promise.all(reloads);
    // One fetch by the trigger; the rebuild used the held value instead of fetching again.
    expect(server.requests() - requestsBefore).toBe(1);
    expect(updates).toEqual([{ id: 'ips', value: ['198.51.100.7'], changed: true }]);
    expect(fired(processor, '203.0.113.42')).toBe(0);
    expect(fired(processor, '198.51.100.7')).toBe(1);

    // A failed refresh never rebuilds: the rules keep the last good value.
    server.reply({ status: 500 });
    scheduler.trigger({ kind: 'all' });
    await scheduler.idle();
    expect(fired(processor, '198.51.100.7')).toBe(1);
    await scheduler.stop();
  });

  it('a reload whose required source fails keeps the previous engine', async () => {
    server.reply({ body: JSON.stringify({ ips: ['10.0.0.5'] }) });
    const resolver = new DefaultSourceResolver();
    const path = await writePipeline('strict_dyn', '    on_error: fail\n');
    const engine = new RuntimeEngine({ rulesPath: rules, pipelinePaths: [path], sources: new PipelineSources({ resolver }) });
    await engine.loadRules();
    const processor = new LogProcessor(engine);
    server.reply({ status: 502, body: 'bad gateway' });
    const err = await rejection(processor.reloadRules());
    expect(err).toMatchObject({ code: 'source_load' });
    expect(err.message).toContain("source 'ips'");
    expect(processor.currentEngine()).toBe(engine);
    expect(fired(processor, '10.0.0.5')).toBe(1);
  });

  it('a reference no declaration provides is a load error naming the source; without a hook it is sources_unavailable', async () => {
    const path = join(dir, 'undeclared.yml');
    await writeFile(
      path,
      'name: undeclared\nvars:\n  blocklist: "${source.ip_blocklist}"\ntransformations:\n  - type: value_placeholders\n',
    );
    const withHook = new RuntimeEngine({
      rulesPath: rules,
      pipelinePaths: [path],
      sources: new PipelineSources({ resolver: new DefaultSourceResolver() }),
    });
    const err = await rejection(withHook.loadRules());
    expect(err).toMatchObject({ code: 'source_load' });
    expect(err.message).toContain("'ip_blocklist'");
    const without = new RuntimeEngine({ rulesPath: rules, pipelinePaths: [path] });
    const err2 = await rejection(without.loadRules());
    expect(err2).toMatchObject({ code: 'sources_unavailable' });
    expect(err2.message).toContain("'ip_blocklist'");
  });

  it('an include of a file source holding two transformations splices both; metrics see every resolution', async () => {
    await writeFile(
      join(dir, 'mappings.json'),
      JSON.stringify([
        { id: 'map_dst', type: 'field_name_mapping', mapping: { DestinationIp: 'dst.ip' } },
        { id: 'tag_it', type: 'set_custom_attribute', attribute: 'feed', value: 'on' },
      ]),
    );
    const path = join(dir, 'include.yml');
    await writeFile(
      path,
      `name: include\ntransformations:\n  - include: "\${source.mappings}"\nsources:\n  - id: mappings\n    type: file\n    path: mappings.json\n`,
    );
    const calls: string[] = [];
    const metrics = {
      onSourceResolve: (id: string, type: string) => calls.push(`ok ${id} ${type}`),
      onSourceResolveError: (id: string, kind: string) => calls.push(`error ${id} ${kind}`),
      setSourceLastResolved: (id: string) => calls.push(`last ${id}`),
    };
    const resolver = new DefaultSourceResolver({ metrics });
    const engine = new RuntimeEngine({ rulesPath: rules, pipelinePaths: [path], sources: new PipelineSources({ resolver }) });
    await engine.loadRules();
    const processor = new LogProcessor(engine);
    // The rule's DestinationIp now reads dst.ip; with no blocklist pipeline '%blocklist%' stays literal.
    expect(engine.fieldMappings()).toEqual(
      expect.arrayContaining([expect.objectContaining({ original: 'DestinationIp', mappedTo: ['dst.ip'] })]),
    );
    const dst = processor.processBatchLines([JSON.stringify({ 'dst.ip': '%blocklist%' })])[0]?.detections ?? [];
    expect(dst.map((d) => d.rule_title)).toEqual(['Connection To Blocklisted Address']);
    expect(fired(processor, '%blocklist%')).toBe(0);
    expect(calls).toEqual(['ok mappings file', 'last mappings']);
  });
});
