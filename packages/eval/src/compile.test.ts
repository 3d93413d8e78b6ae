import { describe, expect, it } from 'vitest';
import type { ConditionExpr } from '@tsigma/parser';
import { compileRule } from './compile.js';
import { RuleCompileError } from './errors.js';
import { evaluateRule } from './evaluate.js';
import { JsonEvent } from './event.js';
import { explainRule } from './explain.js';
import { itemRule, matches, parsedRule, ruleFrom, ruleYaml } from './test-support.js';

// Spec 02 §13, one row per case: item (as written under `sel:`), event, expected verdict.
const VECTORS: [string, unknown, boolean][] = [
  ["CommandLine|contains: 'whoami'", { CommandLine: 'cmd /c WHOAMI' }, true],
  ["CommandLine|contains|cased: 'whoami'", { CommandLine: 'cmd /c WHOAMI' }, false],
  ["Image|endswith: '\\powershell.exe'", { Image: 'C:\\Windows\\cmd.exe' }, false],
  ['EventID: 4688', { EventID: '4688' }, true],
  ['EventID: 4688', { EventID: '4688.0' }, true],
  ["EventID: '4688'", { EventID: 4688 }, true],
  ["EventID: '4688.0'", { EventID: 4688 }, false],
  ['User: null', {}, true],
  ['User: null', { User: null }, true],
  ['User: null', { User: '' }, false],
  ['User|exists: false', { User: null }, false],
  ['User|exists: true', { User: null }, true],
  ["securityContext.isProxy: 'true'", { securityContext: { isProxy: true } }, true],
  ['actor.alternateId: bob@x.com', { 'actor.alternateId': 'bob@x.com', actor: { alternateId: 'eve' } }, true],
  ['tags: admin', { tags: ['user', 'ADMIN'] }, true],
  ['DestinationIp|cidr: 10.0.0.0/8', { DestinationIp: '10.1.2.3' }, true],
  ['Count|gt: 5', { Count: '7' }, true],
  ['Count|gt: 5', { Count: '0x7' }, false],
  ['User|neq: [root, admin]', { User: 'bob' }, true],
  ['User|neq: [root, admin]', { User: 'root' }, false],
  ['User|neq: [root, admin]', {}, false],
  ['ts|hour: 14', { ts: '2023-08-15T16:05:00+02:00' }, true],
  ["CommandLine|windash|contains: ' -nop '", { CommandLine: 'ps.exe /nop x' }, true],
  ["CommandLine|windash|contains: ' -nop '", { CommandLine: 'ps.exe -nop' }, false],
  ["CommandLine|windash|contains: 'a-b'", { CommandLine: 'a/b' }, false],
];

describe('spec 02 §13 vectors', () => {
  it.each(VECTORS)('%s on %j -> %s', (item, event, expected) => {
    expect(matches(itemRule(item), event)).toBe(expected);
  });

  it('keywords search every leaf', () => {
    const rule = ruleFrom(ruleYaml('  keywords:\n    - sudo\n  condition: keywords\n'));
    expect(matches(rule, { msg: 'admin : TTY=pts/0 ; COMMAND=sudo' })).toBe(true);
    expect(matches(rule, { sudo: 'key only' })).toBe(false);
  });

  it('sel and not filter fires when the filter field is missing', () => {
    const rule = ruleFrom(ruleYaml('  sel:\n    EventID: 1\n  filter:\n    User: SYSTEM\n  condition: sel and not filter\n'));
    expect(matches(rule, { EventID: 1 })).toBe(true);
    expect(matches(rule, { EventID: 1, User: 'system' })).toBe(false);
  });

  it('1 of sel_* lists every true selection', () => {
    const rule = ruleFrom(ruleYaml('  sel_a:\n    C|contains: a\n  sel_b:\n    C|contains: b\n  condition: 1 of sel_*\n'));
    expect(evaluateRule(rule, new JsonEvent({ C: 'ab' }))?.matched_selections).toEqual(['sel_a', 'sel_b']);
  });
});

