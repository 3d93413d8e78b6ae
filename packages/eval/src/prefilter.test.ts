import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findSigmaRuleFiles, parseSigmaFiles, type Detection, type SigmaCollection, type SigmaRule } from '@tsigma/parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus, hasCorpus } from '../../../test/corpus.js';
import { generateEvents, makeRandom } from '../bench/data.js';
import { Engine } from './engine.js';
import { builtinPipeline } from './pipeline/index.js';
import { JsonEvent } from './event.js';
import { CandidateIndex } from './prefilter.js';
import { compileRule } from './compile.js';
import { itemRule, matches, parsedRule, ruleFrom, ruleYaml } from './test-support.js';
import { rulePlan } from './prefilter-plan.js';
import { transformRule } from './pipeline/index.js';

const CORPUS = corpusPath('sigmahq');

describe('CandidateIndex', () => {
  const rules = [
    ruleFrom(ruleYaml("  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n")),
    ruleFrom(ruleYaml('  sel:\n    EventID: 4688\n  condition: sel\n')),
    ruleFrom(ruleYaml('  sel:\n    User: SYSTEM\n  condition: not sel\n')),
    ruleFrom(ruleYaml('  kw:\n    - mimikatz\n  condition: kw\n')),
    ruleFrom(ruleYaml('  sel:\n    A|gt: 3\n  condition: sel\n')),
  ];
  const index = new CandidateIndex(rules);

  it('keeps rules open when they have no witness', () => {
    expect(index.openCount()).toBe(1);
    expect(Array.from(index.candidates(new JsonEvent({})))).toEqual([2]);
  });

  it('selects candidates by substring, number, keyword and presence', () => {
    expect(Array.from(index.candidates(new JsonEvent({ Image: 'C:\\WINDOWS\\CMD.EXE' })))).toEqual([0, 2]);
    expect(Array.from(index.candidates(new JsonEvent({ EventID: '4688.0' })))).toEqual([1, 2]);
    expect(Array.from(index.candidates(new JsonEvent({ msg: ['x', 'run MIMIKATZ now'] })))).toEqual([2, 3]);
    expect(Array.from(index.candidates(new JsonEvent({ A: 'anything' })))).toEqual([2, 4]);
  });

  it('folds non-ASCII text like toLowerCase', () => {
    expect(Array.from(index.candidates(new JsonEvent({ Image: 'C:\\Üser\\CMD.EXE' })))).toEqual([0, 2]);
    const kelvin = new CandidateIndex([ruleFrom(ruleYaml('  sel:\n    Name|contains: kelvin\n  condition: sel\n'))]);
    expect(Array.from(kelvin.candidates(new JsonEvent({ Name: '\u212Aelvin' })))).toEqual([0]);
    expect(Array.from(kelvin.candidates(new JsonEvent({ Name: 'Celsius' })))).toEqual([]);
  });
});

describe('witness plans of routed rules', () => {
  const windowsRule = (detection: string) => {
    const yaml = `title: T\nlogsource: {product: windows, category: process_creation}\ndetection:\n${detection}`;
    return compileRule(
      transformRule([builtinPipeline('windows') as NonNullable<ReturnType<typeof builtinPipeline>>], parsedRule(yaml)).rule,
    );
  };

  it("leave out the windows pipeline's Channel/EventID groups when the rule's own value decides", () => {
    const plan = rulePlan(windowsRule('  sel:\n    CommandLine|contains: whoami\n  condition: sel\n'));
    expect(plan?.map((g) => g.hidden)).toEqual([false]);
    expect(plan?.[0]?.ws).toContainEqual({ k: 'sub', field: 'Event.EventData.CommandLine', text: 'whoami' });
  });

  it('keep them when the rule itself only asks for a field to exist', () => {
    const plan = rulePlan(windowsRule('  sel:\n    CommandLine|exists: true\n  condition: sel\n'));
    expect(plan?.some((g) => g.hidden)).toBe(true);
  });
});

