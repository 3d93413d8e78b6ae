// Parse Sigma YAML held in a string. Rule problems never throw: each one is a SigmaParseError located by file,
// line and column, and a rejected document does not hide the good ones next to it.
import { parseSigmaYaml } from '@tsigma/parser';

const text = `title: Whoami
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains: whoami
  condition: selection
---
title: Net User
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contians: net user
  condition: selection
`;

const collection = parseSigmaYaml(text, { file: 'rules/discovery.yml' });
for (const rule of collection.rules) console.log(`rule: ${rule.title} (${rule.logsource.category})`);
for (const e of collection.errors) console.log(`${e.file}:${e.line}:${e.column} ${e.severity} ${e.code} at ${e.path} in "${e.ruleTitle}"`);
console.log(collection.hasErrors() ? 'some documents were rejected' : 'all documents loaded');
