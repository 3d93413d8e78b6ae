import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAlertPipeline, loadAlertPipelineFile, parseAlertPipelineConfig } from './config.js';
import { AlertPipelineError, type AlertPipelineErrorCode } from './errors.js';
import { fnv1a64Hex } from './fnv.js';
import { AlertPipelineState } from './state.js';
import { detection } from '../test/builders.js';

/** The AlertPipelineError thrown by `build`, or a failure when it does not throw one. */
function errorOf(build: () => unknown): AlertPipelineError {
  try {
    build();
  } catch (error) {
    if (error instanceof AlertPipelineError) return error;
    throw error;
  }
  throw new Error('expected an AlertPipelineError');
}

function expectError(yaml: string, code: AlertPipelineErrorCode, key: string): AlertPipelineError {
  const error = errorOf(() => parseAlertPipelineConfig(yaml, 'alerts.yml'));
  expect(error.code).toBe(code);
  expect(error.spot.key).toBe(key);
  expect(error.spot.source).toBe('alerts.yml');
  return error;
}

describe('parseAlertPipelineConfig: spec 08 §10 test 13', () => {
  it('group.wait is an unknown key naming wait and suggesting group_wait', () => {
    const error = expectError('group:\n  by: [match.SourceIp]\n  wait: 30s\n', 'unknown_key', 'group.wait');
    expect(error.message).toContain("'wait'");
    expect(error.message).toContain("did you mean 'group_wait'");
    expect(error.spot).toMatchObject({ line: 3, column: 3 });
  });

  it('a =~ pattern that does not compile names the pattern', () => {
    const yaml = 'silences:\n  - matchers: [{ selector: rule, op: "=~", value: "(" }]\n';
    const error = expectError(yaml, 'invalid_regex', 'silences[0].matchers[0].value');
    expect(error.message).toContain('"("');
  });

  it('an empty dedup fingerprint is an error', () => {
    expectError('dedup:\n  fingerprint: []\n', 'missing_key', 'dedup.fingerprint');
  });
});

