// "Why did this rule not match?": explain evaluates every node of a rule's condition against one event (no
// short-circuit) and gives each detection item a reason.
import { parseSigmaYaml } from '@tsigma/parser';
import { Engine, JsonEvent } from '@tsigma/eval';

const engine = new Engine();
engine.addCollection(
  parseSigmaYaml(`title: PowerShell Encoded Command
id: powershell-encoded
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\powershell.exe'
    CommandLine|contains: ' -enc '
  condition: selection
`),
);

const [x] = engine.explain(new JsonEvent({ Image: 'C:\\Windows\\cmd.exe', CommandLine: 'cmd /c powershell -enc SQBFAFgA' }), {
  ruleId: 'powershell-encoded',
});
console.log(`${x?.rule_title}: matched=${x?.matched}`);
for (const c of x?.conditions ?? []) {
  if (c.type !== 'selection' || c.detection.type !== 'all_of') continue;
  for (const item of c.detection.items)
    console.log(`  ${c.name}.${item.field} ${item.matcher} ${JSON.stringify(item.pattern)}: ${item.reason}`);
}
