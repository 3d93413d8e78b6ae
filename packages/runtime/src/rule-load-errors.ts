// One wording for rule-load problems, shared by every front end (CLI commands, daemon logs).

import type { RuleLoadError } from '@tsigma/eval';

/**
 * `<file>[:<line>:<column>]: error[<code>]: <message> (rule "<title>" skipped)` for errors and
 * `<file>[:<line>:<column>]: warning[<code>]: <message> (rule "<title>")` for warnings, which never skip a rule.
 * Engine messages often start with the file (and position) already; it is not repeated.
 *
 * @example describeRuleLoadError(stats.skipped[0]) // 'rules/x.yml:7:5: error[invalid_regex]: ... (rule \"X\" skipped)'
 */
export function describeRuleLoadError(issue: RuleLoadError): string {
  const file = issue.file ?? '(unknown file)';
  const where = issue.line !== undefined ? `${file}:${issue.line}:${issue.column ?? 1}` : file;
  let message = issue.message;
  for (const prefix of [`${where}: `, `${file}: `]) {
    if (message.startsWith(prefix)) {
      message = message.slice(prefix.length);
      break;
    }
  }
  // Compile messages name the rule first (`rule "X" (/detection/…): …`); the outcome names it again at the end.
  const named = `rule "${issue.title}" `;
  if (message.startsWith(named)) message = message.slice(named.length).replace(/^\((\/[^)]*)\): /, '$1: ');
  const outcome = issue.severity === 'error' ? `rule "${issue.title}" skipped` : `rule "${issue.title}"`;
  return `${where}: ${issue.severity}[${issue.code}]: ${message} (${outcome})`;
}
