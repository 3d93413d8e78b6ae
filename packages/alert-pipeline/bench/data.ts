// Result generators for the alert-pipeline bench: detections that differ by source IP and user, so a fingerprint
// of [rule, match.SourceIp, match.User] is unique per index and `group.by: [match.SourceIp]` gathers many per IP.

import type { DetectionResult } from '@tsigma/eval';

/** Distinct source IPs: incidents in the bench (each gathers `fingerprints / IPS` fingerprints). */
export const IPS = 5_000;

/** The detection with fingerprint number `i`. */
export function benchResult(i: number): DetectionResult {
  const ip = i % IPS;
  return {
    rule_title: 'Brute force',
    rule_id: 'bench-rule-1',
    level: i % 10 === 0 ? 'critical' : 'high',
    author: null,
    tags: ['attack.credential_access', 'attack.t1110'],
    matched_selections: ['selection'],
    matched_fields: [
      { field: 'SourceIp', value: `10.${ip >> 8}.${ip & 255}.1` },
      { field: 'User', value: `user${i}` },
    ],
  };
}
