// The one loop from a source to sinks, as `tsigma eval` and the daemon run it: lines in, results through a stage
// to two sinks, bad lines to the dead-letter sink, each input acknowledged once every sink has its results.
import { Readable } from 'node:stream';
import { join } from 'node:path';
import type { EvaluationResult } from '@tsigma/eval';
import { DeadLetterWriter, LogProcessor, RuntimeEngine, runPipeline, StdinSource, type ResultStage, type Sink } from '@tsigma/runtime';

// One rule: `CommandLine|contains: whoami` (test/fixtures/rules/whoami.yml).
const engine = new RuntimeEngine({ rulesPath: join(import.meta.dirname, '../test/fixtures/rules') });
await engine.loadRules();

/** A sink that keeps what it gets; real ones are StdoutSink, FileSink, NatsSink. */
function memorySink(label: string, lines: string[]): Sink {
  const keep = (...texts: string[]): Promise<void> => {
    for (const text of texts) lines.push(`${label}: ${text}`);
    return Promise.resolve();
  };
  return {
    label,
    send: (results: readonly EvaluationResult[]) => keep(...results.map((r) => r.rule_title)),
    sendRaw: (json: string) => keep((JSON.parse(json) as { error: string }).error),
    close: async () => {},
  };
}

// A result stage: enrichment and the alert pipeline plug in here. This one tags every result.
const tagHost: ResultStage = {
  name: 'tag-host',
  process: (results) => results.map((r) => ({ ...r, tags: [...r.tags, 'host.ws01'] })),
};

const out: string[] = [];
const input = Readable.from([
  '{"CommandLine":"whoami"}\n',
  '{"CommandLine":"dir"}\n',
  '{"CommandLine": \n',
  '{"CommandLine":"whoami /all"}\n',
]);
const counts = await runPipeline({
  source: new StdinSource(input, 'events'),
  processor: new LogProcessor(engine),
  format: { kind: 'json' },
  stages: [tagHost],
  sinks: [memorySink('alerts', out), memorySink('archive', out)],
  deadLetter: new DeadLetterWriter(memorySink('dlq', out)),
});

for (const line of out.sort()) console.log(line);
console.log(`received ${counts.received}, processed ${counts.processed}, dead-lettered ${counts.deadLettered}, results ${counts.results}`);
