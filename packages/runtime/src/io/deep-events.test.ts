// End to end: an event nested thousands of levels deep used to reach the result writer, which serializes events
// recursively (`includeEvent`) and died with a RangeError. It must be refused where it is read, like any bad line.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../../test/helpers.js';
import { MAX_EVENT_DEPTH } from '../input/event-depth.js';
import { LogProcessor } from '../log-processor.js';
import { runPipeline } from '../run-pipeline.js';
import { RuntimeEngine } from '../runtime-engine.js';
import { DeadLetterWriter } from './dead-letter.js';
import { openEventInputs, type EventInput } from './event-inputs.js';
import { FileSink } from './file-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'tsigma-deep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A matching event whose `n` key holds objects nested 6,000 levels deep. */
const deep = '{"CommandLine":"whoami deep","n":' + '{"n":'.repeat(6000) + '1' + '}'.repeat(6000) + '}';
const text = ['{"CommandLine":"whoami"}', deep, '{"CommandLine":"whoami /all"}'].join('\n') + '\n';

async function run(input: EventInput): Promise<{ commands: string[]; deadLetters: { error: string; origin: string }[] }> {
  const engine = new RuntimeEngine({ rulesPath: fixture('rules', 'whoami.yml'), includeEvent: true });
  await engine.loadRules();
  const out = join(dir, `results-${Math.random().toString(36).slice(2)}.ndjson`);
  const dlq = join(dir, `dlq-${Math.random().toString(36).slice(2)}.ndjson`);
  await runPipeline({
    source: openEventInputs([input], { format: { kind: 'auto' } }),
    processor: new LogProcessor(engine),
    sinks: [new FileSink(out)],
    format: { kind: 'auto' },
    deadLetter: new DeadLetterWriter(new FileSink(dlq)),
  });
  const lines = (path: string): unknown[] =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as unknown);
  return {
    commands: (lines(out) as { event: { CommandLine: string } }[]).map((r) => r.event.CommandLine),
    deadLetters: lines(dlq) as { error: string; origin: string }[],
  };
}

describe('events nested too deep', () => {
  const ndjson = join(dir, 'events.ndjson');
  const json = join(dir, 'events.json');
  writeFileSync(ndjson, text);
  writeFileSync(json, text);

  const cases: [string, EventInput, string][] = [
    ['an NDJSON file', { kind: 'file', path: ndjson }, `${ndjson}:2`],
    ['a .json file (JSON documents)', { kind: 'file', path: json }, `${json}:2`],
    ['a stream', { kind: 'stream', stream: Readable.from([Buffer.from(text)]), name: 'stdin' }, 'stdin:2'],
  ];
  it.each(cases)('are dead-lettered with their line from %s; the other events are written with their event', async (_, input, origin) => {
    const { commands, deadLetters } = await run(input);
    expect(commands).toEqual(['whoami', 'whoami /all']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.origin).toBe(origin);
    expect(deadLetters[0]?.error.startsWith(`parse error: JSON nested deeper than ${MAX_EVENT_DEPTH} levels`)).toBe(true);
  });
});
