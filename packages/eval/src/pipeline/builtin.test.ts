import { parseSigmaYaml } from '@tsigma/parser';
import type { SigmaRule } from '@tsigma/parser';
import { describe, expect, it } from 'vitest';

import { buildCorrelation, buildRule } from '../../test/fixtures/pipelines/build-rule.js';
import { Engine } from '../engine.js';
import { JsonEvent } from '../event.js';
import { builtinPipeline, builtinPipelineNames } from './builtin.js';
import { parseTransformationItems } from './parse-items.js';
import { transformRule } from './transform.js';
import type { Pipeline } from './types.js';

function must(name: string): Pipeline {
  const p = builtinPipeline(name);
  if (p === undefined) throw new Error(`no builtin ${name}`);
  return p;
}

function engineWith(pipelines: Pipeline[], rule: SigmaRule): Engine {
  const e = new Engine();
  for (const p of pipelines) e.addPipeline(p);
  e.addRule(rule);
  return e;
}

function fires(e: Engine, event: unknown): boolean {
  return e.evaluate(new JsonEvent(event)).length > 0;
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

describe('builtin registry', () => {
  it('lists the three builtins with their priorities', () => {
    expect(builtinPipelineNames()).toEqual(['windows', 'sysmon', 'ecs_windows']);
    expect(builtinPipelineNames().map((n) => must(n).priority)).toEqual([5, 10, 20]);
    expect(builtinPipeline('nope')).toBeUndefined();
    expect(builtinPipeline('toString')).toBeUndefined();
  });

  it('returns fresh objects', () => {
    expect(must('windows')).not.toBe(must('windows'));
  });
});

describe('§11 vectors 1–3 (field mappings through the engine)', () => {
  const pipe = (items: unknown[]): Pipeline => ({
    name: 't',
    priority: 0,
    vars: {},
    items: parseTransformationItems(items),
    postprocessing: [],
    finalizers: [],
    sources: [],
  });

  it('1: field_name_mapping', () => {
    const e = engineWith(
      [pipe([{ type: 'field_name_mapping', mapping: { CommandLine: 'process.command_line' } }])],
      buildRule({ detection: { sel: { 'CommandLine|contains': 'whoami' } } }),
    );
    expect(fires(e, { 'process.command_line': 'cmd /c whoami' })).toBe(true);
    expect(fires(e, { CommandLine: 'whoami' })).toBe(false);
  });

  it('2: one-to-many mapping with alternatives any', () => {
    const e = engineWith(
      [pipe([{ type: 'field_name_mapping', mapping: { Hashes: ['file.hash.md5', 'file.hash.sha256'] } }])],
      buildRule({ detection: { sel: { Hashes: 'abc', User: 'x' } } }),
    );
    expect(fires(e, { 'file.hash.sha256': 'abc', User: 'x' })).toBe(true);
  });

  it('3: alternatives first keeps exists:false meaningful', () => {
    const e = engineWith(
      [pipe([{ type: 'field_name_mapping', alternatives: 'first', mapping: { Hashes: ['file.hash.md5', 'file.hash.sha256'] } }])],
      buildRule({ detection: { sel: { 'Hashes|exists': false } } }),
    );
    expect(fires(e, { 'file.hash.sha256': 'abc' })).toBe(false);
    expect(fires(e, { other: 1 })).toBe(true);
  });
});

describe('§11 vectors 4–6 through the engine', () => {
  const pipe = (items: unknown[], vars: Record<string, string[]> = {}): Pipeline => ({
    name: 't',
    priority: 0,
    vars,
    items: parseTransformationItems(items),
    postprocessing: [],
    finalizers: [],
    sources: [],
  });

  it('4: the hidden add_condition detection is not part of `them`', () => {
    const rule = buildRule({ detection: { a: { x: 1 }, b: { y: 2 } }, condition: { op: 'of', quantifier: 1, pattern: 'them' } });
    const e = engineWith([pipe([{ type: 'add_condition', conditions: { EventID: 1 } }])], rule);
    expect(fires(e, { EventID: 1, x: 1 })).toBe(true);
    expect(fires(e, { EventID: 1 })).toBe(false);
    expect(fires(e, { EventID: 2, x: 1 })).toBe(false);
  });

  it('5: rule_failure skips AWS rules and loads the others', () => {
    const c = parseSigmaYaml(`title: AWS rule
logsource: { product: aws, service: cloudtrail }
detection: { sel: { eventName: x }, condition: sel }
---
title: Windows rule
logsource: { product: windows, category: process_creation }
detection: { sel: { Image: x }, condition: sel }
`);
    const e = new Engine();
    e.addPipeline(pipe([{ type: 'rule_failure', message: 'no AWS', rule_conditions: [{ type: 'logsource', product: 'aws' }] }]));
    const report = e.addCollection(c);
    expect(report.rulesLoaded).toBe(1);
    expect(report.errors.map((x) => [x.code, x.title])).toEqual([['pipeline_rule_failure', 'AWS rule']]);
  });

  it('6: placeholders expand to OR values', () => {
    const rule = buildRule({ detection: { sel: { 'User|expand': '%admins%' } } });
    const e = engineWith([pipe([{ type: 'value_placeholders' }], { admins: ['alice', 'bob'] })], rule);
    expect(fires(e, { User: 'bob' })).toBe(true);
    expect(fires(e, { User: '%admins%' })).toBe(false);
  });
});

describe('windows builtin (§10.1, §11 vectors 7–9)', () => {
  const windows = must('windows');
  const grb = buildRule({
    logsource: { product: 'windows', category: 'process_creation' },
    detection: { sel: { 'Image|endswith': '\\GRB_NET.exe', 'CommandLine|contains': '-m:scan' } },
  });
  const sysmonEvent = (eventId: number) => ({
    Event: {
      System: { EventID: eventId, Channel: SYSMON },
      EventData: { Image: 'C:\\Users\\x\\GRB_NET.exe', CommandLine: 'GRB_NET.exe -m:scan' },
    },
  });

  it('7: routes process_creation to Sysmon 1 and Security 4688, including flat events', () => {
    const e = engineWith([windows], grb);
    expect(fires(e, sysmonEvent(1))).toBe(true);
    expect(
      fires(e, {
        Event: {
          System: { EventID: 4688, Channel: 'Security' },
          EventData: { NewProcessName: 'C:\\Users\\x\\GRB_NET.exe', CommandLine: 'GRB_NET.exe -m:scan' },
        },
      }),
    ).toBe(true);
    expect(fires(e, sysmonEvent(11))).toBe(false);
    expect(fires(e, { Channel: SYSMON, EventID: 1, Image: 'C:\\Users\\x\\GRB_NET.exe', CommandLine: 'GRB_NET.exe -m:scan' })).toBe(true);
  });

  it('8: system service, provider attributes and qualified EventID', () => {
    const rule = buildRule({
      logsource: { product: 'windows', service: 'system' },
      detection: { sel: { Provider_Name: 'Service Control Manager', EventID: 7045, 'ImagePath|contains': '\\Temp\\' } },
    });
    const e = engineWith([windows], rule);
    const event = {
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Service Control Manager' } },
          EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7045 },
          Channel: 'System',
        },
        EventData: { ImagePath: 'C:\\Temp\\x.exe' },
      },
    };
    expect(fires(e, event)).toBe(true);
    const attrsVariant = structuredClone(event) as { Event: { System: Record<string, unknown> } };
    attrsVariant.Event.System['Provider'] = undefined;
    attrsVariant.Event.System['Provider_attributes'] = { Name: 'Service Control Manager' };
    expect(fires(e, JSON.parse(JSON.stringify(attrsVariant)))).toBe(true);
    expect(fires(e, { ...event, Event: { ...event.Event, System: { ...event.Event.System, Channel: 'Application' } } })).toBe(false);
  });

  it('9: unnamed Data elements of classic PowerShell', () => {
    const rule = buildRule({
      logsource: { product: 'windows', category: 'ps_classic_start' },
      detection: { sel: { 'Data|contains': 'HostApplication=powershell' } },
    });
    const e = engineWith([windows], rule);
    const event = {
      Event: {
        System: { EventID: 400, Channel: 'Windows PowerShell' },
        EventData: { Data: { '#text': ['Available', 'None', 'NewEngineState=Available HostApplication=powershell.exe -nop'] } },
      },
    };
    expect(fires(e, event)).toBe(true);
  });

  it('maps Defender names with spaces and routes antivirus rules of any product', () => {
    const rule = buildRule({ logsource: { category: 'antivirus' }, detection: { sel: { 'Signature|contains': 'Mimikatz' } } });
    const e = engineWith([windows], rule);
    const event = {
      Event: {
        System: { EventID: 1116, Channel: 'Microsoft-Windows-Windows Defender/Operational' },
        EventData: { 'Threat Name': 'HackTool:Win32/Mimikatz' },
      },
    };
    expect(fires(e, event)).toBe(true);
  });

  it('reaches UserData below the provider element', () => {
    const rule = buildRule({
      logsource: { product: 'windows', service: 'security' },
      detection: { sel: { EventID: 1102, SubjectUserName: 'bob' } },
    });
    const e = engineWith([windows], rule);
    const event = { Event: { System: { EventID: 1102, Channel: 'Security' }, UserData: { LogFileCleared: { SubjectUserName: 'bob' } } } };
    expect(fires(e, event)).toBe(true);
  });

  it('adds EventType for registry_add and registry_delete', () => {
    const rule = buildRule({
      logsource: { product: 'windows', category: 'registry_delete' },
      detection: { sel: { 'TargetObject|contains': 'Run' } },
    });
    const e = engineWith([windows], rule);
    const ev = (type: string) => ({
      Event: { System: { EventID: 12, Channel: SYSMON }, EventData: { EventType: type, TargetObject: 'HKLM\\Run' } },
    });
    expect(fires(e, ev('DeleteValue'))).toBe(true);
    expect(fires(e, ev('CreateKey'))).toBe(false);
  });

  it('marks unrouted categories and sets the correlation timestamp field', () => {
    const unrouted = transformRule(
      [windows],
      buildRule({ logsource: { product: 'windows', category: 'file_access' }, detection: { sel: { a: 1 } } }),
    );
    expect(unrouted.rule.customAttributes).toEqual({
      'tsigma.windows_unrouted': 'true',
      'tsigma.timestamp_field': 'Event.System.TimeCreated.#attributes.SystemTime',
    });
    expect(unrouted.appliedItems).toContain('windows_unrouted');
    const routed = transformRule([windows], grb);
    expect(routed.rule.customAttributes['tsigma.windows_unrouted']).toBeUndefined();
    expect(routed.appliedItems).toEqual([
      'windows_fields_eventdata',
      'windows_fields_process_creation',
      'windows_fields_system',
      'windows_route_process_creation',
      'windows_timestamp',
    ]);
  });

  it('maps correlation group-by fields to coalesce lists', () => {
    const out = transformRule([windows], buildCorrelation({ groupBy: ['Computer', 'User'] })).rule;
    if (out.kind !== 'correlation') throw new Error('kind');
    expect(out.groupBy).toEqual(['Event.System.Computer', 'Event.EventData.User']);
    expect(out.fieldCoalesce?.['Event.EventData.User']).toEqual([
      'Event.EventData.User',
      'Event.UserData.User',
      'Event.UserData.*.User',
      'User',
    ]);
  });

  it('leaves non-Windows rules alone', () => {
    const linux = buildRule({ logsource: { product: 'linux', category: 'process_creation' }, detection: { sel: { Image: 'x' } } });
    expect(transformRule([windows], linux)).toEqual({ rule: linux, appliedItems: [], state: {} });
  });
});

