import { parseSigmaYaml, type LogSource } from '@tsigma/parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { JsonEvent } from './event.js';
import { windowsEventRouter } from './logsource-routing.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

/** An EVTX-shaped event (as @tsigma/evtx emits it) with `data` as EventData. */
function evtx(channel: string | null, eventId: number | object, data: Record<string, unknown> = {}): JsonEvent {
  return new JsonEvent({ Event: { System: { Channel: channel, EventID: eventId, Computer: 'host' }, EventData: data } });
}

function logsource(fields: Partial<LogSource>): LogSource {
  return { custom: {}, ...fields };
}

describe('windowsEventRouter', () => {
  const router = windowsEventRouter();
  const route = (event: JsonEvent): string => {
    const r = router.routeOf(event);
    if (r === undefined) throw new Error('no route');
    return r;
  };

  it('routes EVTX-shaped and flat Windows events, and nothing else', () => {
    expect(router.routeOf(evtx(SYSMON, 1))).toBeDefined();
    expect(router.routeOf(evtx(SYSMON, { '#attributes': { Qualifiers: 0 }, '#text': 1 }))).toBe(router.routeOf(evtx(SYSMON, 1)));
    // A damaged record without a channel is still a Windows event.
    expect(router.routeOf(evtx(null, 0))).toBeDefined();
    expect(router.routeOf(new JsonEvent({ Channel: 'Security', EventID: 4624 }))).toBeDefined();
    // Fail open: a flat Channel alone, or no sign at all, routes nothing.
    expect(router.routeOf(new JsonEvent({ Channel: 'general' }))).toBeUndefined();
    expect(router.routeOf(new JsonEvent({ CommandLine: 'whoami' }))).toBeUndefined();
  });

  it('keeps other products, and other sources without a product, off Windows events', () => {
    const r = route(evtx('Security', 4624));
    expect(router.exclusion(r, logsource({ product: 'zeek', service: 'rdp' }))).toMatch(/product zeek does not apply/);
    expect(router.exclusion(r, logsource({ product: 'Windows' }))).toBeUndefined();
    expect(router.exclusion(r, logsource({ category: 'proxy' }))).toMatch(/category proxy \(no product\) is not a Windows log source/);
    expect(router.exclusion(r, logsource({ service: 'apache' }))).toMatch(/service apache/);
    // No logsource at all: never pruned.
    expect(router.exclusion(r, logsource({}))).toBeUndefined();
  });

  it('admits a routed category only on its channels and event ids', () => {
    const pc = logsource({ product: 'windows', category: 'process_creation' });
    expect(router.exclusion(route(evtx(SYSMON, 1)), pc)).toBeUndefined();
    expect(router.exclusion(route(evtx('Security', 4688)), pc)).toBeUndefined();
    expect(router.exclusion(route(evtx(SYSMON, 3)), pc)).toMatch(
      /category process_creation comes from .*Sysmon.* not Microsoft-Windows-Sysmon\/Operational EventID 3/,
    );
    expect(router.exclusion(route(evtx('security', 4688)), pc)).toBeUndefined(); // channel case does not matter
    // antivirus rules carry no product; Defender detections are theirs.
    const av = logsource({ category: 'antivirus' });
    expect(router.exclusion(route(evtx('Microsoft-Windows-Windows Defender/Operational', 1116)), av)).toBeUndefined();
    expect(router.exclusion(route(evtx('Microsoft-Windows-Windows Defender/Operational', 5001)), av)).toBeDefined();
  });

  it('admits a routed service only on its channels, and fails open on what the table does not route', () => {
    const security = logsource({ product: 'windows', service: 'security' });
    expect(router.exclusion(route(evtx('Security', 4624)), security)).toBeUndefined();
    expect(router.exclusion(route(evtx('System', 7045)), security)).toMatch(/service security comes from channel Security, not System/);
    expect(router.exclusion(route(evtx(null, 0)), security)).toMatch(/not no channel/);
    // ETW-only categories and unlisted services cannot be placed, so they run everywhere.
    expect(router.exclusion(route(evtx('Security', 4663)), logsource({ product: 'windows', category: 'file_access' }))).toBeUndefined();
    expect(router.exclusion(route(evtx('Custom/Log', 1)), logsource({ product: 'windows', service: 'some-new-service' }))).toBeUndefined();
  });
});

