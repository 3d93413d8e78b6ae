// Lint a rule held in a string: each finding is plain data with its rule id, severity, line, column and JSON
// pointer, and `fixText` repairs the mechanical ones without touching comments or layout.
import { fixText, lintText } from '@tsigma/lint';

const text = `title: Any image
description: Matches every process # on purpose?
author: me
level: low
tags:
  - attack.execution
  - attack.execution
logsource:
  product: Windows
detection:
  selection:
    Image: '*'
  condition: selection
`;

for (const f of lintText(text, { path: 'rules/any.yml' })) {
  console.log(`${f.path}:${f.line}:${f.column} ${f.severity}[${f.rule}] ${f.pointer}${f.fixable ? ' (fixable)' : ''}`);
}
const fixed = fixText(text);
console.log(
  fixed
    .split('\n')
    .filter((line) => /Windows|windows|Image/.test(line))
    .join(' | '),
);
console.log(`after --fix: ${lintText(fixed).length} finding(s)`);
