// Lints one file's text: the tree checks of check-document.ts plus the parser's own errors, located by line and
// column, with inline suppressions applied. It never reads files; lint-files.ts does.
import { parseSigmaYaml, readYamlDocuments, type SigmaParseError, type SigmaParseErrorCode } from '@tsigma/parser';
import { checkDocument, type RawFinding, type RuleReference } from './check-document.js';
import { pointerOf, type Finding, type TextEdit } from './finding.js';
import { LineIndex } from './line-index.js';
import { LINT_RULES, type LintRuleId, type Severity } from './rules.js';

/** Options of {@link lintText}. */
export interface LintTextOptions {
  /** Path recorded in findings. */
  path?: string;
  /** Tag namespaces accepted besides attack, car, cve, detection, stp and tlp. */
  tagNamespaces?: readonly string[];
  /** Severity per rule id replacing the default; rules listed in `disable` are not reported. */
  severity?: Partial<Record<LintRuleId, Severity>>;
  disable?: readonly LintRuleId[];
}

/** A located rule reference of a file, resolved by directory runs. */
export interface LocatedReference {
  name: string;
  line: number;
  column: number;
  pointer: string;
  document: number;
}

/** Everything linting one text gives: findings, their fixes, and what it defines and references. */
export interface TextReport {
  findings: Finding[];
  /** The edits of each finding, same index as `findings` (empty when not fixable). */
  edits: TextEdit[][];
  defines: string[];
  references: LocatedReference[];
  /** Lines (1-based) and the rules suppressed on them; `'*'` suppresses every rule. */
  suppressed: Map<number, Set<string>>;
}

/** Parser codes with a lint rule of their own; the other parser errors become `parse_error`, other warnings are dropped. */
const PARSER_CODE_RULES: Partial<Record<SigmaParseErrorCode, LintRuleId>> = {
  yaml_syntax: 'yaml_parse_error',
  not_a_mapping: 'not_a_mapping',
  io: 'file_read_error',
  conflicting_modifiers: 'incompatible_modifiers',
  unknown_identifier: 'condition_references_unknown',
  deprecated_aggregation: 'deprecated_aggregation_syntax',
};

const SUPPRESS_RE = /#\s*tsigma-lint-disable-next-line\b([^#\n]*)/;

/**
 * Lints the text of one Sigma rule file and returns its findings, in source order.
 *
 * @example
 * const findings = lintText(readFileSync('rules/x.yml', 'utf8'), { path: 'rules/x.yml' });
 */
export function lintText(text: string, options: LintTextOptions = {}): Finding[] {
  return lintTextReport(text, options).findings;
}

/** {@link lintText} with the fixes, names and references a directory run and `--fix` need. */
export function lintTextReport(text: string, options: LintTextOptions = {}): TextReport {
  const path = options.path ?? '<input>';
  const lines = new LineIndex(text);
  const disabled = new Set<string>(options.disable ?? []);
  const suppressed = suppressions(text);
  const report: TextReport = { findings: [], edits: [], defines: [], references: [], suppressed };
  const add = (
    rule: LintRuleId,
    message: string,
    line: number,
    column: number,
    pointer: string,
    document: number,
    edits: TextEdit[] = [],
  ): void => {
    if (disabled.has(rule)) return;
    const off = suppressed.get(line);
    if (off !== undefined && (off.has('*') || off.has(rule))) return;
    const severity = options.severity?.[rule] ?? LINT_RULES[rule].severity;
    report.findings.push({ path, line, column, severity, rule, message, pointer, document, fixable: edits.length > 0 });
    report.edits.push(edits);
  };

  const own: { raw: RawFinding; document: number; line: number; column: number }[] = [];
  const docs = readYamlDocuments(text);
  docs.forEach((doc, document) => {
    if ('syntax' in doc || doc.tree === null || doc.tree.kind !== 'map') return;
    const result = checkDocument(text, doc.tree, { tagNamespaces: options.tagNamespaces ?? [] });
    for (const raw of result.findings) own.push({ raw, document, ...lines.position(raw.offset) });
    report.defines.push(...result.defines);
    for (const ref of result.references) report.references.push(locate(ref, document, lines));
  });

  // The parser's errors cover what the tree checks do not (condition syntax, modifiers, values); one the tree
  // checks already reported (same document, and same line or pointer) is not repeated.
  const seen = new Set(own.flatMap((o) => [`${o.document}:${o.line}`, `${o.document}:${o.raw.pointer}`]));
  const parsed: { rule: LintRuleId; error: SigmaParseError; pointer: string }[] = [];
  for (const error of parseSigmaYaml(text, { file: path, documents: docs }).errors) {
    const mapped = PARSER_CODE_RULES[error.code];
    if (mapped === undefined && error.severity === 'warning') continue;
    const pointer = error.path === undefined ? '' : pathPointer(error.path);
    const document = error.documentIndex ?? 0;
    if (mapped === undefined && (seen.has(`${document}:${error.line ?? 0}`) || seen.has(`${document}:${pointer}`))) continue;
    parsed.push({ rule: mapped ?? 'parse_error', error, pointer });
  }

  const all = [
    ...own.map((o) => ({ ...o, edits: o.raw.edits, rule: o.raw.rule, message: o.raw.message, pointer: o.raw.pointer })),
    ...parsed.map((p) => ({
      rule: p.rule,
      message: p.rule === 'parse_error' ? `[${p.error.code}] ${p.error.message}` : p.error.message,
      line: p.error.line ?? 1,
      column: p.error.column ?? 1,
      pointer: p.pointer,
      document: p.error.documentIndex ?? 0,
      edits: undefined,
    })),
  ].sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  for (const f of all) add(f.rule, f.message, f.line, f.column, f.pointer, f.document, f.edits);
  return report;
}

function locate(ref: RuleReference, document: number, lines: LineIndex): LocatedReference {
  return { name: ref.name, pointer: ref.pointer, document, ...lines.position(ref.offset) };
}

/**
 * The parser's dotted path (`detection.sel.Image|contains`, `tags[2]`) as a JSON pointer. Field names may contain
 * dots, so under `detection` and `filter` only the search identifier is split off.
 */
function pathPointer(path: string): string {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  if ((parts[0] === 'detection' || parts[0] === 'filter') && parts.length > 3)
    return pointerOf([parts[0], parts[1] ?? '', parts.slice(2).join('.')]);
  return pointerOf(parts);
}

/**
 * Lines whose findings a `# tsigma-lint-disable-next-line [rule, ...]` comment suppresses: the next line that is
 * not itself a comment. Without rule ids every rule is suppressed there.
 */
function suppressions(text: string): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  if (!text.includes('tsigma-lint-disable')) return out;
  const lines = text.split('\n');
  let pending: Set<string> | undefined;
  lines.forEach((line, index) => {
    const m = SUPPRESS_RE.exec(line);
    const commentOnly = /^\s*#/.test(line);
    if (m) {
      const ids = (m[1] ?? '').split(/[\s,]+/).filter(Boolean);
      pending ??= new Set();
      for (const id of ids.length === 0 ? ['*'] : ids) pending.add(id);
      return;
    }
    if (pending !== undefined && !commentOnly && line.trim() !== '') {
      out.set(index + 1, pending);
      pending = undefined;
    }
  });
  return out;
}
