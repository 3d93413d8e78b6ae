import { parseSigmaYaml } from '@tsigma/parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { evaluateRule } from './evaluate.js';
import { JsonEvent } from './event.js';
import { explainRule } from './explain.js';
import { ruleFrom, ruleYaml } from './test-support.js';

const DETECTIONS = [
  "  sel:\n    CommandLine|endswith: '\\powershell.exe'\n  condition: sel\n",
  '  sel:\n    EventID: 1\n  filter:\n    User: SYSTEM\n  condition: sel and not filter\n',
  '  sel_a:\n    CommandLine|contains: powershell\n  sel_b:\n    CommandLine|contains: whoami\n  condition: 1 of sel_*\n',
  '  sel_a:\n    CommandLine|contains: powershell\n  sel_b:\n    User: SYSTEM\n  condition: all of sel_*\n',
  '  sel:\n    Count|gt: 5\n  condition: sel\n',
  '  sel:\n    User|exists: true\n  condition: sel\n',
  '  keywords:\n    - whoami\n    - powershell\n  condition: keywords\n',
  '  sel:\n    User|neq: [root, SYSTEM]\n    Count: null\n  condition: sel\n',
  "  sel:\n    - CommandLine|re: '(?i)who.mi'\n    - User|cased: alice\n  condition: sel or not sel\n",
  "  sel:\n    CommandLine|contains|all: ['power', 'shell']\n    EventID: [1, 4688]\n  condition: sel\n",
];

const arbEvent = fc.record(
  {
    CommandLine: fc.constantFrom(
      'C:\\Windows\\System32\\powershell.exe',
      'powershell.exe -enc AAAA',
      'cmd.exe /c whoami',
      'PowerShell.EXE',
      'explorer.exe',
      null,
    ),
    User: fc.constantFrom('SYSTEM', 'alice', 'ALICE', 'root', null, ['root', 'bob']),
    EventID: fc.constantFrom(1, 2, 4688, '1', '4688.0'),
    Count: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constantFrom('7', 'x', null)),
  },
  { requiredKeys: [] },
);

describe('explain', () => {
  const rules = DETECTIONS.map((d) => ruleFrom(ruleYaml(d)));

  it('always agrees with evaluate', () => {
    fc.assert(
      fc.property(arbEvent, (event) => {
        const ev = new JsonEvent(event);
        for (const rule of rules) expect(explainRule(rule, ev).matched).toBe(evaluateRule(rule, ev) !== null);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the engine when filters are applied', () => {
    const engine = new Engine();
    engine.addCollection(
      parseSigmaYaml(
        `${DETECTIONS.map((d, i) =>
          ruleYaml(d)
            .replace('Test Rule', `Rule ${i}`)
            .replace(/id: .*\n/, ''),
        ).join('---\n')}---\ntitle: F\nfilter:\n  rules: any\n  selection:\n    User|startswith: al\n  condition: not selection\n`,
      ),
    );
    fc.assert(
      fc.property(arbEvent, (event) => {
        const ev = new JsonEvent(event);
        const fired = new Set(engine.evaluate(ev).map((r) => r.rule_title));
        for (const x of engine.explain(ev)) expect(x.matched).toBe(fired.has(x.rule_title));
      }),
      { numRuns: 300 },
    );
  });
});