describe('string matchers', () => {
  it('matches wildcards over the whole value, including newlines', () => {
    const rule = itemRule("Image: 'C:\\Windows\\\\*\\cmd.exe'");
    expect(matches(rule, { Image: 'c:\\windows\\system32\\CMD.EXE' })).toBe(true);
    expect(matches(rule, { Image: 'x c:\\windows\\a\\cmd.exe' })).toBe(false);
    expect(matches(itemRule("C: 'a*b'"), { C: 'a\n\nb' })).toBe(true);
    expect(matches(itemRule("C: 'a?c'"), { C: 'abc' })).toBe(true);
    expect(matches(itemRule("C: 'a?c'"), { C: 'ac' })).toBe(false);
  });

  it('treats escaped wildcards literally', () => {
    expect(matches(itemRule("C: 'a\\*b'"), { C: 'a*b' })).toBe(true);
    expect(matches(itemRule("C: 'a\\*b'"), { C: 'axb' })).toBe(false);
  });

  it('applies startswith/endswith/contains with all', () => {
    expect(matches(itemRule("C|startswith: 'abc'"), { C: 'ABCdef' })).toBe(true);
    expect(matches(itemRule("C|startswith: 'abc'"), { C: 'xabc' })).toBe(false);
    expect(matches(itemRule("C|endswith: 'def'"), { C: 'abcDEF' })).toBe(true);
    expect(matches(itemRule('C|contains|all: [foo, bar]'), { C: 'bar and foo' })).toBe(true);
    expect(matches(itemRule('C|contains|all: [foo, bar]'), { C: 'foo only' })).toBe(false);
    expect(matches(itemRule('C|contains: [foo, bar]'), { C: 'bar only' })).toBe(true);
  });

  it('uses the decimal text of numbers with string operators', () => {
    expect(matches(itemRule('Port|startswith: 44'), { Port: 443 })).toBe(true);
    expect(matches(itemRule('Port|contains: 44'), { Port: '8443' })).toBe(true);
  });

  it('compares rule strings to event numbers and booleans through their string view', () => {
    expect(matches(itemRule("B: 'true'"), { B: true })).toBe(true);
    expect(matches(itemRule("N: '1.5'"), { N: 1.5 })).toBe(true);
  });
});

describe('booleans, numbers and null', () => {
  it('matches rule booleans against booleans and boolean words', () => {
    const t = itemRule('Flag: true');
    expect(matches(t, { Flag: true })).toBe(true);
    expect(matches(t, { Flag: 'YES' })).toBe(true);
    expect(matches(t, { Flag: '1' })).toBe(true);
    expect(matches(t, { Flag: 1 })).toBe(false);
    expect(matches(itemRule('Flag: false'), { Flag: 'no' })).toBe(true);
  });

  it('compares numbers numerically', () => {
    expect(matches(itemRule('N|lt: 5'), { N: 4.5 })).toBe(true);
    expect(matches(itemRule('N|lte: 5'), { N: '5' })).toBe(true);
    expect(matches(itemRule('N|gte: 5'), { N: ' 5' })).toBe(false);
    expect(matches(itemRule('N|gt: 5'), { N: 'abc' })).toBe(false);
    expect(matches(itemRule('N: 1.5'), { N: '1.50' })).toBe(true);
  });
});

describe('regex', () => {
  it('matches unanchored and case-sensitively unless i', () => {
    expect(matches(itemRule("C|re: 'who.mi'"), { C: 'cmd whoami' })).toBe(true);
    expect(matches(itemRule("C|re: 'WHOAMI'"), { C: 'whoami' })).toBe(false);
    expect(matches(itemRule("C|re|i: 'WHOAMI'"), { C: 'whoami' })).toBe(true);
    expect(matches(itemRule("C|re: '(?i)WHOAMI'"), { C: 'whoami' })).toBe(true);
    expect(matches(itemRule("C|re|m: '^b$'"), { C: 'a\nb' })).toBe(true);
    expect(matches(itemRule("C|re|s: 'a.b'"), { C: 'a\nb' })).toBe(true);
    expect(matches(itemRule("N|re: '^46'"), { N: 4688 })).toBe(true);
  });

  it('rejects regexes that cannot run in linear time', () => {
    try {
      itemRule("C|re: '(a)\\1'");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RuleCompileError);
      expect((err as RuleCompileError).code).toBe('invalid_regex');
      // The item's own position (line 8, column 5 of the rule text) and its pointer.
      expect((err as RuleCompileError).spot).toMatchObject({ file: 'test.yml', line: 8, column: 5, pointer: '/detection/sel/C|re' });
      expect((err as RuleCompileError).message).toMatch(/^test\.yml:8:5: /);
    }
  });
});

