// Rule compilation (spec 02 §1, §4–§7): a parsed (post-pipeline) Sigma rule becomes a tree of
// matchers and an index-based condition. This module holds the compiled shapes and assembles a rule; it never reads events.

import type { ContainsAny } from './contains-any.js';
import type { Detection, Level, LogSource, SigmaRule } from '@tsigma/parser';
import { cheapestFirst, cheapestItemsFirst, compileCondition } from './compile-condition.js';
import { compileItem } from './compile-item.js';
import { jsonPointer, type RuleCompileSpot } from './errors.js';
import type { FieldPath } from './event.js';
import type { ValueMatcher } from './matchers.js';
import type { MatcherKind } from './result.js';

/** One compiled `field|mods: values` item (or a field-less keyword item when `field` is null). */
export interface CompiledItem {
  readonly field: string | null;
  /** Paths tried in order (a pipeline coalesce list), else just the field; parsed once here. Empty for keyword items. */
  readonly paths: readonly FieldPath[];
  /** `exists` items: the wanted presence; null for value items. */
  readonly exists: boolean | null;
  readonly matchers: readonly ValueMatcher[];
  readonly all: boolean;
  readonly neq: boolean;
  /** The value list holds `null`, so an absent field matches. */
  readonly hasNull: boolean;
  /** Kind shown in details/explain: the single value's kind, or `one_of`. */
  readonly kind: MatcherKind;
  /**
   * Fast path when every value is a plain string matcher with the same case mode: the tests over the
   * (folded once) string value. Null otherwise.
   */
  readonly textTests: readonly ((text: string) => boolean)[] | null;
  /** With `textTests` and without `all`: the exact-match literals, pulled out of `textTests` into a set. */
  readonly textExact: ReadonlySet<string> | null;
  /**
   * With `textTests` and without `all`, for long lists: the plain `contains` literals, pulled out of `textTests`
   * into one substring automaton, so an event costs one pass over its value instead of one test per literal.
   */
  readonly textContains: ContainsAny | null;
  /** Whether `textTests`/`textExact` expect folded text. */
  readonly textFolded: boolean;
  /** Without `all`, when every value is a plain number: the numbers as a set. */
  readonly numbers: ReadonlySet<number> | null;
}

/** A compiled named detection. */
export type CompiledDetection =
  | {
      readonly kind: 'allOf';
      readonly items: readonly CompiledItem[];
      /** `items` cheapest first, for the verdict-only pass. */
      readonly fastItems: readonly CompiledItem[];
    }
  | { readonly kind: 'anyOf'; readonly branches: readonly CompiledDetection[] }
  | { readonly kind: 'keywords'; readonly item: CompiledItem };

/** A condition whose identifiers and selectors are resolved to detection indexes. */
export type CompiledCondition =
  | { readonly op: 'and' | 'or'; readonly args: readonly CompiledCondition[] }
  | { readonly op: 'not'; readonly arg: CompiledCondition }
  | { readonly op: 'id'; readonly det: number }
  | { readonly op: 'of'; readonly quantifier: 'any' | 'all' | number; readonly dets: readonly number[] };

/** A rule ready for evaluation: header data plus compiled detections and conditions. */
export interface CompiledRule extends LoadedRule {
  readonly detections: readonly CompiledDetection[];
  /** OR-ed conditions. */
  readonly conditions: readonly CompiledCondition[];
  /**
   * The same conditions with `and`/`or` operands ordered cheapest first, for the verdict-only pass.
   * Operands are side-effect free, so the order never changes a verdict; details use `conditions`.
   */
  readonly fastConditions: readonly CompiledCondition[];
}

/** What {@link Engine.rules} shows of a loaded rule: its header after pipelines and filters, without the matcher tree. */
export interface LoadedRule {
  readonly title: string;
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly level: Level | undefined;
  readonly author: string | undefined;
  readonly tags: readonly string[];
  readonly customAttributes: Readonly<Record<string, unknown>>;
  /** Logsource after pipelines. */
  readonly logsource: LogSource;
  readonly file: string | undefined;
  readonly documentIndex: number;
  /** Detection names in definition order (filters append theirs, hidden names included). */
  readonly detectionNames: readonly string[];
}

/** Prefix of injected detections that results never list (spec 02 §7). */
export const HIDDEN_PREFIX = '_tsigma';

/**
 * Compiles a parsed detection rule (already transformed by pipelines).
 *
 * @example
 * const rule = compileRule(parseSigmaYaml(yaml).rules[0]);
 * evaluateRule(rule, new JsonEvent({ CommandLine: 'whoami' }));
 * @throws RuleCompileError when a value, regex, CIDR, placeholder or identifier cannot be compiled.
 */
export function compileRule(rule: SigmaRule): CompiledRule {
  const spot: RuleCompileSpot = { ruleTitle: rule.title };
  if (rule.source.file !== undefined) spot.file = rule.source.file;
  if (rule.id !== undefined) spot.ruleId = rule.id;
  const names = [...rule.detection.named.keys()];
  const detections = names.map((name) =>
    compileDetection(rule.detection.named.get(name) as Detection, spot, jsonPointer('detection', name)),
  );
  const conditions = rule.detection.conditions.map((c) => compileCondition(c, names, spot, jsonPointer('detection', 'condition')));
  return {
    title: rule.title,
    id: rule.id,
    name: rule.name,
    level: rule.level,
    author: rule.author,
    tags: rule.tags,
    customAttributes: rule.customAttributes,
    logsource: rule.logsource,
    file: rule.source.file,
    documentIndex: rule.source.documentIndex,
    detectionNames: names,
    detections,
    conditions,
    fastConditions: conditions.map((c) => cheapestFirst(c, detections)),
  };
}

/** Compiles one named detection; `pointer` (e.g. `/detection/selection`) locates it in errors. */
export function compileDetection(det: Detection, spot: RuleCompileSpot, pointer: string): CompiledDetection {
  switch (det.kind) {
    case 'allOf': {
      const items = det.items.map((it) => compileItem(it, spot, pointer));
      return { kind: 'allOf', items, fastItems: cheapestItemsFirst(items) };
    }
    case 'anyOf':
      return { kind: 'anyOf', branches: det.branches.map((b, i) => compileDetection(b, spot, `${pointer}/${i}`)) };
    case 'keywords': {
      const item = compileItem(
        { field: { name: null, modifiers: [] }, values: det.values, location: { line: 0, column: 0 } },
        spot,
        pointer,
      );
      return { kind: 'keywords', item };
    }
  }
}
