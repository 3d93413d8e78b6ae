// Dynamic pipeline sources in the daemon (spec 10 §4, 09 §5): a watched file source drives a rule; a change
// rebuilds the rules; the sources routes list, trigger and invalidate.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, tempDir, waitFor, writeTree, type Running } from '../helpers.js';

let daemon: Running | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const RULE = `title: Connection To Blocklisted Address
id: 11111111-0000-0000-0000-000000000099
status: test
logsource:
  category: network_connection
  product: windows
detection:
  selection:
    DestinationIp: '%blocklist%'
  condition: selection
level: high
`;

describe('tsigmad dynamic sources', () => {
  it('a watched file source change rebuilds the rules; /api/v1/sources routes answer', async () => {
    const dir = tempDir();
    const feed = join(dir, 'feed.json');
    writeFileSync(feed, JSON.stringify({ ips: ['203.0.113.1'] }));
    writeTree(
      {
        'rules/blocklist.yml': RULE,
        'dyn.yml': `name: dyn\nvars:\n  blocklist: "\${source.blocklist}"\ntransformations:\n  - type: value_placeholders\nsources:\n  - id: blocklist\n    type: file\n    path: ${feed}\n    format: json\n    extract: .ips\n    refresh: watch\n`,
      },
      dir,
    );
    const out = join(dir, 'out.ndjson');
    daemon = await startDaemon(['-r', join(dir, 'rules'), '-p', join(dir, 'dyn.yml'), '--input', 'http', '--output', `file://${out}`]);
    const lines = (): string[] =>
      existsSync(out)
        ? readFileSync(out, 'utf8')
            .trim()
            .split('\n')
            .filter((l) => l !== '')
        : [];
    await daemon.post('/api/v1/events', '{"DestinationIp":"203.0.113.1","n":1}\n{"DestinationIp":"203.0.113.2","n":2}\n');
    await waitFor(() => lines().length === 1, 5000, 'the first detection');
    const sources = (await daemon.get('/api/v1/sources')).body as { sources: { source_id: string; status: string }[] };
    expect(sources.sources).toMatchObject([{ source_id: 'blocklist', status: 'resolved' }]);

    writeFileSync(feed, JSON.stringify({ ips: ['203.0.113.2'] }));
    await waitFor(() => daemon?.stderr().includes('source changed; rebuilding rules') === true, 5000, 'the rebuild');
    await waitFor(
      async () => {
        await daemon?.post('/api/v1/events', '{"DestinationIp":"203.0.113.2","n":3}\n');
        await new Promise((r) => setTimeout(r, 200));
        return lines().some((l) => l.includes('"n":3') || l.includes('203.0.113.2'));
      },
      8000,
      'a detection for the new address',
    );

    expect(await daemon.post('/api/v1/sources/resolve')).toMatchObject({ status: 202, body: { status: 'resolve_triggered' } });
    expect((await daemon.post('/api/v1/sources/resolve/nope')).status).toBe(404);
    expect(await daemon.del('/api/v1/sources/cache/blocklist')).toMatchObject({
      status: 200,
      body: { status: 'invalidated', source_id: 'blocklist' },
    });
    const status = (await daemon.get('/api/v1/status')).body as { dynamic_sources: { total: number } };
    expect(status.dynamic_sources.total).toBe(1);
    expect((await daemon.get('/metrics')).text).toContain('tsigma_source_resolves_total{source_id="blocklist",source_type="file"}');
  });
});
