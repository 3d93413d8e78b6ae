import { parseSigmaYaml } from '@tsigma/parser';
import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { evaluateRule } from './evaluate.js';
import { JsonEvent } from './event.js';
import { isCorrelationResult } from './result.js';
import { ruleFrom, ruleYaml } from './test-support.js';

const WHOAMI = `title: Detect Whoami Execution
id: d5b8d8a0-0001-0000-0000-000000000001
author: Jane Doe
level: medium
logsource:
  category: process_creation
detection:
  selection:
    CommandLine|contains: whoami
  condition: selection
`;

describe('detection results', () => {
  it('has the wire shape and key order of spec 02 §9 plus author', () => {
    const result = evaluateRule(ruleFrom(WHOAMI), new JsonEvent({ CommandLine: 'cmd /c whoami' }));
    expect(JSON.stringify(result)).toBe(
      '{"rule_title":"Detect Whoami Execution","rule_id":"d5b8d8a0-0001-0000-0000-000000000001","level":"medium","author":"Jane Doe","tags":[],"matched_selections":["selection"],"matched_fields":[{"field":"CommandLine","value":"cmd /c whoami"}]}',
    );
  });

  it('uses null for a missing id, level and author', () => {
    const rule = ruleFrom('title: T\nlogsource: {category: x}\ndetection:\n  sel:\n    A: 1\n  condition: sel\n');
    const r = evaluateRule(rule, new JsonEvent({ A: 1 }));
    expect(r).toMatchObject({ rule_id: null, level: null, author: null });
    expect(r && 'custom_attributes' in r).toBe(false);
    expect(r && isCorrelationResult(r)).toBe(false);
  });

  it('reports the whole array as the matched value', () => {
    const rule = ruleFrom(ruleYaml('  sel:\n    tags: admin\n  condition: sel\n'));
    expect(evaluateRule(rule, new JsonEvent({ tags: ['user', 'ADMIN'] }))?.matched_fields).toEqual([
      { field: 'tags', value: ['user', 'ADMIN'] },
    ]);
  });

  it('adds summary and full details', () => {
    const engine = new Engine({ matchDetail: 'summary' });
    engine.addCollection(
      parseSigmaYaml(
        ruleYaml(
          `  sel:\n    CommandLine|contains: whoami\n    User|neq: root\n    Gone: null\n  kw:\n    - WHOAMI\n  condition: sel and kw\n`,
        ),
      ),
    );
    const [r] = engine.evaluate(new JsonEvent({ CommandLine: 'cmd /c whoami', User: 'bob' }));
    expect(r?.matched_fields).toEqual([
      { field: 'CommandLine', value: 'cmd /c whoami', selection: 'sel', matcher: 'contains', case_sensitive: false },
      { field: 'User', value: 'bob', selection: 'sel', matcher: 'exact', case_sensitive: false, negated: true },
      { field: 'Gone', value: null, selection: 'sel', matcher: 'null', case_sensitive: false },
      { field: 'keyword', value: 'cmd /c whoami', selection: 'kw', matcher: 'keyword', case_sensitive: false },
    ]);
    engine.setMatchDetail('full');
    const [full] = engine.evaluate(new JsonEvent({ CommandLine: 'cmd /c whoami', User: 'bob' }));
    expect(full?.matched_fields[0]?.pattern).toBe('whoami');
  });

  it('includes the event globally or per rule', () => {
    const engine = new Engine();
    engine.addCollection(
      parseSigmaYaml(
        `${WHOAMI}---\ntitle: With Event\ncustom_attributes:\n  tsigma.include_event: 'true'\nlogsource: {category: x}\ndetection:\n  sel:\n    CommandLine|contains: whoami\n  condition: sel\n`,
      ),
    );
    const ev = { CommandLine: 'whoami' };
    const [plain, withEvent] = engine.evaluate(new JsonEvent(ev));
    expect(plain && 'event' in plain).toBe(false);
    expect(withEvent?.event).toEqual(ev);
    expect(withEvent?.custom_attributes).toEqual({ 'tsigma.include_event': 'true' });
    engine.setIncludeEvent(true);
    expect(engine.evaluate(new JsonEvent(ev))[0]?.event).toEqual(ev);
  });

  it('hides injected detections from matched_selections', () => {
    const engine = new Engine();
    engine.addCollection(
      parseSigmaYaml(`${WHOAMI}---\ntitle: F\nfilter:\n  rules: any\n  selection:\n    User: SYSTEM\n  condition: not selection\n`),
    );
    expect(engine.evaluate(new JsonEvent({ CommandLine: 'whoami' }))[0]?.matched_selections).toEqual(['selection']);
  });
});
