// Shared fixtures of the NATS suites (spec 06 §6): rules written to a temp dir, the processor built the way
// the daemon builds it, and "process a message" (evaluate, publish the flat results of spec 05 §1, then ack).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCorrelationConfig, type ProcessResult } from '@tsigma/eval';
import { flattenResults, LogProcessor, NoopMetrics, RuntimeEngine, type InputFormat, type RawEvent, type Sink } from '@tsigma/runtime';

/** Writes `files` (name → YAML) into a fresh temp dir; returns the dir and a remover. */
export async function writeRules(files: Record<string, string>): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tsigma-rules-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `buildProcessor(dir)` of spec 06 §6. */
export async function buildProcessor(dir: string): Promise<LogProcessor> {
  const engine = new RuntimeEngine({ rulesPath: dir, pipelines: [], correlationConfig: defaultCorrelationConfig(), includeEvent: false });
  await engine.loadRules();
  return new LogProcessor(engine, new NoopMetrics());
}

export const JSON_FORMAT: InputFormat = { kind: 'json' };

/**
 * Processes one message: evaluates it, sends its flat results (one message per `EvaluationResult`, detections
 * before correlations) to each sink in order, then acks. Returns the results so scenarios can count them.
 */
export async function processMessage(
  processor: LogProcessor,
  raw: RawEvent,
  format: InputFormat,
  sinks: readonly Sink[],
): Promise<ProcessResult[]> {
  const results = processor.processBatchWithFormat([raw.payload], format);
  for (const r of results) {
    const flat = flattenResults(r);
    if (flat.length === 0) continue;
    for (const sink of sinks) await sink.send(flat);
  }
  await raw.ackToken.ack();
  return results;
}

export const RULE_WHOAMI = `
title: Detect Whoami Execution
id: d5b8d8a0-0001-0000-0000-000000000001
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        CommandLine|contains: 'whoami'
    condition: selection
level: medium
`;

export const RULE_FAILED_LOGIN = `
title: Failed Login
id: f0f0f0f0-0001-0000-0000-000000000001
logsource:
    product: generic
    service: auth
detection:
    selection:
        eventType: 'login.failed'
    condition: selection
level: low
`;

/** event_count over Failed Login; `groupBy` and threshold vary per suite. */
export function bruteForceCorrelation(groupBy: string, gte: number): string {
  return `
title: Brute Force Detection
id: f0f0f0f0-0002-0000-0000-000000000001
correlation:
    type: event_count
    rules:
        - f0f0f0f0-0001-0000-0000-000000000001
    group-by:
        - ${groupBy}
    timespan: 5m
    condition:
        gte: ${gte}
level: high
`;
}
