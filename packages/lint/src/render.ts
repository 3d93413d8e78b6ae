// Views of a lint run: human text, JSON, NDJSON, a width-aligned table and SARIF 2.1.0 for code-scanning tools.
// They return strings; writing them is the caller's job.
import type { Finding } from './finding.js';
import type { LintRun } from './lint-files.js';
import { atLeast, LINT_RULES, type LintRuleId, type Severity } from './rules.js';

/** Counts of a run; a file fails when it has a finding at or above the fail level. */
export interface LintSummary {
  files_checked: number;
  files_failed: number;
  errors: number;
  warnings: number;
  infos: number;
}

/** Options of the human view. */
export interface HumanViewOptions {
  failLevel?: Severity;
  /** List every file, including those without findings. */
  verbose?: boolean;
  /** Colour severities with ANSI escapes. */
  color?: boolean;
}

/** The run's counts. */
export function summarizeLint(run: LintRun, failLevel: Severity = 'error'): LintSummary {
  const count = (s: Severity): number => run.findings.filter((f) => f.severity === s).length;
  return {
    files_checked: run.files.length,
    files_failed: run.files.filter((file) => file.findings.some((f) => atLeast(f.severity, failLevel))).length,
    errors: count('error'),
    warnings: count('warning'),
    infos: count('info'),
  };
}

/** True when a finding is at or above `failLevel` (the run should exit 1). */
export function lintFailed(run: LintRun, failLevel: Severity = 'error'): boolean {
  return run.findings.some((f) => atLeast(f.severity, failLevel));
}

const COLORS: Record<Severity, string> = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m' };
const RESET = '\u001b[0m';

/** Per file with findings: a header, `  severity[rule]: message` and `    --> path:line:column`, then a summary line. */
export function renderLintHuman(run: LintRun, options: HumanViewOptions = {}): string {
  const out: string[] = [];
  for (const file of run.files) {
    if (file.findings.length === 0 && options.verbose !== true) continue;
    out.push(`${file.path}${file.fixed ? ' (fixed)' : ''}${file.findings.length === 0 ? ': ok' : ''}`);
    for (const f of file.findings) {
      const severity = options.color === true ? `${COLORS[f.severity]}${f.severity}${RESET}` : f.severity;
      out.push(`  ${severity}[${f.rule}]: ${f.message}`, `    --> ${f.path}:${f.line}:${f.column}`);
    }
  }
  const s = summarizeLint(run, options.failLevel);
  out.push(
    `Checked ${s.files_checked} file(s): ${s.files_checked - s.files_failed} passed, ${s.files_failed} failed ` +
      `(${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info(s))`,
  );
  return out.join('\n') + '\n';
}

/** `{"summary": {...}, "findings": [...]}`, pretty-printed. */
export function renderLintJson(run: LintRun, failLevel: Severity = 'error'): string {
  return JSON.stringify({ summary: summarizeLint(run, failLevel), findings: run.findings }, null, 2) + '\n';
}

/** One compact finding per line. */
export function renderLintNdjson(run: LintRun): string {
  return run.findings.map((f) => JSON.stringify(f) + '\n').join('');
}

/** `PATH SEVERITY RULE LINE MESSAGE`, width-aligned, numbers right-aligned. */
export function renderLintTable(run: LintRun, options: { color?: boolean } = {}): string {
  const header = ['PATH', 'SEVERITY', 'RULE', 'LINE', 'MESSAGE'];
  const rows = run.findings.map((f) => [f.path, f.severity, f.rule, String(f.line), f.message]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[], severity?: Severity): string =>
    cells
      .map((c, i) => {
        if (i === cells.length - 1) return c;
        const w = widths[i] as number;
        const padded = i === 3 ? c.padStart(w) : c.padEnd(w);
        return i === 1 && severity !== undefined && options.color === true ? `${COLORS[severity]}${padded}${RESET}` : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map((r, k) => line(r, (run.findings[k] as Finding).severity))].join('\n') + '\n';
}

/** A SARIF 2.1.0 log with one run: every lint rule as a reporting descriptor, every finding as a result. */
export function renderLintSarif(run: LintRun, toolVersion = '0.0.0'): string {
  const ids = Object.keys(LINT_RULES) as LintRuleId[];
  const level = (s: Severity): string => (s === 'info' ? 'note' : s);
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tsigma-lint',
            version: toolVersion,
            informationUri: 'https://github.com/SigmaHQ/sigma-specification',
            rules: ids.map((id) => ({
              id,
              shortDescription: { text: LINT_RULES[id].description },
              defaultConfiguration: { level: level(LINT_RULES[id].severity) },
            })),
          },
        },
        results: run.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ids.indexOf(f.rule),
          level: level(f.severity),
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.path.split('\\').join('/') },
                region: { startLine: f.line, startColumn: f.column },
              },
              logicalLocations: f.pointer === '' ? undefined : [{ fullyQualifiedName: f.pointer, kind: 'member' }],
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
