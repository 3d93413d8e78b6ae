// The typed, plain-data AST every other package consumes (spec 01 §10).
// Nothing here parses or evaluates; it only names the shapes.

/** Rule severity (`level`). */
export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
/** Rule maturity (`status`). */
export type Status = 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';

/** A 1-based position in a rule file. */
export interface SourceLocation {
  file?: string;
  line: number;
  column: number;
}

/** Metadata shared by detection, correlation and filter rules. */
export interface RuleMeta {
  title: string;
  id?: string;
  name?: string;
  status?: Status;
  level?: Level;
  description?: string;
  license?: string;
  author?: string;
  taxonomy?: string;
  date?: string;
  modified?: string;
  references: string[];
  tags: string[];
  falsepositives: string[];
  fields: string[];
  scope: string[];
  related: { id: string; type: string }[];
  sigmaVersion?: number;
  customAttributes: Record<string, unknown>;
  source: { file?: string; documentIndex: number; location: SourceLocation };
}

/** `logsource` of a rule; unknown string keys are kept in `custom`. */
export interface LogSource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
  custom: Record<string, string>;
}

/** A detection rule. */
export interface SigmaRule extends RuleMeta {
  kind: 'rule';
  logsource: LogSource;
  detection: Detections;
}

/** The `detection` block: named detections (YAML order) and the parsed conditions (OR-ed). */
export interface Detections {
  named: Map<string, Detection>;
  conditions: ConditionExpr[];
  conditionStrings: string[];
  timeframe?: string;
}

/** One named detection: a map (AND of items), a list of alternatives (OR), or keywords. */
export type Detection =
  { kind: 'allOf'; items: DetectionItem[] } | { kind: 'anyOf'; branches: Detection[] } | { kind: 'keywords'; values: SigmaValue[] };

/** `Field|mods: values` inside a detection mapping. */
export interface DetectionItem {
  field: FieldSpec;
  values: SigmaValue[];
  location: SourceLocation;
}

/** A field name (null for keyword items) and its normalised modifiers. */
export interface FieldSpec {
  name: string | null;
  modifiers: Modifier[];
  /** Set only by pipelines (04 §5.1): ordered alternative paths. */
  coalesce?: string[];
}

/** Value modifiers with aliases normalised (`utf16le` → `wide`, `ignorecase` → `i`, `multiline` → `m`, `dotall` → `s`). */
export type Modifier =
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'all'
  | 'exists'
  | 'cased'
  | 'neq'
  | 'windash'
  | 're'
  | 'i'
  | 'm'
  | 's'
  | 'base64'
  | 'base64offset'
  | 'wide'
  | 'utf16be'
  | 'utf16'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'minute'
  | 'hour'
  | 'day'
  | 'week'
  | 'month'
  | 'year'
  | 'cidr'
  | 'expand'
  | 'fieldref';

/** A string value as typed parts: literal text and unescaped wildcards. */
export interface SigmaString {
  parts: ({ text: string } | { wildcard: '*' | '?' })[];
  /** The source text, before escape processing. */
  original: string;
  /** True under `re` and `cidr`, whose text is kept verbatim in one text part. */
  raw: boolean;
}

/** One value of a detection item. */
export type SigmaValue =
  | { type: 'string'; value: SigmaString; coalesce?: string[] }
  | { type: 'number'; value: number; isInteger: boolean }
  | { type: 'bool'; value: boolean }
  | { type: 'null' };

/** The parsed condition grammar (spec 01 §7). */
export type ConditionExpr =
  | { op: 'and' | 'or'; args: ConditionExpr[] }
  | { op: 'not'; arg: ConditionExpr }
  | { op: 'id'; name: string }
  | {
      op: 'of';
      quantifier: 'any' | 'all' | number;
      /** A name pattern (`selection_*`), or `them`: every detection whose name does not start with `_`. */
      pattern: string;
    };

/** Correlation types: Sigma v2 and v2.1, plus `value_median` (rsigma extension). */
export type CorrelationType =
  'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile' | 'value_median';

/** A Sigma timespan such as `5m`, with its length in seconds. */
export interface Timespan {
  count: number;
  unit: 's' | 'm' | 'h' | 'd' | 'w' | 'M' | 'y';
  seconds: number;
  original: string;
}

/** A threshold over the aggregated value (several predicates are ANDed), or a boolean expression over rule names (temporal types). */
export type CorrelationCondition =
  | {
      kind: 'threshold';
      predicates: { op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq'; value: number }[];
      field?: string[];
      percentile?: number;
    }
  | { kind: 'expression'; expr: ConditionExpr };

/** A correlation rule (spec 01 §8). */
export interface CorrelationRule extends RuleMeta {
  kind: 'correlation';
  type: CorrelationType;
  rules: string[];
  groupBy: string[];
  timespan: Timespan;
  window: 'sliding' | 'tumbling' | 'session';
  gap?: Timespan;
  condition: CorrelationCondition;
  aliases: { alias: string; mapping: Record<string, string> }[];
  generate: boolean;
  /** Set by pipelines: field name → ordered alternative paths. */
  fieldCoalesce?: Record<string, string[]>;
}

/** A filter (meta-filter) rule (spec 01 §9). */
export interface FilterRule extends RuleMeta {
  kind: 'filter';
  logsource?: LogSource;
  rules: 'any' | string[];
  detection: Detections;
}
