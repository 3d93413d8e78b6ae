// The NATS end-to-end scenarios (spec 03 §14, seed 000) as plain engine tests over parsed YAML.
import { parseSigmaYaml } from '@tsigma/parser';
import { describe, expect, it } from 'vitest';
import { JsonEvent } from '../event.js';
import { parsePipeline } from '../pipeline/index.js';
import { CorrelationEngine, type ProcessResult } from './engine.js';
import type { CorrelationConfig } from './types.js';

const OKTA_RULES = `
title: Okta User Session Start Via An Anonymising Proxy Service
id: bde30855-5c53-4c18-ae90-1ff79ebc9578
logsource: { product: okta, service: okta }
detection:
    selection:
        eventType: 'user.session.start'
        securityContext.isProxy: 'true'
    condition: selection
level: high
---
title: Okta MFA Reset or Deactivated
id: 50e068d7-1e6b-4054-87e5-0a592c40c7e0
logsource: { product: okta, service: okta }
detection:
    selection:
        eventType:
            - user.mfa.factor.deactivate
            - user.mfa.factor.reset_all
    condition: selection
level: medium
---
title: Okta Admin Role Assigned to an User or Group
id: 413d4a81-6c98-4479-9863-014785fd579c
logsource: { product: okta, service: okta }
detection:
    selection:
        eventType:
            - group.privilege.grant
            - user.account.privilege.grant
    condition: selection
level: medium
---
title: Okta Identity Provider Created
id: 969c7590-8c19-4797-8c1b-23155de6e7ac
logsource: { product: okta, service: okta }
detection:
    selection:
        eventType: 'system.idp.lifecycle.create'
    condition: selection
level: medium
`;

const oktaCorrelation = (extra = '') => `
title: Okta Cross-Tenant Impersonation Sequence
id: a1b2c3d4-e5f6-7890-abcd-ef1234567890
correlation:
    type: temporal_ordered
    rules:
        - bde30855-5c53-4c18-ae90-1ff79ebc9578
        - 50e068d7-1e6b-4054-87e5-0a592c40c7e0
        - 413d4a81-6c98-4479-9863-014785fd579c
        - 969c7590-8c19-4797-8c1b-23155de6e7ac
    group-by:
        - actor.alternateId
    timespan: 30m
level: critical
${extra}`;

const OKTA_EVENTS = [
  '{"eventType":"user.session.start","actor":{"alternateId":"bob@acme.com","displayName":"Bob Smith","type":"User"},"outcome":{"result":"SUCCESS"},"client":{"ipAddress":"192.168.1.100"},"securityContext":{"isProxy":false},"published":"2023-08-15T13:55:00.000Z"}',
  '{"eventType":"user.session.start","actor":{"alternateId":"superadmin@acme.com","displayName":"IT Admin","type":"User"},"outcome":{"result":"SUCCESS"},"client":{"ipAddress":"198.51.100.23"},"securityContext":{"isProxy":true},"published":"2023-08-15T14:05:00.000Z"}',
  '{"eventType":"user.mfa.factor.deactivate","actor":{"alternateId":"superadmin@acme.com","displayName":"IT Admin","type":"User"},"outcome":{"result":"SUCCESS"},"client":{"ipAddress":"198.51.100.23"},"securityContext":{"isProxy":true},"published":"2023-08-15T14:12:00.000Z"}',
  '{"eventType":"application.lifecycle.update","actor":{"alternateId":"ops@acme.com","displayName":"Ops Team","type":"User"},"outcome":{"result":"SUCCESS"},"client":{"ipAddress":"10.0.0.50"},"securityContext":{"isProxy":false},"published":"2023-08-15T14:15:00.000Z"}',
  '{"eventType":"user.account.privilege.grant","actor":{"alternateId":"superadmin@acme.com","displayName":"IT Admin","type":"User"},"outcome":{"result":"SUCCESS"},"client":{"ipAddress":"198.51.100.23"},"securityContext":{"isProxy":true},"published":"2023-08-15T14:18:00.000Z"}',
  '{"eventType":"system.idp.lifecycle.create","actor":{"alternateId":"superadmin@acme.com","displayName":"IT Admin","type":"User"},"outcome":{"result":"SUCCESS"},"client":{"ipAddress":"198.51.100.23"},"securityContext":{"isProxy":true},"published":"2023-08-15T14:25:00.000Z"}',
];