describe('CandidateIndex with coalesced paths', () => {
  // A rule whose field a pipeline coalesced into several paths, as the windows pipeline does.
  const coalesced = (value: string, paths: string[]) => {
    const rule = parsedRule(ruleYaml(`  sel:\n    Image|endswith: '${value}'\n  condition: sel\n`));
    const sel = rule.detection.named.get('sel');
    if (sel?.kind !== 'allOf' || sel.items[0] === undefined) throw new Error('shape');
    sel.items[0].field.coalesce = paths;
    return compileRule(rule);
  };
  const index = new CandidateIndex([
    coalesced('\\cmd.exe', ['A.Image', 'B.Image']),
    ruleFrom(ruleYaml("  sel:\n    A.Image|endswith: '\\ps.exe'\n  condition: sel\n")),
    coalesced('\\cmd.exe', ['C.Image', 'D.Image']),
  ]);
  const candidates = (event: unknown) => Array.from(index.candidates(new JsonEvent(event)));

  it('shares automata only between paths with the same needles for the same rules', () => {
    expect(candidates({ B: { Image: 'c:\\ps.exe' } })).toEqual([]);
    expect(candidates({ A: { Image: 'c:\\PS.exe' } })).toEqual([1]);
    expect(candidates({ A: { Image: 'c:\\cmd.exe' } })).toEqual([0]);
    expect(candidates({ B: { Image: 'c:\\cmd.exe' } })).toEqual([0]);
    expect(candidates({ C: { Image: 'X\\CMD.EXE' } })).toEqual([2]);
    expect(candidates({ D: { Image: 'x\\cmd.exe' } })).toEqual([2]);
  });
});

describe('CandidateIndex over nested events', () => {
  // Rules on dotted paths; their candidates come from one walk of the event's path tree when it has no dotted keys.
  const paths = ['A.Image', 'U.*.Data', '*.Data', 'A.B.Image', ...Array.from({ length: 10 }, (_, i) => `E.F${i}`)];
  const index = new CandidateIndex(paths.map((p) => itemRule(`'${p}|contains': evil`)));
  const candidates = (event: unknown) => Array.from(index.candidates(new JsonEvent(event))).map((r) => paths[r]);

  it('follows arrays, which pass a segment on to each element and consume a *', () => {
    expect(candidates({ A: [{ Image: 'x' }, [{ Image: 'EVIL' }]] })).toEqual(['A.Image']);
    expect(candidates({ U: { P: { Data: 'evil' } } })).toEqual(['U.*.Data']);
    expect(candidates({ U: [{ Data: 'evil' }] })).toEqual(['U.*.Data', '*.Data']);
    expect(candidates({ U: [[{ Data: 'evil' }]] })).toEqual(['U.*.Data', '*.Data']);
    expect(candidates({ U: { Data: 'evil' } })).toEqual(['*.Data']);
  });

  it('looks up the keys of an object under a segment with many next segments', () => {
    expect(candidates({ E: { F7: 'evil', Other: 'evil' } })).toEqual(['E.F7']);
    expect(candidates({ E: [{ F0: 'x' }, { F9: 'evil' }] })).toEqual(['E.F9']);
  });

  it('looks each path up when the event has dotted keys', () => {
    expect(candidates({ A: { 'B.Image': 'evil' } })).toEqual(['A.B.Image']);
    expect(candidates({ 'A.Image': 'evil', E: { F1: 'evil' } })).toEqual(['A.Image', 'E.F1']);
    expect(candidates({ A: { B: { Image: 'evil' } }, 'x.y': 1 })).toEqual(['A.B.Image']);
  });

  it('never drops a rule that matches, on random trees', () => {
    const keys = ['A', 'B', 'U', 'E', 'F3', 'Image', 'Data', 'B.Image', 'A.Image', '*'];
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom('evil', 'not EVIL here', 'good', 7, null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...keys), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    const rules = paths.map((p) => itemRule(`'${p}|contains': evil`));
    fc.assert(
      fc.property(tree, (event) => {
        const found = Array.from(index.candidates(new JsonEvent(event)));
        rules.forEach((rule, r) => {
          if (matches(rule, event)) expect(found).toContain(r);
        });
      }),
      { numRuns: 3000 },
    );
  });
});

