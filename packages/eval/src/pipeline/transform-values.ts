// Value transformations (spec 04 §5.3) and placeholder expansion (§7) over detection item values.

import type { DetectionItem, SigmaValue } from '@tsigma/parser';
import { convertCase } from './field-names.js';
import { expandSegments, hasPlaceholder, isSelected, splitPlaceholders, unescapePercent } from './placeholders.js';
import { partsToSource, toSigmaValue } from './sigma-value.js';
import {
  copyItem,
  itemSelected,
  markItem,
  reparse,
  rewriteItems,
  rewriteValues,
  ruleError,
  type Inherited,
  type Run,
} from './transform-run.js';
import type { ProcessingItem, Transformation } from './types.js';

/**
 * A Cartesian product of several list placeholders producing more values than this for one value fails the rule:
 * it bounds memory per rule. A value with one list placeholder yields as many values as that var holds (an IOC
 * list of 10^5 entries from a dynamic source), which the var's own size already bounds.
 */
const MAX_PLACEHOLDER_VALUES = 4096;

function replaceInValue(v: SigmaValue, item: DetectionItem, t: Extract<Transformation, { type: 'replace_string' }>): SigmaValue {
  if (v.type !== 'string') return v;
  const replacement = t.replacement.replace(/\\(\d+)/g, '$$$1');
  if (t.skipSpecial && !v.value.raw) {
    const parts = v.value.parts.map((p) => ('text' in p ? { text: t.regex.replaceAll(p.text, replacement) } : p));
    return { ...v, value: { parts, original: partsToSource(parts), raw: false } };
  }
  const original = t.regex.replaceAll(v.value.original, replacement);
  return original === v.value.original ? v : reparse(original, item);
}

function changedList(before: SigmaValue[], after: SigmaValue[]): SigmaValue[] | undefined {
  return after.length === before.length && after.every((v, i) => v === before[i]) ? undefined : after;
}

const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function convertValue(v: SigmaValue, target: 'str' | 'num' | 'int' | 'float' | 'bool', item: DetectionItem): SigmaValue {
  const text = v.type === 'null' ? undefined : v.type === 'string' ? v.value.original : String(v.value);
  if (text === undefined) return v;
  switch (target) {
    case 'str':
      return v.type === 'string' ? v : reparse(text, item);
    case 'num':
    case 'int':
    case 'float': {
      // Same numeric syntax as the engine's numeric view (02 §3): no hex, no spaces, no Infinity.
      if (v.type === 'bool' || !NUMERIC_TEXT.test(text)) return v;
      const n = Number(text);
      const value = target === 'int' ? Math.trunc(n) : n;
      return { type: 'number', value, isInteger: target === 'float' ? false : Number.isInteger(value) };
    }
    case 'bool': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return v.type === 'bool' ? v : { type: 'bool', value: true };
      if (lower === 'false' || lower === '0') return v.type === 'bool' ? v : { type: 'bool', value: false };
      return v;
    }
  }
}

function expandValuePlaceholders(
  run: Run,
  v: SigmaValue,
  item: DetectionItem,
  t: Extract<Transformation, { type: 'value_placeholders' | 'wildcard_placeholders' }>,
  pi: ProcessingItem,
): SigmaValue[] | undefined {
  if (v.type !== 'string') return undefined;
  const expand = item.field.modifiers.includes('expand');
  if (!expand && (t.type === 'wildcard_placeholders' || t.requireExpand)) return undefined;
  const segments = splitPlaceholders(v.value.original);
  if (!segments.some((s) => 'name' in s)) return undefined;
  let touched = false;
  const choices = segments.map((s): string[] => {
    if ('text' in s) return [s.text];
    const keep = `%${s.name}%`;
    if (!isSelected(s.name, t)) return [keep];
    if (t.type === 'wildcard_placeholders') {
      touched = true;
      return ['*'];
    }
    const values = run.vars.get(s.name);
    if (values === undefined) {
      if (expand) throw ruleError(run, 'undefined_placeholder', `placeholder '%${s.name}%' names no pipeline var`, pi.path);
      return [keep];
    }
    const template = values.find((x) => x.includes('${source.'));
    if (template !== undefined) {
      throw ruleError(run, 'unresolved_placeholder', `var '${s.name}' still holds the source template '${template}'`, pi.path);
    }
    touched = true;
    return values;
  });
  if (!touched) return undefined;
  const lists = choices.filter((c) => c.length > 1).length;
  const texts = expandSegments(choices, lists > 1 ? MAX_PLACEHOLDER_VALUES : Number.POSITIVE_INFINITY);
  if (texts === undefined) {
    throw ruleError(run, 'mapping_explosion', `placeholder expansion yields more than ${MAX_PLACEHOLDER_VALUES} values`, pi.path);
  }
  return texts.map((s) => reparse(s, item));
}

