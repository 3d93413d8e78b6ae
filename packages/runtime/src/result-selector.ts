// Result selectors (spec 08 §3): a name such as `rule` or `match.SourceIp` that reads one value of an
// EvaluationResult, shared by the alert pipeline and enrichment. Pure: it never changes the result it reads.

import { JsonEvent } from '@tsigma/eval';
import type { EvaluationResult } from '@tsigma/eval';
import { RuntimeError } from './errors.js';

/** What a selector reads. */
export type SelectorKind = 'rule' | 'title' | 'level' | 'kind' | 'tags' | 'match' | 'event' | 'enrichment' | 'group_key';

const BARE: Readonly<Record<string, SelectorKind>> = { rule: 'rule', title: 'title', level: 'level', kind: 'kind', tags: 'tags' };
const PREFIXED: readonly (readonly [string, SelectorKind])[] = [
  ['correlation.group_key.', 'group_key'],
  ['match.', 'match'],
  ['event.', 'event'],
  ['enrichment.', 'enrichment'],
];

/**
 * One parsed selector. `name` is its canonical text (trimmed, empty path segments removed), the name used in
 * fingerprints, incident keys and `dedup_fields`.
 *
 * @example
 * const ip = Selector.parse('match.SourceIp');
 * ip.stringOf(result); // '10.0.0.1', or undefined when the result has no such field
 */
export class Selector {
  private constructor(
    readonly name: string,
    readonly kind: SelectorKind,
    /** The path after the prefix (`SourceIp` for `match.SourceIp`); empty for bare selectors. */
    readonly path: string,
  ) {}

  /** Parses a selector; anything outside the grammar throws a RuntimeError `invalid_selector` naming it. */
  static parse(text: string): Selector {
    const trimmed = text.trim();
    const bare = BARE[trimmed];
    if (bare !== undefined) return new Selector(trimmed, bare, '');
    for (const [prefix, kind] of PREFIXED) {
      if (!trimmed.startsWith(prefix)) continue;
      const path = trimmed
        .slice(prefix.length)
        .split('.')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .join('.');
      if (path.length === 0) throw invalid(text, `'${prefix}' needs a field path after it`);
      return new Selector(prefix + path, kind, path);
    }
    throw invalid(
      text,
      'expected rule, title, level, kind, tags, match.<field>, event.<path>, enrichment.<path> or correlation.group_key.<field>',
    );
  }

  /** True when the selector can hold several values (`tags`): matchers then test each one. */
  get multiValued(): boolean {
    return this.kind === 'tags';
  }

  /** The value the selector names, or `undefined` when the result has none (absent). */
  resolve(result: EvaluationResult): unknown {
    switch (this.kind) {
      case 'rule':
        return result.rule_id ?? result.rule_title;
      case 'title':
        return result.rule_title;
      case 'level':
        return result.level === null ? undefined : result.level.toLowerCase();
      case 'kind':
        return 'correlation_type' in result ? 'correlation' : 'detection';
      case 'tags':
        return result.tags;
      case 'match': {
        if ('correlation_type' in result) return undefined;
        for (const m of result.matched_fields) if (m.field === this.path) return m.value;
        return undefined;
      }
      case 'event': {
        if ('correlation_type' in result || result.event === undefined) return undefined;
        return new JsonEvent(result.event).get(this.path);
      }
      case 'enrichment':
        return lookupPath(result.enrichments, this.path);
      case 'group_key': {
        if (!('correlation_type' in result)) return undefined;
        for (const [field, value] of result.group_key) if (field === this.path) return value;
        return undefined;
      }
    }
  }

  /** The string form (see {@link stringForm}) of the resolved value, or `undefined` when absent. */
  stringOf(result: EvaluationResult): string | undefined {
    const value = this.resolve(result);
    return value === undefined ? undefined : stringForm(value);
  }
}

/**
 * How selector values are compared and hashed: strings as they are, anything else as compact JSON with object
 * keys sorted (so `{b:1,a:2}` and `{a:2,b:1}` agree).
 */
export function stringForm(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** The whole path as one flat key first, then a nested walk (08 §3's deliberate extension of rsigma). */
function lookupPath(root: unknown, path: string): unknown {
  if (root === null || typeof root !== 'object') return undefined;
  const record = root as Record<string, unknown>;
  if (Object.hasOwn(record, path)) return record[path];
  let node: unknown = root;
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function invalid(text: string, reason: string): RuntimeError {
  return new RuntimeError('invalid_selector', `invalid selector '${text}': ${reason}`, text);
}
