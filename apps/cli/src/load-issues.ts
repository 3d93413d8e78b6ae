// One wording for rule-load problems across commands, so `validate`, `eval` and `explain` agree.
import type { RuleLoadError } from '@tsigma/eval';

/**
 * `<file>: error[<code>]: <message> (rule "<title>" skipped)` for errors and
 * `<file>: warning[<code>]: <message> (rule "<title>")` for warnings, which never skip a rule.
 * Engine messages often start with the file already; it is not repeated.
 */
export function describeLoadIssue(issue: RuleLoadError): string {
  const file = issue.file ?? '(unknown file)';
  const message = issue.message.startsWith(`${file}: `) ? issue.message.slice(file.length + 2) : issue.message;
  const outcome = issue.severity === 'error' ? `rule "${issue.title}" skipped` : `rule "${issue.title}"`;
  return `${file}: ${issue.severity}[${issue.code}]: ${message} (${outcome})`;
}
