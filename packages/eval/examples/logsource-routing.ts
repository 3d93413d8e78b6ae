// Opt-in logsource routing: the engine derives each event's logsource and skips rules whose logsource conflicts
// with it. A dimension prunes only when both the rule and the event set it.
import { parseSigmaYaml } from '@tsigma/parser';
import { Engine, JsonEvent, LogSourceExtractor } from '@tsigma/eval';

const engine = new Engine();
engine.setLogSourceExtractor(new LogSourceExtractor({ fieldMap: { product: 'os' }, defaults: { product: 'windows' } }));
engine.addCollection(
  parseSigmaYaml(`title: Whoami on Windows
logsource:
  product: windows
detection:
  keywords:
    - whoami
  condition: keywords
`),
);

for (const os of ['windows', 'linux', undefined]) {
  const event = new JsonEvent(os === undefined ? { cmd: 'whoami' } : { os, cmd: 'whoami' });
  console.log(`os=${os ?? '(unset, default windows)'}: ${engine.evaluate(event).length} match(es)`);
}
// An explicit logsource instead of the extractor's:
console.log(`linux: ${engine.evaluateWithLogSource(new JsonEvent({ cmd: 'whoami' }), { product: 'linux' }).length} match(es)`);
