// A correlation engine is fed events one by one: it runs the detection rules, counts their matches per group in
// a time window taken from the events' own timestamps, and returns the detections and any fired correlation.
import { parseSigmaYaml } from '@tsigma/parser';
import { CorrelationEngine, JsonEvent } from '@tsigma/eval';

const rules = parseSigmaYaml(`title: Failed Login
name: failed_login
logsource:
  product: linux
  service: auth
detection:
  selection:
    EventType: login_failed
  condition: selection
---
title: Brute Force
level: high
correlation:
  type: event_count
  rules:
    - failed_login
  group-by:
    - User
  timespan: 5m
  condition:
    gte: 3
`);

const engine = new CorrelationEngine({ suppressSecs: 300 });
const report = engine.addCollection(rules);
console.log(`loaded ${report.rulesLoaded} detection rule(s), ${report.errors.length} problem(s)`);

const start = Date.parse('2024-05-01T10:00:00Z');
for (let i = 0; i < 4; i++) {
  const timestamp = new Date(start + i * 30_000).toISOString();
  const { detections, correlations } = engine.processEvent(new JsonEvent({ timestamp, EventType: 'login_failed', User: 'alice' }));
  for (const c of correlations) {
    console.log(`${timestamp} ${c.rule_title}: ${c.aggregated_value} events for ${c.group_key.map(([k, v]) => `${k}=${v}`).join(',')}`);
  }
  if (correlations.length === 0) console.log(`${timestamp} ${detections.length} detection(s)`);
}
