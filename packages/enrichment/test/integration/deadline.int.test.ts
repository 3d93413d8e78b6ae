// EnrichmentPipeline deadlines with real timers (spec 07 §3): a timed-out call is aborted and its late value dropped.
import { Scope } from '@tsigma/runtime';
import { describe, expect, it } from 'vitest';
import { EnrichmentPipeline, type Enricher } from '@tsigma/enrichment';
import { detection, recordingMetrics } from '../builders.js';

describe('EnrichmentPipeline deadlines', () => {
  it('a deadline turns into status timeout with on_error null, and the late value is never written', async () => {
    const metrics = recordingMetrics();
    let finish: (v: unknown) => void = () => {};
    let aborted = false;
    const slow: Enricher = {
      id: 'slow',
      kind: 'detection',
      injectField: 'f',
      onError: 'null',
      scope: new Scope(),
      timeoutMs: 1,
      enrich: (_r, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => (aborted = true));
          finish = resolve;
        }),
    };
    const [r] = await new EnrichmentPipeline([slow], { metrics }).run([detection()]);
    expect(r?.enrichments).toEqual({ f: null });
    expect(aborted).toBe(true);
    finish('late');
    await Promise.resolve();
    expect(r?.enrichments).toEqual({ f: null });
    expect(metrics.statuses('slow')).toEqual(['timeout']);
  });
});
