// The parser's error type: one class for syntax errors and warnings, with a closed code union.
// It only describes problems; it never decides whether a document is kept (the caller does).

/** Every problem code the parser can report (spec 01 §11). */
export type SigmaParseErrorCode =
  | 'yaml_syntax'
  | 'not_a_mapping'
  | 'duplicate_key'
  | 'unknown_action'
  | 'repeat_without_previous'
  | 'merge_too_deep'
  | 'missing_field'
  | 'invalid_enum'
  | 'empty_detection'
  | 'invalid_value'
  | 'empty_value_list'
  | 'null_in_list'
  | 'unknown_modifier'
  | 'not_is_not_a_modifier'
  | 'conflicting_modifiers'
  | 'regex_flag_without_re'
  | 'all_single_value'
  | 'incompatible_value'
  | 'invalid_cidr'
  | 'modifier_order'
  | 'condition_syntax'
  | 'condition_too_complex'
  | 'deprecated_aggregation'
  | 'unknown_identifier'
  | 'empty_selector'
  | 'reserved_identifier'
  | 'unreferenceable_identifier'
  | 'invalid_correlation'
  | 'invalid_timespan'
  | 'missing_group_by'
  | 'invalid_filter'
  | 'io';

/** `error` rejects the document it belongs to; `warning` keeps it. */
export type SigmaParseSeverity = 'error' | 'warning';

/** Where a problem is and which rule it belongs to; every field is optional. */
export interface SigmaParseErrorDetails {
  severity?: SigmaParseSeverity;
  file?: string;
  line?: number;
  column?: number;
  documentIndex?: number;
  path?: string;
  ruleTitle?: string;
}

/**
 * A problem found while reading Sigma source: an error (the document is rejected) or a warning.
 *
 * @example
 * new SigmaParseError('unknown_modifier', "unknown modifier 'contians' on field 'CommandLine'", { file: 'x.yml', line: 9, column: 9 }).toString();
 * // "x.yml:9:9: error[unknown_modifier]: unknown modifier 'contians' on field 'CommandLine'"
 */
export class SigmaParseError extends Error {
  override readonly name = 'SigmaParseError';
  readonly code: SigmaParseErrorCode;
  readonly severity: SigmaParseSeverity;
  file?: string;
  line?: number;
  column?: number;
  documentIndex?: number;
  /** YAML path of the offending key or value, e.g. `detection.selection.CommandLine|contians`. */
  path?: string;
  ruleTitle?: string;

  constructor(code: SigmaParseErrorCode, message: string, details: SigmaParseErrorDetails = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.severity = details.severity ?? 'error';
    if (details.file !== undefined) this.file = details.file;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
    if (details.documentIndex !== undefined) this.documentIndex = details.documentIndex;
    if (details.path !== undefined) this.path = details.path;
    if (details.ruleTitle !== undefined) this.ruleTitle = details.ruleTitle;
  }

  /** Renders `file:line:col: severity[code]: message (in rule "Title")`; unknown location parts are left out. */
  override toString(): string {
    let where = '';
    if (this.line !== undefined) {
      where = `${this.file ?? '<input>'}:${this.line}:${this.column ?? 1}: `;
    } else if (this.file !== undefined) {
      where = `${this.file}: `;
    }
    const rule = this.ruleTitle !== undefined ? ` (in rule "${this.ruleTitle}")` : '';
    return `${where}${this.severity}[${this.code}]: ${this.message}${rule}`;
  }
}
