// Spec 06 §6.1: rsigma's NATS end-to-end scenarios against a real nats-server, each on its own subjects.

import type { EvaluationResult, ProcessResult } from '@tsigma/eval';
import { FanOutSink, type Sink } from '@tsigma/runtime';
import { describe, expect, it } from 'vitest';
import { NatsSource } from '../../src/index.js';
import {
  bruteForceCorrelation,
  buildProcessor,
  JSON_FORMAT,
  processMessage,
  RULE_FAILED_LOGIN,
  RULE_WHOAMI,
  writeRules,
} from '../helpers/fixtures.js';
import { useNatsServer } from '../helpers/harness.js';
import { natsServerAvailable, recvWithin } from '../helpers/nats-server.js';

const RULE_PROXY_SESSION = `
title: Okta User Session Start Via An Anonymising Proxy Service
id: bde30855-5c53-4c18-ae90-1ff79ebc9578
logsource: { product: okta, service: okta }
detection:
    selection:
        eventType: 'user.session.start'
        securityContext.isProxy: 'true'
    condition: selection
level: high
`;
const RULE_MFA_DEACTIVATED = `
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
`;
const RULE_ADMIN_ROLE = `
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
`;
const RULE_IDP_CREATED = `
title: Okta Identity Provider Created
id: 969c7590-8c19-4797-8c1b-23155de6e7ac
logsource: { product: okta, service: okta }
detection:
    selection:
        eventType: 'system.idp.lifecycle.create'
    condition: selection
level: medium
`;
const RULE_OKTA_CORRELATION = `
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
`;
const RULE_SUDO = `
title: Detect sudo usage
id: d5b8d8a0-0002-0000-0000-000000000001
logsource: { product: linux, service: auth }
detection:
    keywords:
        - 'sudo'
    condition: keywords
level: low
`;

function okta(eventType: string, who: string, isProxy: boolean, published: string, ip: string): string {
  return JSON.stringify({
    eventType,
    actor: { alternateId: who, displayName: who, type: 'User' },
    outcome: { result: 'SUCCESS' },
    client: { ipAddress: ip },
    securityContext: { isProxy },
    published,
  });
}
const OKTA_EVENTS = [
  okta('user.session.start', 'bob@acme.com', false, '2023-08-15T13:55:00.000Z', '192.168.1.100'),
  okta('user.session.start', 'superadmin@acme.com', true, '2023-08-15T14:05:00.000Z', '198.51.100.23'),
  okta('user.mfa.factor.deactivate', 'superadmin@acme.com', true, '2023-08-15T14:12:00.000Z', '198.51.100.23'),
  okta('application.lifecycle.update', 'ops@acme.com', false, '2023-08-15T14:15:00.000Z', '10.0.0.50'),
  okta('user.account.privilege.grant', 'superadmin@acme.com', true, '2023-08-15T14:18:00.000Z', '198.51.100.23'),
  okta('system.idp.lifecycle.create', 'superadmin@acme.com', true, '2023-08-15T14:25:00.000Z', '198.51.100.23'),
];

/** How long "nothing more arrives" is waited for. */
const QUIET_MS = 500;

const run = natsServerAvailable();