describe('sysmon builtin', () => {
  it('adds EventID by category and rewrites the logsource', () => {
    const rule = buildRule({
      logsource: { product: 'windows', category: 'image_load' },
      detection: { sel: { 'ImageLoaded|endswith': '\\x.dll' } },
    });
    const out = transformRule([must('sysmon')], rule);
    expect(out.appliedItems).toEqual(['sysmon_image_load', 'sysmon_logsource']);
    expect(out.rule.logsource).toMatchObject({ product: 'windows', service: 'sysmon', category: 'image_load' });
    const e = engineWith([must('sysmon')], rule);
    expect(fires(e, { EventID: 7, ImageLoaded: 'C:\\x.dll' })).toBe(true);
    expect(fires(e, { EventID: 1, ImageLoaded: 'C:\\x.dll' })).toBe(false);
  });

  it('uses lists for multi-id categories', () => {
    const rule = buildRule({ logsource: { product: 'windows', category: 'registry_event' }, detection: { sel: { TargetObject: 'k' } } });
    const e = engineWith([must('sysmon')], rule);
    expect([12, 13, 14, 15].map((id) => fires(e, { EventID: id, TargetObject: 'k' }))).toEqual([true, true, true, false]);
  });
});

describe('ecs_windows builtin', () => {
  it('maps per category and for all Windows rules', () => {
    const rule = buildRule({
      logsource: { product: 'windows', category: 'process_creation' },
      detection: { sel: { 'CommandLine|contains': 'x', ParentImage: 'p', EventID: 1, Channel: 'c' } },
    });
    const out = transformRule([must('ecs_windows')], rule).rule;
    const sel = out.detection.named.get('sel');
    expect(sel?.kind === 'allOf' && sel.items.map((i) => i.field.name)).toEqual([
      'process.command_line',
      'process.parent.executable',
      'event.code',
      'winlog.channel',
    ]);
    const dns = transformRule(
      [must('ecs_windows')],
      buildRule({ logsource: { product: 'windows', category: 'dns_query' }, detection: { sel: { QueryName: 'x' } } }),
    ).rule;
    const d = dns.detection.named.get('sel');
    expect(d?.kind === 'allOf' && d.items[0]?.field.name).toBe('dns.question.name');
  });
});

