import { parseSigmaYaml } from '@tsigma/parser';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Engine, type RuleLoadError, type RuleLoadErrorCode } from './engine.js';
import { RuleCompileError } from './errors.js';
import { JsonEvent } from './event.js';
import { LogSourceExtractor } from './logsource.js';
import { builtinPipeline } from './pipeline/index.js';

const TWO_RULES = `title: Good
id: 11111111-0000-0000-0000-000000000001
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|contains: whoami
  condition: sel
---
title: Bad Regex
id: 11111111-0000-0000-0000-000000000002
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|re: '(a)\\1'
  condition: sel
---
title: Placeholder
logsource: {product: windows, category: process_creation}
detection:
  sel:
    User|expand: '%admins%'
  condition: sel
`;

describe('Engine.addCollection', () => {
  it('skips and reports rules that fail to compile and loads the rest', () => {
    const engine = new Engine();
    const report = engine.addCollection(parseSigmaYaml(TWO_RULES, { file: 'rules.yml' }));
    expect(report.rulesLoaded).toBe(1);
    expect(report.errors.map((e) => [e.code, e.title, e.file, e.severity])).toEqual([
      ['invalid_regex', 'Bad Regex', 'rules.yml', 'error'],
      ['unresolved_placeholder', 'Placeholder', 'rules.yml', 'error'],
    ]);
    expect(engine.rules().map((r) => r.title)).toEqual(['Good']);
    expect(engine.evaluate(new JsonEvent({ CommandLine: 'whoami' }))).toHaveLength(1);
  });

  it('locates compile errors at the detection item: line, column and pointer', () => {
    const report = new Engine().addCollection(parseSigmaYaml(TWO_RULES, { file: 'rules.yml' }));
    expect(report.errors.map(({ code, file, line, column, pointer }) => ({ code, file, line, column, pointer }))).toEqual([
      { code: 'invalid_regex', file: 'rules.yml', line: 14, column: 5, pointer: '/detection/sel/CommandLine|re' },
      { code: 'unresolved_placeholder', file: 'rules.yml', line: 21, column: 5, pointer: '/detection/sel/User|expand' },
    ]);
  });

  it('types RuleLoadError codes as the closed union of parse, compile, correlation and pipeline codes', () => {
    expectTypeOf<RuleLoadError['code']>().toEqualTypeOf<RuleLoadErrorCode>();
    expectTypeOf<'invalid_regex' | 'unknown_modifier' | 'correlation_cycle' | 'mapping_explosion'>().toExtend<RuleLoadErrorCode>();
    // @ts-expect-error: not a code any loader reports
    const unknown: RuleLoadErrorCode = 'no_such_code';
    expect(unknown).toBe('no_such_code');
  });

  it('throws the first error in strict mode', () => {
    expect(() => new Engine().addCollection(parseSigmaYaml(TWO_RULES), { strict: true })).toThrow(RuleCompileError);
  });

  it('copies parse errors into the report', () => {
    const report = new Engine().addCollection(
      parseSigmaYaml('title: x\nlogsource: {}\ndetection:\n  sel:\n    A|contians: 1\n  condition: sel\n'),
    );
    expect(report.errors[0]).toMatchObject({ code: 'unknown_modifier', line: 5, column: 5 });
  });

  it('applies pipelines before compiling', () => {
    const sysmon = builtinPipeline('sysmon');
    if (sysmon === undefined) return;
    const engine = new Engine();
    engine.addPipeline(sysmon);
    engine.addCollection(parseSigmaYaml(TWO_RULES));
    expect(engine.rules()[0]?.logsource.service).toBe('sysmon');
    expect(engine.evaluate(new JsonEvent({ EventID: 1, CommandLine: 'whoami' }))).toHaveLength(1);
    expect(engine.evaluate(new JsonEvent({ EventID: 3, CommandLine: 'whoami' }))).toHaveLength(0);
  });

  it('evaluates batches in order and explains by id or title', () => {
    const engine = new Engine();
    engine.addCollection(parseSigmaYaml(TWO_RULES));
    expect(engine.evaluateBatch([new JsonEvent({ CommandLine: 'whoami' }), new JsonEvent({})]).map((r) => r.length)).toEqual([1, 0]);
    expect(engine.explain(new JsonEvent({}), { ruleId: '11111111-0000-0000-0000-000000000001' })).toHaveLength(1);
    expect(engine.explain(new JsonEvent({}), { ruleId: 'Good' })[0]?.matched).toBe(false);
    expect(engine.explain(new JsonEvent({}), { ruleId: 'nope' })).toHaveLength(0);
  });
});