const BRUTE_FORCE = `
title: Failed Login
id: f0f0f0f0-0001-0000-0000-000000000001
logsource: { product: generic, service: auth }
detection:
    selection:
        eventType: 'login.failed'
    condition: selection
level: low
---
title: Brute Force Detection
id: f0f0f0f0-0002-0000-0000-000000000001
correlation:
    type: event_count
    rules:
        - f0f0f0f0-0001-0000-0000-000000000001
    group-by:
        - src_ip
    timespan: 5m
    condition:
        gte: 5
level: high
`;

function engineFor(yaml: string, config?: Partial<CorrelationConfig>) {
  const collection = parseSigmaYaml(yaml);
  expect(collection.errors.filter((e) => e.severity === 'error')).toEqual([]);
  const engine = new CorrelationEngine(config, { clock: () => 1_763_800_000 });
  const report = engine.addCollection(collection);
  expect(report.errors).toEqual([]);
  return engine;
}

const process = (engine: CorrelationEngine, lines: string[]) => lines.map((l) => engine.processEvent(new JsonEvent(JSON.parse(l))));
const total = (rs: ProcessResult[]) => ({
  detections: rs.reduce((n, r) => n + r.detections.length, 0),
  correlations: rs.flatMap((r, i) => r.correlations.map(() => i + 1)),
});

describe('seed 000: Okta cross-tenant impersonation', () => {
  it('fires exactly once, on the sixth event, at level critical, after four detections', () => {
    const rs = process(engineFor(OKTA_RULES + '---' + oktaCorrelation()), OKTA_EVENTS);
    expect(total(rs)).toEqual({ detections: 4, correlations: [6] });
    expect(rs.map((r) => r.detections.length)).toEqual([0, 1, 1, 0, 1, 1]);
    const wire = JSON.parse(JSON.stringify(rs[5])) as { correlations: Record<string, unknown>[] };
    expect(wire.correlations[0]).toMatchObject({
      rule_title: 'Okta Cross-Tenant Impersonation Sequence',
      level: 'critical',
      correlation_type: 'temporal_ordered',
      aggregated_value: 4,
      group_key: [['actor.alternateId', 'superadmin@acme.com']],
      timespan_secs: 1800,
    });
  });

  it('repeats per action and suppression (spec 03 §14 A, last row)', () => {
    const attack = [OKTA_EVENTS[1], OKTA_EVENTS[2], OKTA_EVENTS[4], OKTA_EVENTS[5]] as string[];
    const run = (extra: string) => total(process(engineFor(OKTA_RULES + '---' + oktaCorrelation(extra)), [...attack, ...attack]));
    expect(run('')).toEqual({ detections: 8, correlations: [4, 5, 6, 7, 8] });
    expect(run('tsigma.action: reset').correlations).toEqual([4, 8]);
    expect(run('custom_attributes:\n    tsigma.suppress: 30m').correlations).toEqual([4]);
  });
});

describe('seed 000: brute force event_count', () => {
  const attempts = [1, 2, 3, 4, 5, 6].map((i) => `{"eventType":"login.failed","src_ip":"10.0.0.1","attempt":${i}}`);

  it('fires from the fifth failed login without timestamps (wall clock)', () => {
    const rs = process(engineFor(BRUTE_FORCE), attempts);
    expect(total(rs)).toEqual({ detections: 6, correlations: [5, 6] });
    expect(rs[4]?.correlations[0]).toMatchObject({
      rule_title: 'Brute Force Detection',
      level: 'high',
      aggregated_value: 5,
      group_key: [['src_ip', '10.0.0.1']],
    });
    expect(rs[5]?.correlations[0]?.aggregated_value).toBe(6);
  });

  it('returns only correlations when emitDetections is false', () => {
    expect(total(process(engineFor(BRUTE_FORCE, { emitDetections: false }), attempts))).toEqual({ detections: 0, correlations: [5, 6] });
  });
});

describe('pipelines rewrite correlation fields (spec 04 §8)', () => {
  it('maps group-by fields of the correlation like those of its rules', () => {
    const pipeline = parsePipeline(`
name: rename
priority: 10
transformations:
  - type: field_name_mapping
    mapping: { eventType: event.action, src_ip: source.ip }
`);
    const engine = new CorrelationEngine({}, { clock: () => 1_763_800_000 });
    engine.addPipeline(pipeline);
    const report = engine.addCollection(parseSigmaYaml(BRUTE_FORCE));
    expect(report.errors).toEqual([]);
    const rs = [1, 2, 3, 4, 5].map(() =>
      engine.processEvent(new JsonEvent({ event: { action: 'login.failed' }, source: { ip: '10.9.9.9' } })),
    );
    expect(rs[4]?.correlations[0]?.group_key).toEqual([['source.ip', '10.9.9.9']]);
  });
});
