// The single error class of the pipeline module (spec 04 §9): load-time and rule-time codes with a location.
// It only describes failures; it never decides whether a rule is skipped (the engine does).

/** Every code a {@link PipelineError} can carry (spec 04 §9). */
export type PipelineErrorCode =
  // load time
  | 'yaml_syntax'
  | 'not_a_mapping'
  | 'missing_param'
  | 'invalid_param'
  | 'unknown_transformation'
  | 'unsupported_transformation'
  | 'unknown_condition'
  | 'invalid_regex'
  | 'condition_expr_syntax'
  | 'unknown_condition_id'
  | 'source_template_outside_vars'
  | 'io'
  // rule time
  | 'pipeline_rule_failure'
  | 'pipeline_detection_item_failure'
  | 'undefined_placeholder'
  | 'unresolved_placeholder'
  | 'mapping_explosion'
  | 'hashes_no_valid_algorithm';

/** Where a pipeline problem is: file position (when known) and the YAML path of the item. */
export interface PipelineErrorSpot {
  file?: string;
  line?: number;
  column?: number;
  /** YAML path of the offending node, e.g. `transformations[3].mapping`. */
  path: string;
  /** Title of the rule being transformed (rule-time errors only). */
  ruleTitle?: string;
}

/** A pipeline could not be loaded, or a pipeline could not be applied to one rule. */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly path: string;
  readonly ruleTitle?: string;
  /** The message without file position or path. */
  readonly detail: string;

  constructor(
    readonly code: PipelineErrorCode,
    detail: string,
    spot: PipelineErrorSpot,
    options?: ErrorOptions,
  ) {
    const pos = spot.file !== undefined ? `${spot.file}${spot.line !== undefined ? `:${spot.line}:${spot.column ?? 1}` : ''}: ` : '';
    // Rule-time messages already name the rule; load-time messages name the item.
    const where = spot.path && spot.ruleTitle === undefined ? ` (${spot.path})` : '';
    super(`${pos}${detail}${where}`, options);
    this.detail = detail;
    if (spot.file !== undefined) this.file = spot.file;
    if (spot.line !== undefined) this.line = spot.line;
    if (spot.column !== undefined) this.column = spot.column;
    this.path = spot.path;
    if (spot.ruleTitle !== undefined) this.ruleTitle = spot.ruleTitle;
  }
}
