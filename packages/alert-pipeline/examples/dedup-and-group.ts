// Fold repeated detections into one alert per (rule, source IP), gather them into incidents per source IP, and
// advance the timers on a simulated clock (integer Unix seconds), as the daemon does once per second.
import type { DetectionResult } from '@tsigma/eval';
import { AlertPipelineState, parseAlertPipelineConfig } from '@tsigma/alert-pipeline';

const pipeline = parseAlertPipelineConfig(
  `
dedup:
  fingerprint: [rule, match.SourceIp]
  repeat_interval: 1m
group:
  by: [match.SourceIp]
  group_wait: 30s
silences:
  - matchers: [{ selector: match.SourceIp, op: "=~", value: "192\\\\.168\\\\..*" }]
    comment: lab network
`,
  'alerts.yml',
);
const state = new AlertPipelineState();
pipeline.install(state); // seeds the static silence

function failedLogin(ip: string): DetectionResult {
  return {
    rule_title: 'Failed Login',
    rule_id: 'failed-login',
    level: 'medium',
    author: null,
    tags: [],
    matched_selections: ['selection'],
    matched_fields: [{ field: 'SourceIp', value: ip }],
  };
}

const t0 = 1_767_225_600; // 2026-01-01T00:00:00Z
for (const [dt, ip] of [
  [0, '10.0.0.1'],
  [5, '10.0.0.1'],
  [10, '192.168.1.7'],
  [20, '10.0.0.2'],
] as const) {
  const delivered = pipeline.process([failedLogin(ip)], state, t0 + dt);
  const note = delivered.map((r) => `delivered, incident ${String(r.enrichments?.['incident_id'])}`).join('') || 'held back';
  console.log(`t+${dt} ${ip}: ${note}`);
}

for (const dt of [30, 60]) {
  const { dedupLines, incidents } = pipeline.tick(state, t0 + dt);
  for (const { enrichments: e } of dedupLines)
    console.log(`t+${dt} dedup ${String(e?.['dedup_state'])} x${String(e?.['dedup_fire_count'])}`);
  for (const i of incidents) {
    const ip = String(i.group_by?.['match.SourceIp']);
    console.log(`t+${dt} incident ${i.incident_id} ${i.trigger}: ${i.result_count} result(s) from ${ip}`);
  }
}
