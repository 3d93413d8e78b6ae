import { describe, expect, it } from 'vitest';
import { detection, recordingMetrics } from '../test/builders.js';
import { parseEnrichersConfig } from './config.js';
import { EnrichmentConfigError } from './errors.js';
import { lookupBuiltin, registerBuiltin, type EnricherFactory } from './registry.js';

const geo: EnricherFactory = (entry, ctx) => ({
  ...ctx,
  id: 'ignored',
  injectField: 'ignored',
  enrich: (r) => Promise.resolve({ country: String(entry['country']), rule: r.rule_id }),
});

function refused(run: () => void): EnrichmentConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof EnrichmentConfigError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('registerBuiltin / lookupBuiltin', () => {
  it('§9.10 reserved names, bad names and a second registration throw', () => {
    for (const name of ['template', 'lookup', 'http', 'command', 'Geo', '1geo', 'geo-lite', ''])
      expect(refused(() => registerBuiltin(name, geo)).code).toBe('invalid_builtin');
    registerBuiltin('geo_lite', geo);
    expect(lookupBuiltin('geo_lite')).toBe(geo);
    expect(refused(() => registerBuiltin('geo_lite', geo)).message).toContain('already registered');
    expect(lookupBuiltin('nope')).toBeUndefined();
  });

  it('§9.10 a YAML entry of a registered type builds and runs; id, field and policy come from the config', async () => {
    if (lookupBuiltin('geo_lite') === undefined) registerBuiltin('geo_lite', geo);
    const metrics = recordingMetrics();
    const p = await parseEnrichersConfig(
      'enrichers:\n  - id: geo\n    kind: detection\n    type: geo_lite\n    inject_field: geo\n    country: DE\n',
      'enrichers.yml',
      { metrics },
    );
    expect(p.enrichers[0]?.id).toBe('geo');
    const [r] = await p.run([detection()]);
    expect(r?.enrichments).toEqual({ geo: { country: 'DE', rule: 'rule-1' } });
    expect(metrics.statuses('geo')).toEqual(['success']);
  });

  it('a factory that throws becomes a load error naming the enricher', async () => {
    registerBuiltin('always_fails', () => {
      throw new Error('no database');
    });
    const error = await parseEnrichersConfig(
      'enrichers:\n  - id: bad\n    kind: detection\n    type: always_fails\n    inject_field: x\n',
      'enrichers.yml',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnrichmentConfigError);
    expect((error as EnrichmentConfigError).code).toBe('factory_failed');
    expect((error as Error).message).toContain("enricher 'bad': no database");
  });
});