describe('windows builtin on parsed documents', () => {
  it('maps filter detections so exclusions written with Sigma names still apply', () => {
    const yaml = `title: Whoami
id: 11111111-1111-1111-1111-111111111111
logsource: { product: windows, category: process_creation }
detection:
  sel: { Image|endswith: '\\whoami.exe' }
  condition: sel
---
title: Not for admin
filter:
  rules: [11111111-1111-1111-1111-111111111111]
  selection: { User|contains: admin }
  condition: not selection
logsource: { product: windows, category: process_creation }
`;
    const c = parseSigmaYaml(yaml, { file: 'f.yml' });
    expect(c.errors.filter((e) => e.severity === 'error')).toEqual([]);
    const e = new Engine();
    e.addPipeline(must('windows'));
    const report = e.addCollection(c);
    expect(report).toMatchObject({ rulesLoaded: 1, filtersApplied: 1 });
    const ev = (user: string) => ({
      Event: { System: { EventID: 1, Channel: SYSMON }, EventData: { Image: 'C:\\Windows\\System32\\whoami.exe', User: user } },
    });
    expect(fires(e, ev('CORP\\bob'))).toBe(true);
    expect(fires(e, ev('CORP\\admin'))).toBe(false);
  });

  it('reports pipeline rule failures per rule in the load report', () => {
    const c = parseSigmaYaml(`title: Needs list
logsource: { product: windows, service: security }
detection:
  sel: { TargetUserName|expand: '%admins%' }
  condition: sel
`);
    const e = new Engine();
    e.addPipeline(must('windows'));
    expect(e.addCollection(c).errors.map((x) => x.code)).toEqual(['unresolved_placeholder']);
  });
});