describe('parseAlertPipelineConfig: bad input', () => {
  it.each<[string, string, AlertPipelineErrorCode, string]>([
    ['typo at the top level', 'dedupe:\n  fingerprint: [rule]\n', 'unknown_key', 'dedupe'],
    ['typo in caps', 'group:\n  by: [rule]\n  caps:\n    max_open_incident: 5\n', 'unknown_key', 'group.caps.max_open_incident'],
    [
      'unknown key in a matcher',
      'silences:\n  - matchers: [{ selector: rule, value: x, regex: true }]\n',
      'unknown_key',
      'silences[0].matchers[0].regex',
    ],
    ['dedup without fingerprint', 'dedup:\n  resolve_timeout: 1h\n', 'missing_key', 'dedup'],
    ['group_by without by', 'group:\n  group_wait: 30s\n', 'missing_key', 'group.by'],
    ['entity_graph without entities', 'group:\n  mode: entity_graph\n', 'missing_key', 'group.entities'],
    [
      'bad selector in the unused list of the other mode',
      'group:\n  by: [rule]\n  entities: [users]\n',
      'invalid_selector',
      'group.entities[0]',
    ],
    ['bad duration', 'dedup:\n  fingerprint: [rule]\n  resolve_timeout: 1 hour\n', 'invalid_duration', 'dedup.resolve_timeout'],
    ['bare number duration', 'group:\n  by: [rule]\n  group_wait: 30\n', 'invalid_duration', 'group.group_wait'],
    ['bad selector', 'dedup:\n  fingerprint: [rule, matched.SourceIp]\n', 'invalid_selector', 'dedup.fingerprint[1]'],
    ['bad mode', 'group:\n  mode: graph\n  by: [rule]\n', 'invalid_value', 'group.mode'],
    ['bad include', 'group:\n  by: [rule]\n  include: everything\n', 'invalid_value', 'group.include'],
    ['cap below 1', 'dedup:\n  fingerprint: [rule]\n  max_active_alerts: 0\n', 'invalid_value', 'dedup.max_active_alerts'],
    ['cap not an integer', 'max_silences: 1.5\n', 'wrong_type', 'max_silences'],
    ['strip_event not a boolean', 'strip_event: "yes"\n', 'wrong_type', 'strip_event'],
    ['section not a mapping', 'dedup: [rule]\n', 'wrong_type', 'dedup'],
    ['fingerprint not a list', 'dedup:\n  fingerprint: rule\n', 'wrong_type', 'dedup.fingerprint'],
    ['unknown level in scope', 'scope:\n  levels: [severe]\n', 'invalid_value', 'scope.levels'],
    [
      'unknown matcher op',
      'silences:\n  - matchers: [{ selector: rule, op: "==", value: x }]\n',
      'invalid_value',
      'silences[0].matchers[0].op',
    ],
    ['matcher without value', 'silences:\n  - matchers: [{ selector: rule }]\n', 'missing_key', 'silences[0].matchers[0].value'],
    ['silence without matchers', 'silences:\n  - comment: nothing\n', 'missing_key', 'silences[0].matchers'],
    [
      'bad silence time',
      'silences:\n  - matchers: [{ selector: rule, value: x }]\n    starts_at: tomorrow\n',
      'invalid_timestamp',
      'silences[0].starts_at',
    ],
    [
      'silence ending before it starts',
      'silences:\n  - matchers: [{ selector: rule, value: x }]\n    starts_at: "2026-01-02T00:00:00Z"\n    ends_at: "2026-01-01T00:00:00Z"\n',
      'invalid_timestamp',
      'silences[0].ends_at',
    ],
    [
      'duplicate silence id',
      'silences:\n  - { id: a, matchers: [{ selector: rule, value: x }] }\n  - { id: a, matchers: [{ selector: rule, value: y }] }\n',
      'invalid_value',
      'silences[1].id',
    ],
    [
      'duplicate inhibit rule name',
      [
        'inhibit_rules:',
        '  - { name: r, source_match: [{ selector: level, value: critical }], target_match: [{ selector: level, value: high }] }',
        '  - { name: r, source_match: [{ selector: level, value: high }], target_match: [{ selector: level, value: low }] }',
      ].join('\n'),
      'invalid_value',
      'inhibit_rules[1].name',
    ],
    [
      'inhibit rule without target',
      'inhibit_rules:\n  - source_match: [{ selector: level, value: critical }]\n',
      'missing_key',
      'inhibit_rules[0].target_match',
    ],
    ['nats_subject not a string', 'group:\n  by: [rule]\n  nats_subject: 5\n', 'wrong_type', 'group.nats_subject'],
  ])('%s', (_name, yaml, code, key) => {
    expectError(yaml, code, key);
  });

  it('invalid YAML is yaml_syntax with a position', () => {
    const error = errorOf(() => parseAlertPipelineConfig('dedup:\n  fingerprint: [rule\n', 'alerts.yml'));
    expect(error.code).toBe('yaml_syntax');
    expect(error.spot.line).toBeGreaterThan(0);
  });

  it('a duplicate key is yaml_syntax', () => {
    expect(errorOf(() => parseAlertPipelineConfig('strip_event: true\nstrip_event: false\n')).code).toBe('yaml_syntax');
  });

  it('an unreadable file is io naming the path', async () => {
    const path = join(tmpdir(), 'no-such-dir-tsigma', 'alerts.yml');
    await expect(loadAlertPipelineFile(path)).rejects.toMatchObject({ code: 'io', spot: { source: path } });
  });
});

