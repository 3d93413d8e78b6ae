// SigmaHQ regression suite (spec 04 §10.1): every corpus rule, loaded unchanged through the builtin `windows`
// pipeline, must fire on the evtx_dump JSON of its own regression events, as SigmaHQ's runner requires.

import { readFileSync } from 'node:fs';

import { parseSigmaYaml } from '@tsigma/parser';
import { describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus, hasCorpus } from '../../../test/corpus.js';

import { Engine } from '../src/engine.js';
import { JsonEvent } from '../src/event.js';
import { builtinPipeline } from '../src/pipeline/builtin.js';

interface Case {
  rule_id: string;
  rule_title: string;
  rule_path: string;
  json: string;
  match_count: number | null;
}

/**
 * Cases that cannot pass, with the reason. Keep this empty unless the data itself makes a case impossible
 * (for instance a rule relying on a field evtx_dump does not emit); such cases are asserted to still fail.
 */
const EXCEPTIONS: Readonly<Record<string, string>> = {};

/**
 * Splits concatenated JSON documents (pretty-printed objects written one after another, not an array)
 * by tracking strings and nesting depth; whitespace between documents is ignored.
 */
function splitJsonDocuments(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c ?? '')) {
      throw new Error(`unexpected '${c}' between JSON documents at offset ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new Error('truncated JSON document');
  return docs;
}

/** Number of events of the case's JSON twin on which the case's rule fires. */
function countMatches(c: Case): number {
  const ruleFile = corpusPath(c.rule_path);
  const collection = parseSigmaYaml(readFileSync(ruleFile, 'utf8'), { file: ruleFile });
  const parseErrors = collection.errors.filter((e) => e.severity === 'error');
  expect(parseErrors.map((e) => e.message)).toEqual([]);
  const windows = builtinPipeline('windows');
  if (windows === undefined) throw new Error('builtin windows pipeline missing');
  const engine = new Engine();
  engine.addPipeline(windows);
  const report = engine.addCollection(collection);
  expect(report.errors.filter((e) => e.severity === 'error').map((e) => `${e.code}: ${e.message}`)).toEqual([]);
  expect(report.rulesLoaded).toBeGreaterThan(0);
  const events = splitJsonDocuments(readFileSync(corpusPath(c.json), 'utf8'));
  expect(events.length).toBeGreaterThan(0);
  return events.filter((e) => engine.evaluate(new JsonEvent(e)).some((r) => r.rule_id === c.rule_id)).length;
}

describe('JSON twin splitting', () => {
  it('splits concatenated pretty-printed documents, with braces inside strings', () => {
    expect(splitJsonDocuments('{\n  "a": "}{\\"",\n  "b": [1, {"c": 2}]\n}\n{"d": 3}\n')).toEqual([
      { a: '}{"', b: [1, { c: 2 }] },
      { d: 3 },
    ]);
    expect(() => splitJsonDocuments('{"a": 1} x')).toThrow();
    expect(() => splitJsonDocuments('{"a": 1')).toThrow();
  });
});

describeCorpus('SigmaHQ regression cases through the windows pipeline', () => {
  // Read at collection time (one test per case) only when present: without the corpus this body just names skipped tests.
  const cases = hasCorpus ? (JSON.parse(readFileSync(corpusPath('regression/manifest.json'), 'utf8')) as Case[]) : [];

  it('covers the whole manifest', () => {
    expect(cases.length).toBe(92);
  });

  for (const c of cases) {
    const want = c.match_count ?? 1;
    const reason = EXCEPTIONS[c.rule_id];
    if (reason !== undefined) {
      it.fails(`${c.rule_title} (${c.rule_id}) — known exception: ${reason}`, () => {
        expect(countMatches(c)).toBeGreaterThanOrEqual(want);
      });
      continue;
    }
    it(`${c.rule_title} (${c.rule_id}) fires at least ${want}×`, () => {
      expect(countMatches(c)).toBeGreaterThanOrEqual(want);
    });
  }
});
