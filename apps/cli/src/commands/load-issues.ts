// Rule-load problems as `eval`, `fields` and `explain` report them (issue 13): an error costs a rule, so each is
// printed; a warning (such as `modifier_order` on SigmaHQ's usual `|contains|windash`) is for the rule's author,
// and `validate` is where authors read them, so these commands print one line counting them unless `-v`.
import { describeRuleLoadError, type EngineStats } from '@tsigma/runtime';
import { writeOut, type CliIo } from '../cli-io.js';

/** Prints the load's errors, and its warnings one by one with `verbose`, else as one counting line. */
export async function reportLoadIssues(issues: EngineStats['issues'], verbose: boolean, io: CliIo, prefix = ''): Promise<void> {
  let warnings = 0;
  for (const issue of issues) {
    if (issue.severity === 'warning' && !verbose) {
      warnings++;
      continue;
    }
    await writeOut(io.stderr, `${prefix}${describeRuleLoadError(issue)}\n`);
  }
  if (warnings > 0) {
    await writeOut(io.stderr, `note: ${warnings} rule warning(s) not shown (tsigma validate lists them; -v prints them here)\n`);
  }
}
