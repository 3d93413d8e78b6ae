import type { EvaluationResult } from '@tsigma/eval';
import { Scope } from '@tsigma/runtime';
import { describe, expect, it } from 'vitest';
import { correlation, detection, recordingMetrics, warnings } from '../test/builders.js';
import { parseEnrichersConfig } from './config.js';
import type { Enricher } from './enricher.js';
import { EnrichError } from './errors.js';
import { EnrichmentPipeline } from './pipeline.js';
import { TemplateEnricher } from './template-enricher.js';

const RUNBOOK = `
enrichers:
  - id: runbook_det
    kind: detection
    type: template
    inject_field: runbook_url
    template: "https://wiki.example/runbooks/\${detection.rule.id}"
`;

function failing(id: string, onError: Enricher['onError'], fail: (n: number) => boolean): Enricher {
  let n = 0;
  return {
    id,
    kind: 'detection',
    injectField: 'f',
    timeoutMs: 5000,
    onError,
    scope: new Scope(),
    enrich: (r) => (fail(n++) ? Promise.reject(new EnrichError(id, 'fetch', 'boom')) : Promise.resolve(r.rule_id)),
  };
}

describe('EnrichmentPipeline', () => {
  it('§9.1 a detection template ends with the rule id; correlation results are untouched and move no metric', async () => {
    const metrics = recordingMetrics();
    const pipeline = await parseEnrichersConfig(RUNBOOK, 'enrichers.yml', { metrics });
    expect(metrics.calls).toEqual(['registerEnricher(runbook_det,detection)']);
    const corr = correlation();
    const out = await pipeline.run([detection({}, { rule_id: 'abc-123' }), corr]);
    expect(out[0]?.enrichments?.['runbook_url']).toBe('https://wiki.example/runbooks/abc-123');
    expect(out[1]).toBe(corr);
    expect('enrichments' in corr).toBe(false);
    expect(metrics.statuses('runbook_det')).toEqual(['success']);
    expect(metrics.calls.filter((c) => c.startsWith('onEnrichmentQueueDepthChange'))).toEqual([
      'onEnrichmentQueueDepthChange(1)',
      'onEnrichmentQueueDepthChange(-1)',
    ]);
  });

  it('§9.7 on_error drop on the 2nd of 3 results returns 2 results in the original order', async () => {
    const metrics = recordingMetrics();
    const pipeline = new EnrichmentPipeline([failing('d', 'drop', (n) => n === 1)], { metrics, maxConcurrent: 1 });
    const rs = [detection({}, { rule_id: 'a' }), detection({}, { rule_id: 'b' }), detection({}, { rule_id: 'c' })];
    const out = await pipeline.run(rs);
    expect(out.map((r) => r.rule_id)).toEqual(['a', 'c']);
    expect(metrics.statuses('d')).toEqual(['success', 'drop', 'success']);
  });

  it('a dropped result stops its chain; later enrichers do not run for it', async () => {
    const metrics = recordingMetrics();
    const later = new TemplateEnricher({ id: 'later', kind: 'detection', injectField: 'later' }, 'x');
    const pipeline = new EnrichmentPipeline([failing('d', 'drop', () => true), later], { metrics });
    expect(await pipeline.run([detection()])).toEqual([]);
    expect(metrics.statuses('later')).toEqual([]);
  });

  it('skip stores nothing and logs a warning; null stores null; statuses skip and error', async () => {
    const logger = warnings();
    const metrics = recordingMetrics();
    const skip = failing('s', 'skip', () => true);
    const nul = { ...failing('n', 'null', () => true), injectField: 'g' };
    const [r] = await new EnrichmentPipeline([skip, nul], { metrics, logger }).run([detection()]);
    expect(r?.enrichments).toEqual({ g: null });
    expect(logger.lines.some((l) => l.includes("enricher 's': boom"))).toBe(true);
    expect(metrics.statuses('s')).toEqual(['skip']);
    expect(metrics.statuses('n')).toEqual(['error']);
  });

  it('a later enricher reads an earlier one through ${detection.enrichments.*}; a synchronous throw is a failure', async () => {
    const first = new TemplateEnricher({ id: 'a', kind: 'detection', injectField: 'geo.country' }, 'DE');
    const second = new TemplateEnricher({ id: 'b', kind: 'detection', injectField: 'label' }, '${detection.enrichments.geo.country}!');
    const thrower: Enricher = {
      ...failing('t', 'null', () => false),
      injectField: 't',
      enrich: () => {
        throw new Error('sync');
      },
    };
    const [r] = await new EnrichmentPipeline([first, second, thrower]).run([detection()]);
    expect(r?.enrichments).toEqual({ 'geo.country': 'DE', label: 'DE!', t: null });
  });

  it('scope filters results without metrics; empty pipelines and inputs return the input itself', async () => {
    const metrics = recordingMetrics();
    const scoped = new TemplateEnricher({ id: 'c', kind: 'detection', injectField: 'c', scope: new Scope({ levels: ['critical'] }) }, 'x');
    const input: EvaluationResult[] = [detection()];
    const out = await new EnrichmentPipeline([scoped], { metrics }).run(input);
    expect(out[0]?.enrichments).toBeUndefined();
    expect(metrics.statuses('c')).toEqual([]);
    expect(await new EnrichmentPipeline([]).run(input)).toBe(input);
    const none: EvaluationResult[] = [];
    expect(await new EnrichmentPipeline([scoped]).run(none)).toBe(none);
  });

  it('an undefined value stores nothing and leaves results without enrichments', async () => {
    const quiet: Enricher = { ...failing('u', 'skip', () => false), enrich: () => Promise.resolve(undefined) };
    const [r] = await new EnrichmentPipeline([quiet]).run([detection()]);
    expect(JSON.stringify(r)).not.toContain('enrichments');
  });

  it('run never rejects, even when a metrics hook throws; the result goes on', async () => {
    const metrics = {
      onEnrichmentCompleted: () => {
        throw new Error('registry down');
      },
    };
    const t = new TemplateEnricher({ id: 't', kind: 'detection', injectField: 't' }, 'x');
    const input = [detection()];
    await expect(new EnrichmentPipeline([t], { metrics }).run(input)).resolves.toEqual(input);
  });
});