// Values a rule looks for, turned into event field values (wildcards filled, substrings padded).
function eventValuesOf(rule: SigmaRule, rand: () => number): [string, unknown][] {
  const out: [string, unknown][] = [];
  const visit = (det: Detection): void => {
    if (det.kind === 'anyOf') {
      const b = det.branches[Math.floor(rand() * det.branches.length)];
      if (b !== undefined) visit(b);
      return;
    }
    if (det.kind === 'keywords') {
      const v = det.values[0];
      if (v?.type === 'string') out.push(['Message', `x ${v.value.original.replace(/\*/g, '')} y`]);
      return;
    }
    for (const item of det.items) {
      const field = item.field.name;
      if (field === null) continue;
      const v = item.values[Math.floor(rand() * item.values.length)];
      if (v === undefined) continue;
      const mods = item.field.modifiers;
      if (v.type === 'number' || v.type === 'bool') out.push([field, v.value]);
      else if (v.type === 'string' && !mods.includes('re')) {
        let text = v.value.parts.map((p) => ('text' in p ? p.text : p.wildcard === '*' ? 'zz' : 'q')).join('');
        if (rand() < 0.3) text = text.toUpperCase();
        if (mods.includes('contains')) text = `pre ${text} post`;
        else if (mods.includes('endswith')) text = `C:\\pre${text}`;
        else if (mods.includes('startswith')) text = `${text} post`;
        out.push([field, text]);
      }
    }
  };
  for (const det of rule.detection.named.values()) if (rand() < 0.8) visit(det);
  return out;
}

async function loadCorpus(): Promise<SigmaCollection> {
  const dirs = readdirSync(CORPUS)
    .filter((d) => d.startsWith('rules'))
    .map((d) => join(CORPUS, d));
  const files = (await Promise.all(dirs.map(findSigmaRuleFiles))).flatMap((found) => found.files);
  const parsed = await parseSigmaFiles(files);
  return { rules: parsed.rules, correlations: [], filters: parsed.filters, errors: [] };
}

// Generated Sysmon-like events plus events built from the rules' own values, so many rules fire.
function differentialEvents(rules: readonly SigmaRule[], count: number, seed: number): Record<string, unknown>[] {
  const rand = makeRandom(seed);
  const events: Record<string, unknown>[] = generateEvents(Math.floor(count / 4), seed + 1);
  while (events.length < count) {
    const ev: Record<string, unknown> = {};
    const n = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < n; k++) {
      const rule = rules[Math.floor(rand() * rules.length)] as SigmaRule;
      for (const [f, v] of eventValuesOf(rule, rand)) ev[f] = v;
    }
    if (rand() < 0.3) ev.EventID = Math.floor(rand() * 30);
    events.push(ev);
  }
  return events;
}

function expectSameResults(indexed: Engine, scan: Engine, events: Record<string, unknown>[]): number {
  let fired = 0;
  for (const e of events) {
    const a = JSON.stringify(indexed.evaluate(new JsonEvent(e)));
    const b = JSON.stringify(scan.evaluate(new JsonEvent(e)));
    expect(a).toBe(b);
    if (a !== '[]') fired++;
  }
  return fired;
}

const collection: SigmaCollection = hasCorpus ? await loadCorpus() : { rules: [], correlations: [], filters: [], errors: [] };

describeCorpus('prefilter differential over the SigmaHQ corpus', () => {
  it('gives the same results as a full scan', { timeout: 240_000 }, () => {
    const indexed = new Engine({ matchDetail: 'summary' });
    const scan = new Engine({ matchDetail: 'summary', prefilter: false });
    expect(indexed.addCollection(collection).rulesLoaded).toBeGreaterThan(3000);
    scan.addCollection(collection);
    const fired = expectSameResults(indexed, scan, differentialEvents(collection.rules, 4000, 7));
    expect(fired).toBeGreaterThan(1000);
  });

  it('gives the same results through the windows pipeline (coalesced nested paths)', { timeout: 240_000 }, () => {
    const windows = builtinPipeline('windows');
    if (windows === undefined) return;
    const rules = { ...collection, rules: collection.rules.filter((r) => r.logsource.product === 'windows') };
    const indexed = new Engine();
    const scan = new Engine({ prefilter: false });
    indexed.addPipeline(windows);
    scan.addPipeline(windows);
    indexed.addCollection(rules);
    scan.addCollection(rules);
    const flat = differentialEvents(rules.rules, 1500, 21);
    const nested = flat.map((e, i) =>
      i % 2 === 0 ? e : { Event: { System: { EventID: e.EventID ?? 1, Channel: 'Microsoft-Windows-Sysmon/Operational' }, EventData: e } },
    );
    expect(expectSameResults(indexed, scan, nested)).toBeGreaterThan(100);
  });
});
