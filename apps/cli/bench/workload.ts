// The correlation workload of packages/eval/bench/correlation.ts written as files a user would give `tsigma eval`:
// six detection rules and four correlations (event_count, value_count, temporal_ordered, value_sum) as YAML, and
// NDJSON events over N users. Deterministic: the same arguments give the same bytes. Shared by the CLI bench and
// the recorded-output test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KINDS = ['login', 'access', 'step_a', 'step_b', 'step_c', 'upload'] as const;
/** Events per second of event time, as in the eval bench: 1M events span about 2.8 hours. */
const EVENTS_PER_SECOND = 100;
/** 2023-11-14T22:13:20Z. */
const BASE_TIME = 1_700_000_000;

const detectionRule = (kind: string): string => `title: ${kind}
id: ${kind}
name: ${kind}
status: test
logsource: { category: app }
detection:
  selection:
    kind: ${kind}
  condition: selection
level: low
`;

const CORRELATIONS = `title: many logins
id: c-count
correlation:
  type: event_count
  rules: [login]
  group-by: [user]
  timespan: 10m
  condition: { gte: 5 }
level: medium
---
title: many files
id: c-distinct
correlation:
  type: value_count
  rules: [access]
  group-by: [user]
  timespan: 15m
  condition: { gte: 4, field: file }
level: medium
---
title: kill chain
id: c-ordered
correlation:
  type: temporal_ordered
  rules: [step_a, step_b, step_c]
  group-by: [user]
  timespan: 30m
level: high
---
title: exfiltration
id: c-sum
correlation:
  type: value_sum
  rules: [upload]
  group-by: [user]
  timespan: 20m
  condition: { gt: 40000, field: bytes }
level: high
`;

// xorshift32, as in the eval bench, so the stream is identical across runs.
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

/** Writes `rules/` and `events.ndjson` under `dir`; returns their paths. */
export function writeCorrelationWorkload(dir: string, events: number, groups: number): { rules: string; events: string } {
  const rules = join(dir, 'rules');
  mkdirSync(rules, { recursive: true });
  for (const kind of KINDS) writeFileSync(join(rules, `${kind}.yml`), detectionRule(kind));
  writeFileSync(join(rules, 'correlations.yml'), CORRELATIONS);
  const rnd = random(42);
  const pool: string[] = [];
  for (let g = 0; g < groups; g++) {
    for (const kind of KINDS) {
      pool.push(`"kind":"${kind}","user":"user${g}","file":"f${Math.floor(rnd() * 8)}","bytes":${Math.floor(rnd() * 20_000)}`);
    }
  }
  const lines: string[] = [];
  for (let i = 0; i < events; i++) {
    const at = new Date((BASE_TIME + Math.floor(i / EVENTS_PER_SECOND)) * 1000).toISOString();
    lines.push(`{"timestamp":"${at}",${pool[Math.floor(rnd() * pool.length)]}}`);
  }
  const eventsPath = join(dir, 'events.ndjson');
  writeFileSync(eventsPath, lines.join('\n') + '\n');
  return { rules, events: eventsPath };
}