/** Drops `expand` from an item once none of its values holds a placeholder, unescaping `\%`. */
export function settleExpand(item: DetectionItem): DetectionItem {
  if (!item.field.modifiers.includes('expand')) return item;
  if (item.values.some((v) => v.type === 'string' && hasPlaceholder(v.value.original))) return item;
  item.field.modifiers = item.field.modifiers.filter((m) => m !== 'expand');
  item.values = item.values.map((v) =>
    v.type === 'string' && v.value.original.includes('\\%') ? reparse(unescapePercent(v.value.original), item) : v,
  );
  return item;
}

function applyPlaceholders(
  run: Run,
  t: Extract<Transformation, { type: 'value_placeholders' | 'wildcard_placeholders' }>,
  pi: ProcessingItem,
  inh: Inherited,
): void {
  rewriteItems(run, pi, (item) => {
    if (!itemSelected(run, item, pi, inh)) return undefined;
    let changed = false;
    const values = item.values.flatMap((v) => {
      const out = expandValuePlaceholders(run, v, item, t, pi);
      if (out === undefined) return [v];
      changed = true;
      return out;
    });
    if (!changed) return undefined;
    const copy = copyItem(run, item);
    copy.values = values;
    markItem(run, copy, pi.id);
    return [[settleExpand(copy)]];
  });
}

/** Applies `t` when it is a value or placeholder transformation; false when it is of another kind. */
export function applyValueTransformation(run: Run, t: Transformation, pi: ProcessingItem, inh: Inherited): boolean {
  switch (t.type) {
    case 'replace_string':
      rewriteValues(run, pi, inh, (values, item) =>
        changedList(
          values,
          values.map((v) => replaceInValue(v, item, t)),
        ),
      );
      return true;
    case 'map_string':
      rewriteValues(run, pi, inh, (values, item) =>
        changedList(
          values,
          values.flatMap((v) => {
            const to = v.type === 'string' ? t.mapping.get(v.value.original) : undefined;
            return to === undefined ? [v] : to.map((s) => reparse(s, item));
          }),
        ),
      );
      return true;
    case 'set_value':
      rewriteValues(run, pi, inh, (_values, item) => {
        const value = t.value;
        if (t.forceType === 'str') return [reparse(value === null ? '' : String(value), item)];
        if (t.forceType === 'num') return [convertValue(toSigmaValue(value, item.field.modifiers), 'num', item)];
        return [toSigmaValue(value, item.field.modifiers)];
      });
      return true;
    case 'convert_type':
      rewriteValues(run, pi, inh, (values, item) =>
        changedList(
          values,
          values.map((v) => convertValue(v, t.target, item)),
        ),
      );
      return true;
    case 'case':
      rewriteValues(run, pi, inh, (values, item) =>
        changedList(
          values,
          values.map((v) => {
            if (v.type !== 'string') return v;
            const s = convertCase(v.value.original, t.method);
            return s === v.value.original ? v : reparse(s, item);
          }),
        ),
      );
      return true;
    case 'value_placeholders':
    case 'wildcard_placeholders':
      applyPlaceholders(run, t, pi, inh);
      return true;
    case 'query_expression_placeholders':
      // Backend-only: kept in state for query generation, no effect on evaluation (spec 04 §7).
      run.state['query_expression_placeholders'] = { expression: t.expression, mapping: t.mapping };
      return true;
    case 'regex':
      // Backend-only case-insensitive regex emulation: nothing to do for evaluation (spec 04 §5.3).
      return true;
    default:
      return false;
  }
}