describe('encodings', () => {
  it('matches base64 and base64offset case-sensitively', () => {
    expect(matches(itemRule('C|base64: whoami'), { C: 'd2hvYW1p' })).toBe(true);
    expect(matches(itemRule('C|base64|contains: whoami'), { C: 'xx d2hvYW1p yy' })).toBe(true);
    expect(matches(itemRule('C|base64|contains: whoami'), { C: 'D2HVYW1P' })).toBe(false);
    for (const frag of ['d2hvYW1p', 'dob2Fta', '3aG9hbW']) {
      expect(matches(itemRule('C|base64offset|contains: whoami'), { C: `..${frag}..` })).toBe(true);
    }
  });

  it('encodes UTF-16 before base64offset', () => {
    const rule = itemRule('CommandLine|wide|base64offset|contains: whoami');
    for (const frag of ['dwBoAG8AYQBtAGkA', 'cAaABvAGEAbQBpA', '3AGgAbwBhAG0AaQ']) {
      expect(matches(rule, { CommandLine: `powershell -enc ${frag}` })).toBe(true);
    }
    expect(matches(rule, { CommandLine: 'powershell -enc d2hvYW1p' })).toBe(false);
  });

  it('matches UTF-16 alone as Latin-1 bytes', () => {
    expect(matches(itemRule('C|wide|contains: ab'), { C: 'xa\0b\0y' })).toBe(true);
  });

  it('spells out windash variants under base64', () => {
    const rule = itemRule("C|windash|base64offset|contains: '-nop'");
    expect(matches(rule, { C: btoa('/nop') })).toBe(true);
  });
});

describe('cidr, time parts, fieldref, expand', () => {
  it('matches IPv6 networks and rejects bad CIDRs', () => {
    expect(matches(itemRule("Ip|cidr: 'fe80::/10'"), { Ip: 'fe80::1' })).toBe(true);
    expect(matches(itemRule('Ip|cidr: [10.0.0.0/8, 192.168.0.0/16]'), { Ip: '192.168.4.4' })).toBe(true);
    expect(matches(itemRule('Ip|cidr|neq: 10.0.0.0/8'), { Ip: '8.8.8.8' })).toBe(true);
  });

  it('extracts UTC time parts', () => {
    expect(matches(itemRule('ts|minute: 5'), { ts: '2023-08-15T16:05:00Z' })).toBe(true);
    expect(matches(itemRule('ts|day: 15'), { ts: '2023-08-15 23:59:59.123' })).toBe(true);
    expect(matches(itemRule('ts|month: 8'), { ts: 1692115500 })).toBe(true);
    expect(matches(itemRule('ts|year: 2023'), { ts: 1692115500000 })).toBe(true);
    expect(matches(itemRule('ts|week: 33'), { ts: '2023-08-15T00:00:00Z' })).toBe(true);
    expect(matches(itemRule('ts|week: 52'), { ts: '2023-01-01T00:00:00Z' })).toBe(true);
    expect(matches(itemRule('ts|hour: 14'), { ts: 'yesterday' })).toBe(false);
  });

  it('compares with another field', () => {
    const rule = itemRule('Src|fieldref: Dst');
    expect(matches(rule, { Src: 'HOST', Dst: 'host' })).toBe(true);
    expect(matches(rule, { Src: 'a', Dst: 'b' })).toBe(false);
    expect(matches(rule, { Src: 'a' })).toBe(false);
    expect(matches(itemRule('Src|fieldref|cased: Dst'), { Src: 'HOST', Dst: 'host' })).toBe(false);
    expect(matches(itemRule('Cmd|fieldref|contains: Img'), { Cmd: 'c:\\x.exe -a', Img: 'C:\\X.EXE' })).toBe(true);
    expect(matches(rule, { Src: { a: 1 }, Dst: { a: 1 } })).toBe(true);
  });

  it('fails on an unresolved |expand placeholder', () => {
    try {
      itemRule("Path|expand: '%TEMP%\\x.exe'");
      expect.unreachable();
    } catch (err) {
      expect((err as RuleCompileError).code).toBe('unresolved_placeholder');
    }
  });
});

