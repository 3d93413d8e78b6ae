// Detection in two worker threads, correlation and delivery on this one: the results are those of one thread, in
// input order. Workers build their engines from the same rule path and pipeline references.
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { EvaluationResult } from '@tsigma/eval';
import { LogProcessor, ParallelLogProcessor, RuntimeEngine, runPipeline, StdinSource, type Sink } from '@tsigma/runtime';

// One rule: `CommandLine|contains: whoami` (test/fixtures/rules/whoami.yml).
const rulesPath = join(import.meta.dirname, '../test/fixtures/rules');
const engine = new RuntimeEngine({ rulesPath });
await engine.loadRules();
const processor = new LogProcessor(engine);
const parallel = await ParallelLogProcessor.start({ processor, spec: { engine: { rulesPath }, pipelineRefs: [] }, workers: 2 });

const seen: string[] = [];
const sink: Sink = {
  label: 'memory',
  send: (results: readonly EvaluationResult[]) => {
    for (const r of results)
      seen.push(`${r.rule_title}: ${JSON.stringify((r as { matched_fields?: { value: unknown }[] }).matched_fields?.[0]?.value)}`);
    return Promise.resolve();
  },
  sendRaw: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ CommandLine: i % 250 === 0 ? `whoami #${i}` : 'dir' }) + '\n');
const counts = await runPipeline({
  source: new StdinSource(Readable.from(lines), 'events'),
  processor,
  parallel,
  sinks: [sink],
  batchSize: 100,
});
await parallel.close();

for (const line of seen) console.log(line);
console.log(`received ${counts.received}, results ${counts.results}, workers ${parallel.size}`);
