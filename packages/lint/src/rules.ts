// The catalogue of lint rules: every rule id with its default severity and one line saying what it flags.
// Checks live in check-*.ts; this file only names them, so configs, `--disable` and SARIF share one list.

/** How serious a finding is; `error` fails a lint run by default. */
export type Severity = 'error' | 'warning' | 'info';

/** Severities from most to least serious. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** One lint rule: its default severity, a short description and whether `--fix` can repair it. */
export interface LintRuleInfo {
  severity: Severity;
  description: string;
  fixable?: true;
}

const e = (description: string): LintRuleInfo => ({ severity: 'error', description });
const w = (description: string, fixable?: true): LintRuleInfo =>
  fixable ? { severity: 'warning', description, fixable } : { severity: 'warning', description };
const i = (description: string): LintRuleInfo => ({ severity: 'info', description });

/** Every lint rule by id (spec 11 §5 and issue 19). */
export const LINT_RULES = {
  file_read_error: e('the file cannot be read'),
  yaml_parse_error: e('the file is not valid YAML'),
  not_a_mapping: e('a document is not a mapping'),
  parse_error: e('any other parser error (code and message passed through)'),
  missing_title: e('no title'),
  empty_title: e('the title is empty'),
  title_too_long: w('title over 256 characters'),
  name_too_long: w('name over 256 characters'),
  description_too_long: w('description over 65535 characters'),
  missing_description: i('no description'),
  missing_author: i('no author'),
  invalid_status: e('status not stable, test, experimental, deprecated or unsupported'),
  invalid_level: e('level not informational, low, medium, high or critical'),
  missing_level: w('no level on a detection or correlation rule'),
  invalid_date: e('date not YYYY-MM-DD (a calendar date)'),
  invalid_modified: e('modified not YYYY-MM-DD (a calendar date)'),
  modified_before_date: w('modified earlier than date'),
  invalid_id: w('id not a UUID'),
  non_lowercase_key: w('top-level key with upper-case letters', true),
  unknown_key: i('top-level key outside the Sigma specification'),
  missing_logsource: e('detection rule without logsource'),
  missing_detection: e('detection rule without detection'),
  empty_detection: w('detection block without any search identifier'),
  missing_condition: e('detection without condition'),
  logsource_value_not_lowercase: w('logsource category, product or service with upper case', true),
  condition_references_unknown: e('condition names a detection that does not exist'),
  deprecated_aggregation_syntax: w('aggregation (`| count() ...`) in a condition'),
  wildcard_only_value: w("a value that is only '*' (use exists: true)", true),
  empty_value_list: w('an empty value list'),
  null_in_value_list: w('null inside a value list'),
  single_value_all_modifier: w("'all' modifier on a single value"),
  all_with_re: w("'all' combined with 're'"),
  incompatible_modifiers: e('modifiers that exclude each other on one field'),
  duplicate_tags: w('a tag listed twice', true),
  duplicate_references: w('a reference listed twice', true),
  duplicate_fields: w('a field listed twice in fields', true),
  invalid_tag: w('tag not namespace.value in lower case'),
  unknown_tag_namespace: w('tag namespace outside attack, car, cve, detection, stp, tlp and --tag-namespace'),
  missing_correlation_type: e('correlation without type'),
  invalid_correlation_type: e('correlation type not one of the eight types'),
  missing_correlation_rules: e('correlation without rules'),
  missing_correlation_timespan: e('correlation without timespan'),
  invalid_timespan_format: e('timespan not a duration such as 5m'),
  missing_correlation_condition: e('no condition on a correlation type that needs one'),
  missing_condition_field: e('no condition.field on a value_* correlation'),
  invalid_condition_operator: e('correlation condition key not gt, gte, lt, lte, eq, neq, field or percentile'),
  condition_value_not_numeric: e('correlation condition threshold not a number'),
  missing_group_by: w('no group-by on a correlation type that counts per group (all events form one group)'),
  generate_not_boolean: e('generate not true or false'),
  invalid_window_mode: e('window not sliding, tumbling or session'),
  missing_session_gap: e('session window without gap'),
  gap_without_session: e('gap on a window that is not a session'),
  invalid_gap_format: e('gap not a duration such as 5m'),
  unknown_rule_reference: w('a correlation or filter references a rule not found (directory runs only)'),
  missing_filter_rules: e('filter rules neither a rule reference nor a list of them'),
  empty_filter_rules: w('filter rules is an empty list'),
  missing_filter_selection: e('filter without selection'),
  missing_filter_condition: e('filter without condition'),
  filter_has_level: w('filter rule carrying level'),
  filter_has_status: w('filter rule carrying status'),
  invalid_related_type: e('related type not derived, obsolete, merged, renamed or similar'),
  invalid_related_id: w('related id not a UUID'),
  related_missing_required: e('related entry without id or type'),
  deprecated_without_related: w('status deprecated without related'),
} as const satisfies Record<string, LintRuleInfo>;

/** A lint rule id. */
export type LintRuleId = keyof typeof LINT_RULES;

/** True when `id` names a lint rule. */
export function isLintRuleId(id: string): id is LintRuleId {
  return Object.hasOwn(LINT_RULES, id);
}

/** `a` is at least as serious as `b`. */
export function atLeast(a: Severity, b: Severity): boolean {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b);
}
