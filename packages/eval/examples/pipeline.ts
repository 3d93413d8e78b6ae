// Processing pipelines rewrite rules before they compile. The builtin `sysmon` pipeline adds the Sysmon EventID
// of each logsource category, so a process_creation rule only matches Sysmon event 1.
import { parseSigmaYaml } from '@tsigma/parser';
import { Engine, JsonEvent, builtinPipeline } from '@tsigma/eval';

const sysmon = builtinPipeline('sysmon');
if (sysmon === undefined) throw new Error('no builtin pipeline named sysmon');

const engine = new Engine();
engine.addPipeline(sysmon); // pipelines apply to the rules added after them
engine.addCollection(
  parseSigmaYaml(`title: Whoami Execution
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains: whoami
  condition: selection
`),
);

for (const eventId of [1, 4688]) {
  const matched = engine.evaluate(new JsonEvent({ EventID: eventId, CommandLine: 'whoami /priv' })).length > 0;
  console.log(`EventID ${eventId}: ${matched ? 'match' : 'no match'}`);
}
