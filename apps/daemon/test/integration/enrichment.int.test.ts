// Enrichment in the daemon (spec 10 §2 step 3, spec 07): results reach the sinks enriched, the enrichers file reloads
// with the rest, the §8 series exist at zero from the start, and a bad enrichers file is a start-up error (exit 3).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDaemonToExit, startDaemon, tempDir, waitFor, WHOAMI_RULE, writeTree, type Running } from '../helpers.js';

let daemon: Running | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const enrichers = (runbook: string): string => `enrichers:
  - id: runbook
    kind: detection
    type: template
    inject_field: runbook_url
    template: "${runbook}/\${detection.rule.id}"
  - id: owner
    kind: detection
    type: lookup
    inject_field: owner
    table: { path: assets.csv, key_column: image }
    key: "\${detection.event.Image}"
    column: owner
    case_insensitive: true
    default: unknown
`;

function lines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('tsigmad enrichment', () => {
  it('enriches results before the sinks, drops the event it embedded, reloads the enrichers file, exports the §8 series', async () => {
    const dir = writeTree({
      'rules/whoami.yml': WHOAMI_RULE,
      'enrichers.yml': enrichers('https://wiki/a'),
      'assets.csv': 'image,owner\nC:\\w\\whoami.exe,IT-Ops\n',
    });
    const out = join(tempDir(), 'out.ndjson');
    daemon = await startDaemon([
      '-r',
      join(dir, 'rules'),
      '--input',
      'http',
      '--enrichers',
      join(dir, 'enrichers.yml'),
      '--output',
      `file://${out}`,
    ]);
    const metrics = (await daemon.get('/metrics')).text;
    expect(metrics).toContain('tsigma_enrichment_total{enricher_id="runbook",kind="detection",status="success"} 0');
    expect(metrics).toContain('tsigma_enrichment_total{enricher_id="owner",kind="detection",status="error"} 0');

    await daemon.post('/api/v1/events', '{"Image":"C:\\\\w\\\\whoami.exe"}\n{"Image":"D:\\\\whoami.exe"}\n');
    await waitFor(() => lines(out).length === 2, 5000, 'two results');
    const [first, second] = lines(out);
    expect(first?.['enrichments']).toEqual({ runbook_url: 'https://wiki/a/11111111-0000-0000-0000-000000000001', owner: 'IT-Ops' });
    expect(second?.['enrichments']).toEqual({ runbook_url: 'https://wiki/a/11111111-0000-0000-0000-000000000001', owner: 'unknown' });
    expect(first).not.toHaveProperty('event');
    expect((await daemon.get('/metrics')).text).toContain(
      'tsigma_enrichment_total{enricher_id="runbook",kind="detection",status="success"} 2',
    );

    writeFileSync(join(dir, 'enrichers.yml'), enrichers('https://wiki/b'));
    const reload = await daemon.post('/api/v1/reload?wait=true', '');
    expect(reload.status).toBe(200);
    await daemon.post('/api/v1/events', '{"Image":"C:\\\\w\\\\whoami.exe"}\n');
    await waitFor(() => lines(out).length === 3, 5000, 'a third result');
    expect(lines(out)[2]?.['enrichments']).toMatchObject({ runbook_url: 'https://wiki/b/11111111-0000-0000-0000-000000000001' });
  });

  it('a bad enrichers file is a start-up error (exit 3) naming the enricher and key', async () => {
    const dir = writeTree({
      'rules/whoami.yml': WHOAMI_RULE,
      'bad.yml': 'enrichers:\n  - id: x\n    kind: detection\n    type: template\n',
    });
    const r = await runDaemonToExit(['-r', join(dir, 'rules'), '--enrichers', join(dir, 'bad.yml')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('enrichers');
    expect(r.stderr).toContain("enricher 'x' (inject_field)");
  });
});
