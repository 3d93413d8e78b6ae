// Every lint rule fires on the broken fixtures of test/fixtures/broken, at the line and column stated here.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINT_RULES, lintPaths, type LintRuleId } from '../src/index.js';

/** Where each rule fires first: file, line, column. */
const EXPECTED: Record<LintRuleId, [string, number, number]> = {
  file_read_error: ['dangling.yml', 1, 1],
  yaml_parse_error: ['bad-yaml.yml', 3, 1],
  not_a_mapping: ['a-list.yml', 1, 1],
  parse_error: ['unknown-modifier.yml', 9, 5],
  missing_title: ['keys-and-values.yml', 1, 1],
  empty_title: ['metadata.yml', 1, 8],
  title_too_long: ['incomplete.yml', 1, 8],
  name_too_long: ['metadata.yml', 2, 7],
  description_too_long: ['metadata.yml', 3, 14],
  missing_description: ['keys-and-values.yml', 1, 1],
  missing_author: ['keys-and-values.yml', 1, 1],
  invalid_status: ['keys-and-values.yml', 2, 9],
  invalid_level: ['keys-and-values.yml', 3, 8],
  missing_level: ['incomplete.yml', 1, 1],
  invalid_date: ['keys-and-values.yml', 4, 7],
  invalid_modified: ['keys-and-values.yml', 5, 11],
  modified_before_date: ['metadata.yml', 6, 11],
  invalid_id: ['keys-and-values.yml', 1, 5],
  non_lowercase_key: ['keys-and-values.yml', 6, 1],
  unknown_key: ['keys-and-values.yml', 8, 1],
  missing_logsource: ['incomplete.yml', 1, 1],
  missing_detection: ['incomplete.yml', 1, 1],
  empty_detection: ['empty-detection.yml', 8, 3],
  missing_condition: ['no-condition.yml', 7, 1],
  logsource_value_not_lowercase: ['keys-and-values.yml', 10, 12],
  condition_references_unknown: ['keys-and-values.yml', 14, 28],
  deprecated_aggregation_syntax: ['values.yml', 22, 60],
  wildcard_only_value: ['keys-and-values.yml', 13, 12],
  empty_value_list: ['values.yml', 9, 8],
  null_in_value_list: ['values.yml', 13, 9],
  single_value_all_modifier: ['values.yml', 15, 5],
  all_with_re: ['values.yml', 17, 5],
  incompatible_modifiers: ['values.yml', 21, 5],
  duplicate_tags: ['metadata.yml', 11, 5],
  duplicate_references: ['metadata.yml', 16, 5],
  duplicate_fields: ['metadata.yml', 19, 5],
  invalid_tag: ['metadata.yml', 12, 5],
  unknown_tag_namespace: ['metadata.yml', 13, 5],
  missing_correlation_type: ['correlations.yml', 32, 1],
  invalid_correlation_type: ['correlations.yml', 7, 9],
  missing_correlation_rules: ['correlations.yml', 41, 1],
  missing_correlation_timespan: ['correlations.yml', 19, 1],
  invalid_timespan_format: ['correlations.yml', 10, 13],
  missing_correlation_condition: ['correlations.yml', 41, 1],
  missing_condition_field: ['correlations.yml', 23, 3],
  invalid_condition_operator: ['correlations.yml', 25, 5],
  condition_value_not_numeric: ['correlations.yml', 24, 10],
  missing_group_by: ['correlations.yml', 19, 1],
  generate_not_boolean: ['correlations.yml', 13, 13],
  invalid_window_mode: ['correlations.yml', 11, 11],
  missing_session_gap: ['correlations.yml', 26, 11],
  gap_without_session: ['correlations.yml', 12, 3],
  invalid_gap_format: ['correlations.yml', 12, 8],
  unknown_rule_reference: ['correlations.yml', 9, 7],
  missing_filter_rules: ['filters.yml', 17, 1],
  empty_filter_rules: ['filters.yml', 9, 10],
  missing_filter_selection: ['filters.yml', 9, 3],
  missing_filter_condition: ['filters.yml', 17, 1],
  filter_has_level: ['filters.yml', 4, 1],
  filter_has_status: ['filters.yml', 5, 1],
  invalid_related_type: ['related.yml', 8, 11],
  invalid_related_id: ['related.yml', 7, 9],
  related_missing_required: ['related.yml', 9, 5],
  deprecated_without_related: ['metadata.yml', 7, 1],
};

const dir = mkdtempSync(join(tmpdir(), 'tsigma-lint-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('broken fixtures', () => {
  // A copy, plus a link to nothing: the one file no checkout can hold unreadable.
  cpSync(join(import.meta.dirname, 'fixtures/broken'), dir, { recursive: true });
  symlinkSync(join(dir, 'does-not-exist'), join(dir, 'dangling.yml'));
  const run = lintPaths([dir]);

  it('covers every lint rule', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(LINT_RULES).sort());
  });

  for (const [rule, [file, line, column]] of Object.entries(EXPECTED)) {
    it(`${rule} fires at ${file}:${line}:${column} with its default severity`, () => {
      const hits = run.findings.filter((f) => f.rule === rule).map((f) => [basename(f.path), f.line, f.column, f.severity]);
      expect(hits).toContainEqual([file, line, column, LINT_RULES[rule as LintRuleId].severity]);
    });
  }

  it('reports nothing a rule was not written to trigger', () => {
    // Each fixture finding is expected: the totals guard against new checks firing on unrelated lines.
    expect(run.findings).toHaveLength(66);
  });

  it('does not resolve references when linting one file', () => {
    const single = lintPaths([join(dir, 'correlations.yml')]);
    expect(single.findings.map((f) => f.rule)).not.toContain('unknown_rule_reference');
  });
});
