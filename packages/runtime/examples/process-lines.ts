// Evaluate batches of raw log lines. Each line is decoded in the batch's format (JSON, syslog, logfmt, CEF,
// plain, or `auto`-detected per line) and gives one ProcessResult; a line that does not decode gives an empty one.
import { join } from 'node:path';
import { LogProcessor, RuntimeEngine } from '@tsigma/runtime';

// One rule: `CommandLine|contains: whoami` (test/fixtures/rules/whoami.yml).
const engine = new RuntimeEngine({ rulesPath: join(import.meta.dirname, '../test/fixtures/rules') });
await engine.loadRules();
const processor = new LogProcessor(engine);

const mixed = [
  '{"EventID":4688,"CommandLine":"cmd.exe /c whoami","Computer":"WS01"}',
  '<14>1 2024-01-15T10:30:00Z ws02 agent 812 - - {"CommandLine":"whoami /groups"}',
  'not json, not syslog: whoami',
];
const results = processor.processBatchWithFormat(mixed, { kind: 'auto' });
results.forEach((r, i) => console.log(`auto #${i}: ${r.detections.map((d) => d.rule_title).join(', ') || 'no detection'}`));

// logfmt is never auto-detected: name the format.
const [logfmt] = processor.processBatchWithFormat(['level=info CommandLine="whoami /all" host=ws03'], { kind: 'logfmt' });
console.log(`logfmt: ${logfmt?.detections.map((d) => d.rule_title).join(', ')}`);

// A broken line does not stop the batch.
const [bad, good] = processor.processBatchWithFormat(['{"CommandLine": ', '{"CommandLine":"whoami"}'], { kind: 'json' });
console.log(`json: ${bad?.detections.length} and ${good?.detections.length} detection(s)`);
