// What a lint run reports: findings as plain data, and the text edits behind `--fix`.
import type { LintRuleId, Severity } from './rules.js';

/** One problem in one file, located by line, column (1-based) and JSON pointer into its document. */
export interface Finding {
  path: string;
  line: number;
  column: number;
  severity: Severity;
  rule: LintRuleId;
  message: string;
  /** JSON pointer into the document (`/detection/sel/Image`); `''` for the whole document. */
  pointer: string;
  /** Index of the YAML document in a multi-document file (0 for the first). */
  document: number;
  /** True when `--fix` can repair this finding. */
  fixable: boolean;
}

/** Replace `[start, end)` of a file's text with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** JSON pointer of a path of keys and indices (RFC 6901 escaping). */
export function pointerOf(parts: readonly (string | number)[]): string {
  return parts.map((p) => '/' + String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}
