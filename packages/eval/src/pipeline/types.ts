// Data model of processing pipelines (spec 04 §1–§3): pipelines, processing items, conditions and results.
// Plain data only; parsing lives in parse.ts and rule rewriting in transform.ts.

import type { CorrelationRule, FilterRule, SigmaRule } from '@tsigma/parser';

import type { PipelineRegex } from './pattern.js';

/** Any document a pipeline can rewrite. */
export type AnyRule = SigmaRule | CorrelationRule | FilterRule;

/** A parsed processing pipeline (spec 04 §1). */
export interface Pipeline {
  name: string;
  priority: number;
  vars: Record<string, string[]>;
  items: ProcessingItem[];
  postprocessing: unknown[];
  finalizers: unknown[];
  /** Raw top-level `sources:` for @tsigma/sources (09 §1). */
  sources: unknown[];
  file?: string;
  /** Non-fatal problems found while parsing (e.g. unknown top-level keys). */
  warnings?: string[];
}

/** A boolean expression over condition ids (spec 04 §3 `*_cond_expr`). */
export type CondExpr = { op: 'and' | 'or'; args: CondExpr[] } | { op: 'not'; arg: CondExpr } | { op: 'id'; name: string };

/** A set of conditions with the way they are combined. Empty = true. */
export interface ConditionSet<C> {
  conditions: { id: string; cond: C }[];
  expr: CondExpr | undefined;
  op: 'and' | 'or';
  not: boolean;
}

/** Rule conditions (spec 04 §4). */
export type RuleCondition =
  | { type: 'logsource'; category?: string; product?: string; service?: string }
  | { type: 'contains_detection_item'; field: string; value?: string }
  | { type: 'contains_field'; field: string }
  | { type: 'processing_item_applied'; itemId: string }
  | { type: 'processing_state'; key: string; val: string }
  | { type: 'is_sigma_rule' | 'is_sigma_correlation_rule' | 'is_sigma_filter' }
  | { type: 'rule_attribute'; attribute: string; value: string }
  | { type: 'tag'; tag: string };

/** Detection item conditions (spec 04 §4). */
export type DetectionItemCondition =
  | { type: 'match_string'; pattern: PipelineRegex; cond: 'any' | 'all'; negate: boolean }
  | { type: 'match_value'; value: unknown }
  | { type: 'contains_wildcard'; negate: boolean }
  | { type: 'is_null'; negate: boolean }
  | { type: 'processing_item_applied'; itemId: string }
  | { type: 'processing_state'; key: string; val: string };

/** Field name conditions (spec 04 §4). */
export type FieldNameCondition =
  | { type: 'include_fields' | 'exclude_fields'; fields: string[]; regex: PipelineRegex[] | undefined }
  | { type: 'processing_item_applied'; itemId: string }
  | { type: 'processing_state'; key: string; val: string };

/** One name, or several alternatives, that a field maps to. */
export type Alternatives = 'any' | 'first';

/** A transformation with its validated parameters (spec 04 §5). */
export type Transformation =
  | { type: 'field_name_mapping'; mapping: Map<string, string[]>; alternatives: Alternatives }
  | { type: 'field_name_prefix_mapping'; mapping: Map<string, string[]>; alternatives: Alternatives }
  | { type: 'field_name_prefix'; prefixes: string[]; alternatives: Alternatives }
  | { type: 'field_name_suffix'; suffix: string }
  | { type: 'field_name_transform'; func: 'lower' | 'upper' | 'title' | 'snake_case'; mapping: Map<string, string> }
  | {
      type: 'add_condition';
      conditions: [string, unknown][];
      negated: boolean;
      template: boolean;
      fieldRefs: [string, string][];
      prepend: boolean;
    }
  | { type: 'change_logsource'; category?: string; product?: string; service?: string }
  | { type: 'drop_detection_item' }
  | { type: 'hashes_fields'; algos: string[]; fieldPrefix: string; dropAlgoPrefix: boolean; hashFields: string[] }
  | { type: 'replace_string'; regex: PipelineRegex; replacement: string; skipSpecial: boolean }
  | { type: 'map_string'; mapping: Map<string, string[]> }
  | { type: 'set_value'; value: string | number | boolean | null; forceType?: 'str' | 'num' }
  | { type: 'convert_type'; target: 'str' | 'num' | 'int' | 'float' | 'bool' }
  | { type: 'case'; method: 'lower' | 'upper' | 'snake_case' }
  | { type: 'value_placeholders'; include?: string[]; exclude?: string[]; requireExpand: boolean }
  | { type: 'wildcard_placeholders'; include?: string[]; exclude?: string[] }
  | { type: 'query_expression_placeholders'; expression: string; mapping: Record<string, string>; include?: string[]; exclude?: string[] }
  | { type: 'regex' }
  | { type: 'add_field' | 'remove_field'; fields: string[] }
  | { type: 'set_field'; fields: string[] }
  | { type: 'set_custom_attribute'; attribute: string; value: unknown }
  | { type: 'set_state'; key: string; val: unknown }
  | { type: 'rule_failure'; message: string }
  | { type: 'detection_item_failure'; message: string }
  | { type: 'nest'; items: ProcessingItem[] }
  /** An unexpanded `include:` item (09 §6): @tsigma/sources replaces it before use. */
  | { type: 'include' };

/** One entry of `transformations:` (spec 04 §3). */
export interface ProcessingItem {
  id?: string;
  transformation: Transformation;
  ruleConditions: ConditionSet<RuleCondition>;
  detectionItemConditions: ConditionSet<DetectionItemCondition>;
  fieldNameConditions: ConditionSet<FieldNameCondition>;
  /** Raw `include:` template for @tsigma/sources (09 §6); the item has no effect until expanded. */
  include?: string;
  /** Location of the item, e.g. `transformations[3]`. */
  path: string;
}

/** Result of {@link transformRule}: a rewritten copy of the rule plus tracking data (spec 04 §1, §6). */
export interface TransformedRule {
  rule: AnyRule;
  /** Ids of items that applied, sorted. */
  appliedItems: string[];
  /** Merged `set_state` / placeholder state of all pipelines (later wins). */
  state: Record<string, unknown>;
  /** Non-fatal notes, e.g. a one-to-many mapping reduced to its first name on a correlation or `fieldref`. */
  warnings?: string[];
}