describe('keyword items', () => {
  it('applies modifiers per leaf and all across leaves', () => {
    const rule = ruleFrom(ruleYaml("  sel:\n    '|all': [foo, bar]\n  condition: sel\n"));
    expect(matches(rule, { a: 'foo', b: ['x', 'BAR'] })).toBe(true);
    expect(matches(rule, { a: 'foo' })).toBe(false);
    const re = ruleFrom(ruleYaml("  sel:\n    '|re': '^ab+c$'\n  condition: sel\n"));
    expect(matches(re, { x: 'abbbc' })).toBe(true);
    expect(matches(re, { x: 'xabbbc' })).toBe(false);
    const kw = ruleFrom(ruleYaml('  kw:\n    - ev?l\n    - 4688\n  condition: kw\n'));
    expect(matches(kw, { m: 'my evil tool' })).toBe(true);
    expect(matches(kw, { id: 14688 })).toBe(true);
  });
});

describe('compile errors', () => {
  it('locates an item inside a list of maps by its line, column and pointer', () => {
    try {
      ruleFrom(ruleYaml("  sel:\n    - A: 1\n    - C|re: '(a)\\1'\n  condition: sel\n"));
      expect.unreachable();
    } catch (err) {
      expect((err as RuleCompileError).code).toBe('invalid_regex');
      expect((err as RuleCompileError).spot).toMatchObject({ line: 9, column: 7, pointer: '/detection/sel/1/C|re' });
    }
  });

  it('reports unknown identifiers and empty selectors with their location', () => {
    const rule = parsedRule(ruleYaml('  sel:\n    A: 1\n  condition: sel\n'));
    const broken = (expr: ConditionExpr) => ({ ...rule, detection: { ...rule.detection, conditions: [expr] } });
    for (const [expr, code] of [
      [{ op: 'id', name: 'nope' }, 'unknown_identifier'],
      [{ op: 'of', quantifier: 'any', pattern: 'x_*' }, 'empty_selector'],
    ] as const) {
      try {
        compileRule(broken(expr));
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(RuleCompileError);
        expect((err as RuleCompileError).code).toBe(code);
        expect((err as RuleCompileError).spot).toMatchObject({ file: 'test.yml', ruleTitle: 'Test Rule', pointer: '/detection/condition' });
        expect((err as RuleCompileError).spot.line).toBeUndefined();
      }
    }
  });

  it('rejects a CIDR a pipeline made invalid', () => {
    const rule = parsedRule(ruleYaml('  sel:\n    Ip|cidr: 10.0.0.0/8\n  condition: sel\n'));
    const sel = rule.detection.named.get('sel');
    if (sel?.kind !== 'allOf' || sel.items[0] === undefined) throw new Error('shape');
    const item = {
      ...sel.items[0],
      values: [{ type: 'string' as const, value: { parts: [{ text: '999.0.0.0/8' }], original: '999.0.0.0/8', raw: true } }],
    };
    const named = new Map([['sel', { kind: 'allOf' as const, items: [item] }]]);
    try {
      compileRule({ ...rule, detection: { ...rule.detection, named } });
      expect.unreachable();
    } catch (err) {
      expect((err as RuleCompileError).code).toBe('invalid_cidr');
      expect((err as RuleCompileError).spot).toMatchObject({ line: 8, column: 5, pointer: '/detection/sel/Ip|cidr' });
    }
  });
});