describe.skipIf(!run)('NATS end-to-end scenarios (spec 06 §6.1)', () => {
  const nats = useNatsServer();
  const { sink } = nats;
  async function source(subject: string): Promise<NatsSource> {
    const s = await NatsSource.connect(nats.cfg, subject, { kind: 'resume' });
    nats.onCleanup(() => s.close());
    return s;
  }
  async function rules(files: Record<string, string>): Promise<string> {
    const r = await writeRules(files);
    nats.onCleanup(r.remove);
    return r.dir;
  }
  /** Reads messages until QUIET_MS pass without one; acks each. */
  async function drain(src: NatsSource): Promise<string[]> {
    const out: string[] = [];
    for (let raw = await recvWithin(src, 5000); raw !== null; raw = await recvWithin(src, QUIET_MS)) {
      out.push(raw.payload);
      await raw.ackToken.ack();
    }
    return out;
  }
  /** Receives `n` input events and processes each into `outs`. */
  async function processN(src: NatsSource, n: number, dir: string, outs: Sink[], format = JSON_FORMAT): Promise<ProcessResult[]> {
    const processor = await buildProcessor(dir);
    const results: ProcessResult[] = [];
    for (let i = 0; i < n; i++) {
      const raw = await recvWithin(src, 5000);
      expect(raw, `input message ${i + 1} of ${n}`).not.toBeNull();
      results.push(...(await processMessage(processor, raw!, format, outs)));
    }
    return results;
  }
  const count = (rs: ProcessResult[], k: 'detections' | 'correlations'): number => rs.reduce((n, r) => n + r[k].length, 0);

  it('1. single detection reaches the output subject exactly once', async () => {
    const dir = await rules({ 'whoami.yml': RULE_WHOAMI });
    const input = await sink('e2e.events.whoami');
    const output = await sink('e2e.detections.whoami');
    await input.sendRaw('{"CommandLine":"cmd /c whoami","EventID":1}');
    await input.sendRaw('{"CommandLine":"dir","EventID":2}');
    await processN(await source('e2e.events.whoami'), 2, dir, [output]);

    const outSrc = await source('e2e.detections.whoami');
    const first = await recvWithin(outSrc, 5000);
    expect(first).not.toBeNull();
    const v = JSON.parse(first!.payload) as EvaluationResult;
    expect(v.rule_title).toBe('Detect Whoami Execution');
    expect(v).not.toHaveProperty('correlation_type');
    await first!.ackToken.ack();
    expect(await recvWithin(outSrc, QUIET_MS)).toBeNull();
  });

  it('2. benign events produce nothing', async () => {
    const dir = await rules({ 'whoami.yml': RULE_WHOAMI });
    const input = await sink('e2e.events.benign');
    const output = await sink('e2e.detections.benign');
    await input.sendRaw('{"CommandLine":"dir /w","EventID":1}');
    await input.sendRaw('{"CommandLine":"hostname","EventID":2}');
    const results = await processN(await source('e2e.events.benign'), 2, dir, [output]);
    expect(count(results, 'detections') + count(results, 'correlations')).toBe(0);
    expect(await recvWithin(await source('e2e.detections.benign'), QUIET_MS)).toBeNull();
  });

  it('3. Okta cross-tenant impersonation: 4 detections, 1 temporal_ordered correlation', async () => {
    const dir = await rules({
      'proxy_session.yml': RULE_PROXY_SESSION,
      'mfa_deactivated.yml': RULE_MFA_DEACTIVATED,
      'admin_role.yml': RULE_ADMIN_ROLE,
      'idp_created.yml': RULE_IDP_CREATED,
      'correlation.yml': RULE_OKTA_CORRELATION,
    });
    const input = await sink('e2e.events.okta');
    const output = await sink('e2e.detections.okta');
    for (const e of OKTA_EVENTS) await input.sendRaw(e);
    const results = await processN(await source('e2e.events.okta'), OKTA_EVENTS.length, dir, [output]);
    expect(count(results, 'detections')).toBe(4);
    expect(count(results, 'correlations')).toBe(1);

    // Flat results (spec 05 §1): one message per detection or correlation; the last event's detection comes
    // before the correlation it completed.
    const outputs = (await drain(await source('e2e.detections.okta'))).map((p) => JSON.parse(p) as EvaluationResult);
    expect(outputs.map((r) => 'correlation_type' in r)).toEqual([false, false, false, false, true]);
    expect(outputs[3]!.rule_title).toBe('Okta Identity Provider Created');
    expect(outputs[4]).toMatchObject({
      correlation_type: 'temporal_ordered',
      rule_title: 'Okta Cross-Tenant Impersonation Sequence',
      level: 'critical',
      aggregated_value: 4,
      group_key: [['actor.alternateId', 'superadmin@acme.com']],
    });
  });

  it('4. fan-out (FanOutSink over two NatsSinks): both subjects receive byte-identical payloads', async () => {
    const dir = await rules({ 'whoami.yml': RULE_WHOAMI });
    const input = await sink('e2e.events.fanout');
    const a = await sink('e2e.detections.fanout.a');
    const b = await sink('e2e.detections.fanout.b');
    await input.sendRaw('{"CommandLine":"whoami /all","EventID":1}');
    await processN(await source('e2e.events.fanout'), 1, dir, [new FanOutSink([a, b])]);
    const got = [await drain(await source('e2e.detections.fanout.a')), await drain(await source('e2e.detections.fanout.b'))];
    expect(got[0]).toHaveLength(1);
    expect(got[1]).toHaveLength(1);
    expect(got[0]![0]).toBe(got[1]![0]);
    expect(JSON.parse(got[0]![0]!)).toMatchObject({ rule_title: 'Detect Whoami Execution', matched_selections: ['selection'] });
  });

  it('5. syslog line through NATS triggers the keyword rule once', async () => {
    const dir = await rules({ 'sudo.yml': RULE_SUDO });
    const input = await sink('e2e.events.syslog');
    await input.sendRaw('<38>Apr 25 14:30:00 web01 sudo: admin : TTY=pts/0 ; COMMAND=/bin/bash');
    const results = await processN(await source('e2e.events.syslog'), 1, dir, [], { kind: 'syslog' });
    expect(count(results, 'detections')).toBe(1);
  });

  it('6. brute force event_count: 6 detections, correlations on attempts 5 and 6', async () => {
    const dir = await rules({ 'failed_login.yml': RULE_FAILED_LOGIN, 'brute_force.yml': bruteForceCorrelation('src_ip', 5) });
    const input = await sink('e2e.events.bruteforce');
    for (let i = 1; i <= 6; i++) await input.sendRaw(JSON.stringify({ eventType: 'login.failed', src_ip: '10.0.0.1', attempt: i }));
    const results = await processN(await source('e2e.events.bruteforce'), 6, dir, []);
    expect(count(results, 'detections')).toBe(6);
    expect(results.map((r) => r.correlations.map((c) => c.aggregated_value))).toEqual([[], [], [], [], [5], [6]]);
  });
});