describe('parseAlertPipelineConfig: what it builds', () => {
  it('an empty file is a pipeline with no stage: every result passes unchanged', () => {
    const p = parseAlertPipelineConfig('');
    const st = new AlertPipelineState();
    const r = detection('10.0.0.1');
    expect(p.process([r], st, 0)).toEqual([detection('10.0.0.1')]);
    expect(p.maxSilences).toBe(1000);
    expect(p.incidentNatsSubject).toBeUndefined();
  });

  it('durations truncate to whole seconds; a bare 0 is zero; scalar matcher values become text', () => {
    const p = parseAlertPipelineConfig(
      [
        'dedup:',
        '  fingerprint: [match.Port]',
        '  resolve_timeout: 1500ms',
        '  repeat_interval: 0',
        'silences:',
        '  - matchers: [{ selector: match.Port, value: 22 }]',
        'group:',
        '  by: [rule]',
        '  nats_subject: incidents.out',
      ].join('\n'),
    );
    expect(p.incidentNatsSubject).toBe('incidents.out');
    const st = new AlertPipelineState();
    p.install(st);
    const port = (n: number) => detection('x', 'high', { matched_fields: [{ field: 'Port', value: n }] });
    expect(p.process([port(22)], st, 0)).toEqual([]);
    expect(p.process([port(23)], st, 0)).toHaveLength(1);
    // resolve_timeout 1500ms → 1 s: resolved one second later.
    expect(p.tick(st, 1).dedupLines.map((r) => r.enrichments?.['dedup_state'])).toEqual(['resolved']);
  });

  it('a static silence without id gets a stable static-<fnv> id; the same text gives the same id', () => {
    const yaml = 'silences:\n  - matchers: [{ selector: rule, op: "=", value: noisy }]\n    ends_at: "2026-01-02T00:00:00Z"\n';
    const a = parseAlertPipelineConfig(yaml).staticSilences();
    const b = parseAlertPipelineConfig(yaml).staticSilences();
    expect(a[0]?.id).toMatch(/^static-[0-9a-f]{16}$/);
    expect(a[0]?.id).toBe(b[0]?.id);
    // The canonical text of spec 08 §2: selector \x1f op \x1f value per matcher, then \x1e starts_at and \x1e ends_at.
    expect(a[0]?.id).toBe(`static-${fnv1a64Hex('rule\x1f=\x1fnoisy\x1e\x1e1767312000')}`);
    const other = parseAlertPipelineConfig(yaml.replace('noisy', 'quiet')).staticSilences();
    expect(other[0]?.id).not.toBe(a[0]?.id);
  });

  it('buildAlertPipeline takes a plain object (JSON config) and names its source in errors', () => {
    expect(buildAlertPipeline({ dedup: { fingerprint: ['rule'] } }).maxSilences).toBe(1000);
    const error = errorOf(() => buildAlertPipeline({ group: { by: ['rule'], group_wiat: '1s' } }, 'inline'));
    expect(error.message).toMatch(/^inline \(group\.group_wiat\): unknown key 'group_wiat' in group; did you mean 'group_wait'\?/);
  });

  it('loadAlertPipelineFile reads and validates a file, naming it in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-alert-'));
    try {
      const good = join(dir, 'good.yml');
      writeFileSync(good, 'dedup:\n  fingerprint: [rule]\n');
      expect((await loadAlertPipelineFile(good)).maxSilences).toBe(1000);
      const bad = join(dir, 'bad.yml');
      writeFileSync(bad, 'group:\n  by: [rule]\n  wait: 30s\n');
      await expect(loadAlertPipelineFile(bad)).rejects.toMatchObject({
        code: 'unknown_key',
        spot: { source: bad, key: 'group.wait', line: 3 },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('buildAlertPipeline on arbitrary input', () => {
  it('either builds or throws an AlertPipelineError, never anything else', () => {
    const anyValue = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('rule', 'match.x', '30s', '0', '(', 'group_by', 'entity_graph', 'refs', '=~', '2026-01-01T00:00:00Z'),
      fc.array(fc.constantFrom('rule', 'tags', 'event.a', 'nope', 5, null), { maxLength: 3 }),
    );
    const matcher = fc.record({ selector: anyValue, op: anyValue, value: anyValue }, { requiredKeys: [] });
    const config = fc.record(
      {
        strip_event: anyValue,
        scope: fc.oneof(anyValue, fc.record({ rules: anyValue, tags: anyValue, levels: anyValue }, { requiredKeys: [] })),
        max_silences: anyValue,
        dedup: fc.oneof(
          anyValue,
          fc.record(
            { fingerprint: anyValue, repeat_interval: anyValue, resolve_timeout: anyValue, max_active_alerts: anyValue },
            { requiredKeys: [] },
          ),
        ),
        group: fc.oneof(
          anyValue,
          fc.record(
            {
              mode: anyValue,
              by: anyValue,
              entities: anyValue,
              group_wait: anyValue,
              include: anyValue,
              caps: anyValue,
              stop_values: anyValue,
              nats_subject: anyValue,
            },
            { requiredKeys: [] },
          ),
        ),
        silences: fc.oneof(
          anyValue,
          fc.array(
            fc.record(
              { id: anyValue, matchers: fc.array(matcher, { maxLength: 2 }), starts_at: anyValue, ends_at: anyValue },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
        ),
        inhibit_rules: fc.oneof(
          anyValue,
          fc.array(
            fc.record(
              {
                name: anyValue,
                source_match: fc.array(matcher, { maxLength: 2 }),
                target_match: fc.array(matcher, { maxLength: 2 }),
                equal: anyValue,
                duration: anyValue,
              },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, (value) => {
        try {
          buildAlertPipeline(value);
        } catch (error) {
          expect(error).toBeInstanceOf(AlertPipelineError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