describe('conditions', () => {
  it('handles all of, N of and them', () => {
    const all = ruleFrom(ruleYaml('  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n  condition: all of sel_*\n'));
    expect(matches(all, { A: 1, B: 1 })).toBe(true);
    expect(matches(all, { A: 1 })).toBe(false);
    const two = ruleFrom(ruleYaml('  a:\n    A: 1\n  b:\n    B: 1\n  c:\n    C: 1\n  condition: 2 of them\n'));
    expect(matches(two, { A: 1, C: 1 })).toBe(true);
    expect(matches(two, { A: 1 })).toBe(false);
  });

  it('OR-s a list of conditions and reports the first that matched', () => {
    const rule = ruleFrom(ruleYaml('  a:\n    A: 1\n  b:\n    B: 1\n  condition:\n    - a\n    - b\n'));
    expect(evaluateRule(rule, new JsonEvent({ B: 1 }))?.matched_selections).toEqual(['b']);
  });

  it('never lists selections under not', () => {
    const rule = ruleFrom(ruleYaml('  a:\n    A: 1\n  b:\n    B: 1\n  condition: a and not b\n'));
    expect(evaluateRule(rule, new JsonEvent({ A: 1 }))?.matched_selections).toEqual(['a']);
  });

  it('treats anyOf lists of maps as OR', () => {
    const rule = ruleFrom(ruleYaml('  sel:\n    - A: 1\n    - B: 2\n  condition: sel\n'));
    expect(matches(rule, { B: 2 })).toBe(true);
    expect(matches(rule, { A: 2 })).toBe(false);
  });
});

describe('explain reasons', () => {
  const firstItem = (rule: ReturnType<typeof itemRule>, event: unknown) => {
    const c = explainRule(rule, new JsonEvent(event)).conditions[0];
    if (c?.type !== 'selection' || c.detection.type !== 'all_of') throw new Error('shape');
    return c.detection.items[0];
  };

  it('reports matched, field_absent, value_mismatch, case_mismatch and existence', () => {
    expect(firstItem(itemRule("Image|endswith: '\\powershell.exe'"), { Image: 'C:\\x\\PowerShell.exe' })?.reason).toBe('matched');
    expect(firstItem(itemRule("Image|endswith: '\\powershell.exe'"), {})?.reason).toBe('field_absent');
    const mismatch = firstItem(itemRule("Image|endswith: '\\powershell.exe'"), { Image: 'C:\\Windows\\cmd.exe' });
    expect(mismatch?.reason).toBe('value_mismatch');
    expect(mismatch?.actual).toBe('C:\\Windows\\cmd.exe');
    expect(mismatch?.matcher).toBe('endswith');
    expect(firstItem(itemRule("CommandLine|contains|cased: 'whoami'"), { CommandLine: 'cmd /c WHOAMI' })?.reason).toBe('case_mismatch');
    expect(firstItem(itemRule('User|exists: true'), {})?.reason).toBe('existence');
    const multi = firstItem(itemRule('U: [a, b]'), { U: 'c' });
    expect(multi?.matcher).toBe('one_of');
    expect(multi?.pattern).toBe('a, b');
  });

  it('reports no_keyword_match and quantified need/got', () => {
    const kw = ruleFrom(ruleYaml('  keywords:\n    - whoami\n    - mimikatz\n  condition: keywords\n'));
    const c = explainRule(kw, new JsonEvent({ msg: 'nothing' })).conditions[0];
    expect(c?.type === 'selection' && c.detection.type === 'keywords' && c.detection.item.reason).toBe('no_keyword_match');
    const q = ruleFrom(ruleYaml('  sel_a:\n    C|contains: powershell\n  sel_b:\n    C|contains: whoami\n  condition: 1 of sel_*\n'));
    const qt = explainRule(q, new JsonEvent({ C: 'run powershell now' }));
    expect(qt.matched).toBe(true);
    expect(qt.conditions[0]).toMatchObject({ type: 'quantified', quantifier: 'any', need: 1, got: 1 });
    expect(qt.rule_id).toBe('00000000-0000-0000-0000-000000000001');
  });
});
