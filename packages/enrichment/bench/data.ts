// Deterministic data for the enrichment benchmarks: a host → owner table and detection results naming its hosts.
import { writeFileSync } from 'node:fs';
import type { DetectionResult } from '@tsigma/eval';

/** Writes a `hostname,owner,site` CSV of `rows` hosts (`host-000000` …) to `path`. */
export function writeHostTable(path: string, rows: number): void {
  const lines = ['hostname,owner,site'];
  for (let i = 0; i < rows; i++) lines.push(`${hostName(i)},team-${i % 97},site-${i % 13}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

function hostName(i: number): string {
  return `HOST-${String(i).padStart(6, '0')}`;
}

/** A detection result whose `Computer` is host `i` (upper case: the table lookup is case-insensitive) and hash `i`. */
export function benchResult(i: number): DetectionResult {
  return {
    rule_title: 'Suspicious Service Install',
    rule_id: `rule-${i % 50}`,
    level: 'high',
    author: null,
    tags: ['attack.persistence'],
    matched_selections: ['selection'],
    matched_fields: [
      { field: 'Computer', value: hostName(i) },
      { field: 'SHA256', value: `hash-${i}` },
    ],
  };
}
