// One wording for rule-load problems, shared by every front end (CLI commands, daemon logs).

import type { RuleLoadError } from '@tsigma/eval';

/**
 * `<file>: error[<code>]: <message> (rule "<title>" skipped)` for errors and
 * `<file>: warning[<code>]: <message> (rule "<title>")` for warnings, which never skip a rule.
 * Engine messages often start with the file already; it is not repeated.
 *
 * @example describeRuleLoadError(stats.skipped[0]) // 'rules/x.yml: error[invalid_regex]: ... (rule "X" skipped)'
 */
export function describeRuleLoadError(issue: RuleLoadError): string {
  const file = issue.file ?? '(unknown file)';
  const message = issue.message.startsWith(`${file}: `) ? issue.message.slice(file.length + 2) : issue.message;
  const outcome = issue.severity === 'error' ? `rule "${issue.title}" skipped` : `rule "${issue.title}"`;
  return `${file}: ${issue.severity}[${issue.code}]: ${message} (${outcome})`;
}