const FILTERED = `title: Proc
id: 22222222-0000-0000-0000-000000000001
name: proc_rule
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\\rar.exe'
  condition: sel
---
title: Other
logsource: {product: linux, category: process_creation}
detection:
  sel:
    Image|endswith: '\\rar.exe'
  condition: sel
`;

function filterDoc(rules: string, logsource = '{product: windows}'): string {
  return `title: Ignore admins\nlogsource: ${logsource}\nfilter:\n  rules: ${rules}\n  selection:\n    User|startswith: 'adm_'\n  condition: not selection\n`;
}

describe('events whose root is not an object', () => {
  it('evaluates field and keyword rules through lookups and leaves, with and without the prefilter', () => {
    const event = new JsonEvent([{ CommandLine: 'cmd /c WHOAMI' }, 'x']);
    for (const prefilter of [true, false]) {
      const engine = new Engine({ prefilter });
      engine.addCollection(
        parseSigmaYaml(`${TWO_RULES}---\ntitle: Kw\nlogsource: {product: x}\ndetection:\n  kw:\n    - whoami\n  condition: kw\n`),
      );
      expect(engine.evaluate(event).map((r) => r.rule_title)).toEqual(['Good', 'Kw']);
    }
  });
});

describe('filters', () => {
  it('ANDs the filter onto targeted rules with a compatible logsource', () => {
    const engine = new Engine();
    const report = engine.addCollection(parseSigmaYaml(`${FILTERED}---\n${filterDoc('[proc_rule]')}`));
    expect(report.filtersApplied).toBe(1);
    const ev = (user: string) => new JsonEvent({ Image: 'C:\\x\\rar.exe', User: user });
    expect(engine.evaluate(ev('adm_joe')).map((r) => r.rule_title)).toEqual(['Other']);
    expect(engine.evaluate(ev('joe')).map((r) => r.rule_title)).toEqual(['Proc', 'Other']);
    const rule = engine.rules()[0];
    expect(rule?.detectionNames).toEqual(['sel', '_tsigma_filter_0_selection']);
  });

  it('targets by id, title or any and respects logsource dimensions', () => {
    const byAny = new Engine();
    byAny.addCollection(parseSigmaYaml(`${FILTERED}---\n${filterDoc('any', '{category: process_creation}')}`));
    expect(byAny.evaluate(new JsonEvent({ Image: 'a\\rar.exe', User: 'adm_x' }))).toHaveLength(0);
    const byTitle = new Engine();
    byTitle.addCollection(parseSigmaYaml(`${FILTERED}---\n${filterDoc('[Other]', '{product: linux}')}`));
    expect(byTitle.evaluate(new JsonEvent({ Image: 'a\\rar.exe', User: 'adm_x' })).map((r) => r.rule_title)).toEqual(['Proc']);
  });

  it('warns when explicit targets match nothing', () => {
    const report = new Engine().addCollection(parseSigmaYaml(`${FILTERED}---\n${filterDoc('[nope]')}`));
    expect(report.errors).toMatchObject([{ code: 'filter_no_target', severity: 'warning' }]);
  });

  it('applyFilter works on rules added before', () => {
    const engine = new Engine();
    engine.addCollection(parseSigmaYaml(FILTERED));
    const f = parseSigmaYaml(filterDoc('any', '{}')).filters[0];
    if (f === undefined) throw new Error('no filter');
    engine.applyFilter(f);
    expect(engine.evaluate(new JsonEvent({ Image: 'a\\rar.exe', User: 'adm_x' }))).toHaveLength(0);
    expect(engine.explain(new JsonEvent({ Image: 'a\\rar.exe', User: 'adm_x' }))[0]?.conditions[0]?.type).toBe('and');
  });
});

