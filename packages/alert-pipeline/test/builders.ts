// Result builders and a recording MetricsHook shared by the alert-pipeline tests (spec 08 §10 "Builders").

import type { DetectionResult } from '@tsigma/eval';
import type { MetricsHook } from '@tsigma/runtime';

type Level = NonNullable<DetectionResult['level']>;

/** A detection of `rule-1` at `level` with `matched_fields: [{SourceIp: ip}]` and `event: {raw: "event"}`. */
export function detection(ip: string, level: Level = 'high', extra: Partial<DetectionResult> = {}): DetectionResult {
  return {
    rule_title: 'Brute force',
    rule_id: 'rule-1',
    level,
    author: null,
    tags: [],
    matched_selections: ['selection'],
    matched_fields: [{ field: 'SourceIp', value: ip }],
    event: { raw: 'event' },
    ...extra,
  };
}

/** A detection with `SourceIp` and `User` matched fields (entity_graph tests). */
export function entityDetection(ip: string, user: string): DetectionResult {
  return detection(ip, 'high', {
    matched_fields: [
      { field: 'SourceIp', value: ip },
      { field: 'User', value: user },
    ],
  });
}

/** A MetricsHook that records every call as `name(args)`, and counts them. */
export function recordingMetrics(): MetricsHook & { calls: string[]; count(call: string): number } {
  const calls: string[] = [];
  const note =
    (name: string) =>
    (...args: unknown[]): void => {
      calls.push(`${name}(${args.map((a) => (typeof a === 'number' && !Number.isInteger(a) ? 'seconds' : String(a))).join(',')})`);
    };
  return {
    calls,
    count: (call) => calls.filter((c) => c === call).length,
    onAlertPipelineResult: note('onAlertPipelineResult'),
    setAlertPipelineStoreEntries: note('setAlertPipelineStoreEntries'),
    onAlertPipelineEviction: note('onAlertPipelineEviction'),
    onAlertPipelineDedupOverflow: note('onAlertPipelineDedupOverflow'),
    onAlertPipelineSummaryEmitted: note('onAlertPipelineSummaryEmitted'),
    setIncidentsOpen: note('setIncidentsOpen'),
    onIncidentEmitted: note('onIncidentEmitted'),
    onAlertPipelineOvermerge: note('onAlertPipelineOvermerge'),
    onAlertPipelineSilenced: note('onAlertPipelineSilenced'),
    setSilencesActive: note('setSilencesActive'),
    setInhibitSourcesActive: note('setInhibitSourcesActive'),
    onAlertPipelineInhibited: note('onAlertPipelineInhibited'),
    observeAlertPipelineDuration: note('observeAlertPipelineDuration'),
  };
}

/** Ids 1, 2, 3, ... as strings (`id-1`): deterministic API silence and entity_graph incident ids. */
export function counterIds(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}