const RULES = `
title: Whoami anywhere
id: r-any
logsource: {product: windows}
detection:
  sel: {CommandLine|contains: whoami}
  condition: sel
---
title: Whoami in process creation
id: r-pc
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|contains: whoami}
  condition: sel
---
title: Not a zeek event
id: r-zeek
logsource: {product: zeek, service: rdp}
detection:
  sel: {id.orig_h: 10.0.0.1}
  condition: not sel
`;

describe('Engine with a logsource router', () => {
  const loaded = (routed: boolean): Engine => {
    const engine = new Engine(routed ? { logSourceRouter: windowsEventRouter() } : {});
    engine.addCollection(parseSigmaYaml(RULES));
    return engine;
  };
  const ids = (engine: Engine, event: JsonEvent): (string | null)[] => engine.evaluate(event).map((r) => r.rule_id);
  const sysmon1 = new JsonEvent({ Channel: SYSMON, EventID: 1, CommandLine: 'whoami /all' });
  const sysmon3 = new JsonEvent({ Channel: SYSMON, EventID: 3, CommandLine: 'whoami /all' });

  it('skips rules that cannot apply, and nothing else', () => {
    expect(ids(loaded(false), sysmon3)).toEqual(['r-any', 'r-pc', 'r-zeek']);
    expect(ids(loaded(true), sysmon1)).toEqual(['r-any', 'r-pc']);
    expect(ids(loaded(true), sysmon3)).toEqual(['r-any']);
    // An event that does not say where it comes from runs every rule.
    expect(ids(loaded(true), new JsonEvent({ CommandLine: 'whoami' }))).toEqual(['r-any', 'r-pc', 'r-zeek']);
  });

  it('decides again for rules added after a route was seen, and when the router changes', () => {
    const engine = loaded(true);
    expect(ids(engine, sysmon3)).toEqual(['r-any']);
    engine.addCollection(parseSigmaYaml(RULES.replaceAll('r-', 'again-')));
    expect(ids(engine, sysmon3)).toEqual(['r-any', 'again-any']);
    engine.setLogSourceRouter(null);
    expect(ids(engine, sysmon3)).toEqual(['r-any', 'r-pc', 'r-zeek', 'again-any', 'again-pc', 'again-zeek']);
  });

  it('explains a routed-out rule with the reason', () => {
    const [any, pc, zeek] = loaded(true).explain(sysmon3);
    expect(any?.routed_out).toBeUndefined();
    expect(any?.matched).toBe(true);
    expect(pc?.matched).toBe(false);
    expect(pc?.routed_out).toMatch(/category process_creation comes from/);
    expect(zeek).toMatchObject({ matched: false, routed_out: 'logsource product zeek does not apply to Windows events' });
  });
});

const KEYWORD_RULES = `
title: Windows keyword
id: kw-win
logsource: {product: windows, service: security}
detection:
  keywords: [mimikatz, sekurlsa]
  condition: keywords
---
title: Linux keyword
id: kw-linux
logsource: {product: linux}
detection:
  keywords: [whoami]
  condition: keywords
`;

describe('routing with the candidate prefilter', () => {
  it('finds what a full scan with the same routing finds (keyword scans skipped where no routed rule needs them)', () => {
    const load = (prefilter: boolean): Engine => {
      const engine = new Engine({ logSourceRouter: windowsEventRouter(), prefilter });
      engine.addCollection(parseSigmaYaml(RULES + '---' + KEYWORD_RULES));
      return engine;
    };
    const indexed = load(true);
    const scanned = load(false);
    const event = fc.record(
      {
        Channel: fc.constantFrom('Security', SYSMON, 'System'),
        EventID: fc.constantFrom(1, 3, 4624, 4688),
        CommandLine: fc.constantFrom('whoami /all', 'mimikatz.exe', 'sekurlsa::logonpasswords', 'notepad'),
        'id.orig_h': fc.constantFrom('10.0.0.1', '10.0.0.2'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 20 }), (events) => {
        for (const e of events) {
          const ids = (engine: Engine): (string | null)[] => engine.evaluate(new JsonEvent(e)).map((r) => r.rule_id);
          expect(ids(indexed)).toEqual(ids(scanned));
        }
      }),
    );
    // The keyword rule of the routed service still fires through the prefilter.
    expect(ids(indexed, new JsonEvent({ Channel: 'Security', EventID: 4624, CommandLine: 'mimikatz.exe' }))).toContain('kw-win');
    expect(ids(indexed, new JsonEvent({ Channel: SYSMON, EventID: 1, CommandLine: 'whoami' }))).not.toContain('kw-linux');
  });
});

function ids(engine: Engine, event: JsonEvent): (string | null)[] {
  return engine.evaluate(event).map((r) => r.rule_id);
}
