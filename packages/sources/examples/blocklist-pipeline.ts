// Load rules through a pipeline whose var comes from a dynamic source: RuntimeEngine resolves the source on every
// load, and a RefreshScheduler rebuilds the engine (through LogProcessor's reload path) when the value changes.
import { join } from 'node:path';
import { LogProcessor, RuntimeEngine } from '@tsigma/runtime';
import { DefaultSourceResolver, PipelineSources, SourceCache } from '@tsigma/sources';

const fixtures = join(import.meta.dirname, '../test/fixtures');

const resolver = new DefaultSourceResolver({ cache: await SourceCache.open() });
const sources = new PipelineSources({ resolver });
const engine = new RuntimeEngine({
  rulesPath: join(fixtures, 'rules'),
  pipelinePaths: [join(fixtures, 'pipelines/blocklist.yml')],
  sources,
});
await engine.loadRules();
console.log(`ip_blocklist = ${JSON.stringify(resolver.latestValues().get('ip_blocklist'))}`);

const processor = new LogProcessor(engine);
for (const ip of ['203.0.113.42', '198.51.100.7']) {
  const [result] = processor.processBatchLines([JSON.stringify({ DestinationIp: ip })]);
  console.log(`${ip}: ${result?.detections.map((d) => d.rule_title).join(', ') || 'no match'}`);
}

// Watch the feed file; a changed value rebuilds the rules with the values already resolved (no second fetch).
const scheduler = sources.scheduler();
scheduler.onUpdate((update) => {
  if (update.changed) void processor.reloadRules({ sources: 'latest' });
});
scheduler.start();
console.log(
  scheduler
    .status()
    .map((s) => `${s.source_id}: ${s.status} (${s.refresh})`)
    .join('\n'),
);
await scheduler.stop();
