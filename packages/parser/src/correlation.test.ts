import { describe, expect, it } from 'vitest';
import type { CorrelationRule } from './ast.js';
import { parseSigmaYaml } from './parse-yaml.js';

function corr(body: string, extra = ''): string {
  return `title: C\n${extra}correlation:\n${body}`;
}

function only(text: string): CorrelationRule {
  const c = parseSigmaYaml(text);
  expect(c.errors.filter((e) => e.severity === 'error').map(String)).toEqual([]);
  expect(c.correlations).toHaveLength(1);
  return c.correlations[0] as CorrelationRule;
}

function codes(text: string): string[] {
  return parseSigmaYaml(text).errors.map((e) => `${e.severity}:${e.code}`);
}

const base = '  rules: [a, b]\n  group-by: [User]\n  timespan: 5m\n';

describe('correlation rules', () => {
  it('reads an event_count correlation', () => {
    const r = only(corr(`  type: event_count\n${base}  condition:\n    gte: 10\n`, 'level: high\n'));
    expect(r).toMatchObject({
      kind: 'correlation',
      title: 'C',
      level: 'high',
      type: 'event_count',
      rules: ['a', 'b'],
      groupBy: ['User'],
      timespan: { count: 5, unit: 'm', seconds: 300, original: '5m' },
      window: 'sliding',
      condition: { kind: 'threshold', predicates: [{ op: 'gte', value: 10 }] },
      aliases: [],
      generate: false,
    });
  });

  it('accepts single strings for rules and group-by, and timeframe for timespan', () => {
    const r = only(corr('  type: event_count\n  rules: a\n  group-by: User\n  timeframe: 1h\n  condition: {gt: 1, lte: 5}\n'));
    expect([r.rules, r.groupBy, r.timespan.seconds]).toEqual([['a'], ['User'], 3600]);
    expect(r.condition).toEqual({
      kind: 'threshold',
      predicates: [
        { op: 'gt', value: 1 },
        { op: 'lte', value: 5 },
      ],
    });
  });

  it('defaults a temporal condition to all rules (test vector 7)', () => {
    const r = only(corr('  type: temporal\n  rules: [a, b, c]\n  group-by: [h]\n  timespan: 1m\n'));
    expect(r.condition).toEqual({ kind: 'threshold', predicates: [{ op: 'gte', value: 3 }] });
  });

  it('requires condition.field for value types (test vector 8)', () => {
    expect(codes(corr(`  type: value_sum\n${base}  condition:\n    gt: 5\n`))).toEqual(['error:invalid_correlation']);
    for (const t of ['value_count', 'value_avg', 'value_percentile', 'value_median']) {
      expect(codes(corr(`  type: ${t}\n${base}  condition:\n    gt: 5\n`))).toEqual(['error:invalid_correlation']);
    }
    const r = only(corr(`  type: value_count\n${base}  condition:\n    field: [a, b]\n    gt: 5\n`));
    expect(r.condition).toEqual({ kind: 'threshold', predicates: [{ op: 'gt', value: 5 }], field: ['a', 'b'] });
    expect(codes(corr(`  type: value_sum\n${base}  condition:\n    field: [a, b]\n    gt: 5\n`))).toEqual(['error:invalid_correlation']);
  });

  it('defaults the percentile and checks its range', () => {
    const r = only(corr(`  type: value_percentile\n${base}  condition:\n    field: x\n    gt: 5\n`));
    expect(r.condition).toMatchObject({ percentile: 50, field: ['x'] });
    expect(
      only(corr(`  type: value_percentile\n${base}  condition:\n    field: x\n    percentile: 95\n    gt: 5\n`)).condition,
    ).toMatchObject({ percentile: 95 });
    expect(codes(corr(`  type: value_percentile\n${base}  condition:\n    field: x\n    percentile: 101\n    gt: 5\n`))).toEqual([
      'error:invalid_correlation',
    ]);
    expect(codes(corr(`  type: value_avg\n${base}  condition:\n    field: x\n    percentile: 5\n    gt: 5\n`))).toEqual([
      'error:invalid_correlation',
    ]);
  });

  it('reads a condition expression for temporal types only', () => {
    const r = only(corr('  type: temporal_ordered\n  rules: [a, b]\n  group-by: [h]\n  timespan: 1m\n  condition: a and not b\n'));
    expect(r.condition).toEqual({
      kind: 'expression',
      expr: {
        op: 'and',
        args: [
          { op: 'id', name: 'a' },
          { op: 'not', arg: { op: 'id', name: 'b' } },
        ],
      },
    });
    expect(codes(corr('  type: temporal\n  rules: [a, b]\n  group-by: [h]\n  timespan: 1m\n  condition: a and c\n'))).toEqual([
      'error:unknown_identifier',
    ]);
    expect(codes(corr('  type: temporal\n  rules: [a, b]\n  group-by: [h]\n  timespan: 1m\n  condition: 1 of a*\n'))).toEqual([
      'error:condition_syntax',
    ]);
    expect(codes(corr(`  type: event_count\n${base}  condition: a\n`))).toEqual(['error:invalid_correlation']);
  });

  it('rejects bad conditions', () => {
    expect(codes(corr(`  type: event_count\n${base}`))).toEqual(['error:invalid_correlation']);
    expect(codes(corr(`  type: event_count\n${base}  condition: {field: x}\n`))).toEqual(['error:invalid_correlation']);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1, above: 2}\n`))).toEqual(['error:invalid_correlation']);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: many}\n`))).toEqual([
      'error:invalid_correlation',
      'error:invalid_correlation',
    ]);
    expect(codes(corr(`  type: event_count\n${base}  condition: [gte]\n`))).toEqual(['error:invalid_correlation']);
  });

  it('checks type, rules and timespan', () => {
    expect(codes(corr(`  type: event_sum\n${base}  condition: {gte: 1}\n`))).toEqual(['error:invalid_correlation']);
    expect(codes(corr(`${base}  condition: {gte: 1}\n`))).toEqual(['error:missing_field']);
    expect(codes(corr('  type: event_count\n  group-by: [x]\n  timespan: 5m\n  condition: {gte: 1}\n'))).toEqual(['error:missing_field']);
    expect(codes(corr('  type: event_count\n  rules: []\n  group-by: [x]\n  timespan: 5m\n  condition: {gte: 1}\n'))).toEqual([
      'error:invalid_correlation',
    ]);
    expect(codes(corr('  type: event_count\n  rules: [a]\n  group-by: [x]\n  condition: {gte: 1}\n'))).toEqual(['error:missing_field']);
    expect(codes(corr('  type: event_count\n  rules: [a]\n  group-by: [x]\n  timespan: 1.5h\n  condition: {gte: 1}\n'))).toEqual([
      'error:invalid_timespan',
    ]);
    expect(codes('title: C\ncorrelation: event_count')).toEqual(['error:invalid_correlation']);
  });

  it('warns about a missing group-by and unknown keys', () => {
    const text = corr('  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 1}\n  colour: red\n');
    expect(codes(text)).toEqual(['warning:invalid_correlation', 'warning:missing_group_by']);
    expect(parseSigmaYaml(text).correlations[0]?.groupBy).toEqual([]);
  });

  it('reads aliases and generate', () => {
    const r = only(
      corr(
        `  type: event_count\n${base}  condition: {gte: 1}\n  aliases:\n    ip:\n      a: SourceIp\n      b: DestIp\n`,
        'generate: true\n',
      ),
    );
    expect(r.aliases).toEqual([{ alias: 'ip', mapping: { a: 'SourceIp', b: 'DestIp' } }]);
    expect(r.generate).toBe(true);
    expect(only(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  generate: true\n`)).generate).toBe(true);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  aliases: [x]\n`))).toEqual(['error:invalid_correlation']);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  aliases:\n    ip: x\n`))).toEqual([
      'error:invalid_correlation',
    ]);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  generate: maybe\n`))).toEqual(['error:invalid_correlation']);
  });

  it('reads windows, with top-level engine attributes winning', () => {
    const r = only(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  window: session\n  gap: 30s\n`));
    expect([r.window, r.gap?.seconds]).toEqual(['session', 30]);
    expect(only(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  window: tumbling\n`)).window).toBe('tumbling');
    const top = only(
      corr(`  type: event_count\n${base}  condition: {gte: 1}\n  window: tumbling\n`, 'tsigma.window: session\nrsigma.gap: 1m\n'),
    );
    expect([top.window, top.gap?.seconds, top.customAttributes['tsigma.window']]).toEqual(['session', 60, 'session']);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  window: session\n`))).toEqual(['error:invalid_correlation']);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  gap: 5m\n`))).toEqual(['error:invalid_correlation']);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1}\n  window: hopping\n`))).toEqual(['error:invalid_correlation']);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1}\n`, 'tsigma.window: 5\n'))).toEqual([
      'warning:invalid_correlation',
    ]);
    expect(codes(corr(`  type: event_count\n${base}  condition: {gte: 1}\n`, 'tsigma.window: session\ntsigma.gap: soon\n'))).toEqual([
      'warning:invalid_timespan',
      'error:invalid_correlation',
    ]);
  });

  it('parses timespans of every unit (test vector 9)', () => {
    expect(
      only(corr('  type: event_count\n  rules: [a]\n  group-by: [x]\n  timespan: 90m\n  condition: {gte: 1}\n')).timespan.seconds,
    ).toBe(5400);
    expect(codes(corr('  type: event_count\n  rules: [a]\n  group-by: [x]\n  timespan: 1.5h\n  condition: {gte: 1}\n'))).toEqual([
      'error:invalid_timespan',
    ]);
  });
});
