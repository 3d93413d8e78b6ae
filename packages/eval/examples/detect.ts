// Compile a rule collection once, then evaluate events against it. Rules that fail to compile are skipped and
// listed in the load report; the others still load.
import { parseSigmaYaml } from '@tsigma/parser';
import { Engine, JsonEvent } from '@tsigma/eval';

const rules = parseSigmaYaml(
  `title: Whoami Execution
id: 8c3e1d0a-0001-4000-8000-000000000001
level: medium
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  filter:
    ParentImage|endswith: '\\explorer.exe'
  condition: selection and not filter
---
title: Broken Regex
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|re: '(unclosed'
  condition: selection
`,
  { file: 'rules.yml' },
);

const engine = new Engine({ matchDetail: 'summary' });
const report = engine.addCollection(rules);
console.log(`loaded ${report.rulesLoaded} rule(s)`);
for (const e of report.errors) console.log(`skipped "${e.title}" in ${e.file}: ${e.code}`);

const events = [
  { Image: 'C:\\Windows\\System32\\whoami.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'whoami /all' },
  { Image: 'C:\\Windows\\System32\\whoami.exe', ParentImage: 'C:\\Windows\\explorer.exe' },
];
for (const json of events) {
  const results = engine.evaluate(new JsonEvent(json)); // one DetectionResult per matching rule, in load order
  console.log(results.map((r) => `${r.rule_title} [${r.level}] via ${r.matched_selections.join(', ')}`).join('; ') || 'no match');
}
