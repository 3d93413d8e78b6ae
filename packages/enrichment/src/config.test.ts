import { describe, expect, it } from 'vitest';
import { recordingMetrics, warnings } from '../test/builders.js';
import { loadEnrichersFile, parseEnrichersConfig } from './config.js';
import { EnrichmentConfigError, type EnrichmentConfigErrorCode } from './errors.js';

const HEAD = 'enrichers:\n  - id: runbook_det\n    kind: detection\n    type: template\n    inject_field: runbook_url\n';

async function failure(text: string): Promise<EnrichmentConfigError> {
  const error = await parseEnrichersConfig(text, 'enrichers.yml').catch((e: unknown) => e);
  if (error instanceof EnrichmentConfigError) return error;
  throw new Error(`expected a config error, got ${String(error)}`);
}

describe('enrichers file', () => {
  it('builds the §7 example shape; defaults apply; max_concurrent_enrichments and metrics at zero', async () => {
    const metrics = recordingMetrics();
    const p = await parseEnrichersConfig(
      `max_concurrent_enrichments: 4
enrichers:
  - id: runbook_det
    kind: detection
    type: template
    inject_field: runbook_url
    timeout: 2s
    on_error: null
    scope: { rules: [], tags: ["attack.*"], levels: [high] }
    template: "https://wiki.example/runbooks/\${detection.rule.id}"
  - id: vt_hash
    kind: detection
    type: http
    inject_field: file_reputation
    url: "https://www.virustotal.com/api/v3/files/\${detection.fields.SHA256}"
    headers: { x-apikey: "\${VT_API_KEY}" }
    cache_ttl: 1h
    extract: ".data.attributes.last_analysis_stats"
  - id: who
    kind: correlation
    type: command
    inject_field: who
    command: [whoami]
    output: raw
`,
      'enrichers.yml',
      { metrics },
    );
    expect(p.size).toBe(3);
    const [rb] = p.enrichers;
    expect(rb).toMatchObject({ id: 'runbook_det', timeoutMs: 2000, onError: 'null' });
    expect(p.enrichers[1]).toMatchObject({ timeoutMs: 5000, onError: 'skip' });
    expect(metrics.calls).toEqual([
      'registerEnricher(runbook_det,detection)',
      'registerEnricher(vt_hash,detection)',
      'registerHttpEnricherCache(vt_hash)',
      'registerEnricher(who,correlation)',
    ]);
    await p.close();
  });

  it('§9.2 ${correlation.type} in a detection enricher is a load error naming runbook_det and template', async () => {
    const error = await failure(`${HEAD}    template: "\${correlation.type}"\n`);
    expect(error.code).toBe('invalid_template');
    expect(error.spot).toMatchObject({ file: 'enrichers.yml', enricherId: 'runbook_det', key: 'template', line: 6 });
    expect(error.message).toContain('wrong namespace for a detection enricher');
  });

  it.each<[string, string, EnrichmentConfigErrorCode, string]>([
    ['unknown key', `${HEAD}    template: x\n    templte: y\n`, 'unknown_key', 'templte'],
    ['missing template', HEAD, 'missing_key', 'template'],
    ['wrong type', `${HEAD}    template: [x]\n`, 'wrong_type', 'template'],
    ['bad duration', `${HEAD}    template: x\n    timeout: soon\n`, 'invalid_duration', 'timeout'],
    ['bad on_error', `${HEAD}    template: x\n    on_error: retry\n`, 'invalid_value', 'on_error'],
    ['bad level', `${HEAD}    template: x\n    scope: { levels: [urgent] }\n`, 'invalid_scope', 'scope.levels'],
    ['reserved field', HEAD.replace('runbook_url', 'incident_id') + '    template: x\n', 'invalid_value', 'inject_field'],
    ['dedup field', HEAD.replace('runbook_url', 'dedup_state') + '    template: x\n', 'invalid_value', 'inject_field'],
    ['unknown type', HEAD.replace('type: template', 'type: geoip') + '    template: x\n', 'unknown_type', 'type'],
    ['http scheme', HEAD.replace('type: template', 'type: http') + '    url: ftp://x\n', 'invalid_value', 'url'],
    ['http missing url', HEAD.replace('type: template', 'type: http'), 'missing_key', 'url'],
    ['command empty', HEAD.replace('type: template', 'type: command') + '    command: []\n', 'invalid_value', 'command'],
    ['command output', HEAD.replace('type: template', 'type: command') + '    command: [x]\n    output: xml\n', 'invalid_value', 'output'],
    [
      'command template',
      HEAD.replace('type: template', 'type: command') + '    command: [x, "${detection.nope}"]\n',
      'invalid_template',
      'command[1]',
    ],
    ['lookup both', HEAD.replace('type: template', 'type: lookup') + '    source: a\n    table: { path: x.csv }\n', 'missing_key', ''],
  ])('%s: code and key', async (_name, text, code, key) => {
    const error = await failure(text);
    expect(error.code).toBe(code);
    expect(error.spot.file).toBe('enrichers.yml');
    expect(error.spot.enricherId).toBe('runbook_det');
    if (key !== '') expect(error.spot.key).toBe(key);
    expect(error.spot.line).toBeGreaterThan(1);
  });

  it('duplicate ids, a missing id, top-level problems and YAML syntax errors', async () => {
    const dup = await failure(`${HEAD}    template: x\n${HEAD.replace('enrichers:\n', '')}    template: y\n`);
    expect(dup.code).toBe('duplicate_id');
    expect(dup.spot.line).toBe(7);
    expect((await failure('enrichers:\n  - kind: detection\n')).code).toBe('missing_key');
    expect((await failure('max_concurrent_enrichments: 0\n')).code).toBe('invalid_value');
    expect((await failure('enricher: []\n')).code).toBe('unknown_key');
    expect((await failure('enrichers: [\n')).code).toBe('yaml_syntax');
  });

  it('two enrichers writing one field are allowed, with one warning; an empty file is an empty pipeline', async () => {
    const logger = warnings();
    const second = HEAD.replace('enrichers:\n', '').replace('runbook_det', 'other');
    const p = await parseEnrichersConfig(`${HEAD}    template: x\n${second}    template: y\n`, 'e.yml', { logger });
    expect(p.size).toBe(2);
    expect(logger.lines).toHaveLength(1);
    expect((await parseEnrichersConfig('', 'e.yml')).size).toBe(0);
  });

  it('an unreadable file is an io error naming it', async () => {
    const error = await loadEnrichersFile('/nonexistent/enrichers.yml').catch((e: unknown) => e);
    expect((error as EnrichmentConfigError).code).toBe('io');
    expect((error as EnrichmentConfigError).spot.file).toBe('/nonexistent/enrichers.yml');
  });
});