describe('logsource routing', () => {
  const engine = (x?: LogSourceExtractor) => {
    const e = new Engine(x === undefined ? {} : { logSourceExtractor: x });
    e.addCollection(parseSigmaYaml(FILTERED));
    return e;
  };
  const ev = (extra: Record<string, unknown>) => new JsonEvent({ Image: 'c:\\rar.exe', ...extra });

  it('skips only rules that conflict with the event logsource', () => {
    const e = engine(new LogSourceExtractor());
    expect(e.evaluate(ev({ product: 'Windows' })).map((r) => r.rule_title)).toEqual(['Proc']);
    expect(e.evaluate(ev({})).map((r) => r.rule_title)).toEqual(['Proc', 'Other']);
    expect(e.evaluate(ev({ product: '  ' })).map((r) => r.rule_title)).toEqual(['Proc', 'Other']);
    expect(e.evaluate(ev({ category: 'process_creation' }))).toHaveLength(2);
  });

  it('uses configured fields and defaults', () => {
    const e = engine(new LogSourceExtractor({ fieldMap: { product: 'os' }, defaults: { product: 'linux' } }));
    expect(e.evaluate(ev({ os: 'windows' })).map((r) => r.rule_title)).toEqual(['Proc']);
    expect(e.evaluate(ev({})).map((r) => r.rule_title)).toEqual(['Other']);
  });

  it('evaluateWithLogSource uses the caller logsource', () => {
    const e = engine();
    expect(e.evaluateWithLogSource(ev({}), { product: 'linux' }).map((r) => r.rule_title)).toEqual(['Other']);
    e.setLogSourceExtractor(new LogSourceExtractor());
    expect(e.evaluate(ev({ product: 'linux' })).map((r) => r.rule_title)).toEqual(['Other']);
    e.setLogSourceExtractor(null);
    expect(e.evaluate(ev({ product: 'linux' }))).toHaveLength(2);
  });
});

describe('Engine.addCollections', () => {
  it('loads parts as one: a filter in an earlier part applies to rules of a later one, and the parts are read once', () => {
    let reads = 0;
    function* parts() {
      for (const [file, text] of [
        ['filters.yml', filterDoc('[proc_rule]')],
        ['rules.yml', FILTERED],
        ['more.yml', TWO_RULES],
      ] as const) {
        reads++;
        yield parseSigmaYaml(text, { file });
      }
    }
    const engine = new Engine();
    const report = engine.addCollections(parts());
    expect(reads).toBe(3);
    expect(report.rulesLoaded).toBe(3);
    expect(report.filtersApplied).toBe(1);
    expect(report.errors.map((e) => [e.code, e.file])).toEqual([
      ['invalid_regex', 'more.yml'],
      ['unresolved_placeholder', 'more.yml'],
    ]);
    const adminRar = new JsonEvent({ Image: 'C:\\rar.exe', User: 'adm_jo' });
    expect(engine.evaluate(adminRar).map((r) => r.rule_title)).toEqual(['Other']);
    // The same rules in one collection give the same verdicts.
    const single = new Engine();
    single.addCollection(parseSigmaYaml(`${filterDoc('[proc_rule]')}---\n${FILTERED}---\n${TWO_RULES}`));
    expect(single.evaluate(adminRar).map((r) => r.rule_title)).toEqual(['Other']);
  });
});
