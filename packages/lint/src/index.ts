// Public API of @tsigma/lint: Sigma rule files checked against the specification, findings as data, fixes and views.

export { lintText, lintTextReport } from './lint-text.js';
export type { LintTextOptions, TextReport, LocatedReference } from './lint-text.js';
export { lintPaths, LintPathError } from './lint-files.js';
export type { LintPathsOptions, LintRun, FileReport } from './lint-files.js';
export { fixText } from './fix.js';
export type { Finding, TextEdit } from './finding.js';
export { LINT_RULES, SEVERITIES, isLintRuleId } from './rules.js';
export type { LintRuleId, LintRuleInfo, Severity } from './rules.js';
export { closestName } from './check-document.js';
export { LINT_CONFIG_FILE, LintConfigError, defaultLintConfig, findLintConfig, loadLintConfig, validateLintConfig } from './config.js';
export type { LintConfig, LintConfigErrorCode } from './config.js';
export {
  lintFailed,
  renderLintHuman,
  renderLintJson,
  renderLintNdjson,
  renderLintSarif,
  renderLintTable,
  summarizeLint,
} from './render.js';
export type { HumanViewOptions, LintSummary } from './render.js';
