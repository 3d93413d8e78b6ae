// Whole-file fixtures: the parsed AST is compared with reviewed snapshots.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSigmaYaml } from '../src/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** JSON with the `Map` of named detections written as an ordered object, as `tsigma parse` prints it. */
function render(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? Object.fromEntries(v as Map<string, unknown>) : v), 2);
}

describe('fixtures', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yml'));
  it.each(files)('%s', (file) => {
    const c = parseSigmaYaml(readFileSync(join(FIXTURES, file), 'utf8'), { file });
    expect(c.errors.filter((e) => e.severity === 'error').map(String)).toEqual([]);
    expect(render({ ...c, errors: c.errors.map(String) })).toMatchSnapshot();
  });

  it('reads the Okta chain as four rules and a temporal_ordered correlation with the default condition', () => {
    const c = parseSigmaYaml(readFileSync(join(FIXTURES, 'okta-impersonation.yml'), 'utf8'));
    expect(c.rules.map((r) => r.name)).toEqual(['okta_proxy_session', 'okta_mfa_reset', 'okta_privilege_grant', 'okta_idp_create']);
    expect(c.correlations[0]).toMatchObject({
      type: 'temporal_ordered',
      groupBy: ['actor.alternateId'],
      timespan: { seconds: 1800 },
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 4 }] },
      level: 'critical',
      customAttributes: { 'tsigma.suppress': '1h' },
    });
  });
});
