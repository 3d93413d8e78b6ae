// Attach a runbook link and the asset owner to detections: a `template` enricher and a `lookup` enricher over a
// CSV table, loaded from an enrichers file and run over two results as the daemon would after evaluation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectionResult } from '@tsigma/eval';
import { loadEnrichersFile } from '@tsigma/enrichment';

const dir = mkdtempSync(join(tmpdir(), 'enrichers-'));
writeFileSync(join(dir, 'assets.csv'), 'hostname,owner\ndc01,IT-Ops\nweb01,Web Team\n');
writeFileSync(
  join(dir, 'enrichers.yml'),
  `
enrichers:
  - id: runbook_det
    kind: detection
    type: template
    inject_field: runbook_url
    template: "https://wiki.example/runbooks/\${detection.rule.id}"
  - id: asset_owner
    kind: detection
    type: lookup
    inject_field: owner
    table: { path: assets.csv, key_column: hostname }
    key: "\${detection.fields.Computer}"
    column: owner
    case_insensitive: true
    default: unknown
`,
);

const pipeline = await loadEnrichersFile(join(dir, 'enrichers.yml'));

function serviceInstall(computer: string): DetectionResult {
  return {
    rule_title: 'Suspicious Service Install',
    rule_id: 'svc-install',
    level: 'high',
    author: null,
    tags: ['attack.persistence'],
    matched_selections: ['selection'],
    matched_fields: [{ field: 'Computer', value: computer }],
  };
}

for (const result of await pipeline.run([serviceInstall('DC01'), serviceInstall('laptop7')])) {
  console.log(JSON.stringify(result.enrichments));
}
await pipeline.close();
rmSync(dir, { recursive: true, force: true });
