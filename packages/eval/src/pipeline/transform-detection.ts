// Transformations that add detection structure (spec 04 §5.2): `add_condition` and `hashes_fields`.

import type { ConditionExpr, DetectionItem, SigmaRule, SigmaValue } from '@tsigma/parser';
import { parseFieldKey, toSigmaValue } from './sigma-value.js';
import { copyItem, itemSelected, markItem, rewriteItems, ruleError, sourceLocation, type Inherited, type Run } from './transform-run.js';
import type { ProcessingItem, Transformation } from './types.js';

/** Prefix of detections injected by `add_condition`; the engine never selects them with `them` or patterns. */
const HIDDEN_CONDITION_PREFIX = '_tsigma_cond_';

/** Adds `t` as a hidden detection ANDed onto every condition of `rule` (`add_condition`). */
export function applyAddCondition(
  run: Run,
  rule: SigmaRule,
  t: Extract<Transformation, { type: 'add_condition' }>,
  pi: ProcessingItem,
): void {
  let n = 0;
  while (rule.detection.named.has(`${HIDDEN_CONDITION_PREFIX}${n}`)) n++;
  const name = `${HIDDEN_CONDITION_PREFIX}${n}`;
  const template = (v: unknown): unknown => {
    if (!t.template || typeof v !== 'string') return v;
    return v.replace(/\$(category|product|service)\b/g, (m, key: 'category' | 'product' | 'service') => rule.logsource[key] ?? m);
  };
  const items: DetectionItem[] = t.conditions.map(([key, v]) => {
    const spec = parseFieldKey(key);
    // Keys were validated when the pipeline was parsed.
    const field = 'unknownModifier' in spec ? { name: key, modifiers: [] } : spec;
    const values = (Array.isArray(v) ? v : [v]).map((x) => toSigmaValue(template(x) as string | number | boolean | null, field.modifiers));
    return { field, values, location: sourceLocation(run) };
  });
  for (const [field, other] of t.fieldRefs) {
    items.push({
      field: { name: field, modifiers: ['fieldref'] },
      values: [toSigmaValue(other, ['fieldref'])],
      location: sourceLocation(run),
    });
  }
  for (const item of items) markItem(run, item, pi.id);
  const named = new Map(rule.detection.named);
  named.set(name, { kind: 'allOf', items });
  const id: ConditionExpr = { op: 'id', name };
  const x: ConditionExpr = t.negated ? { op: 'not', arg: id } : id;
  const xs = t.negated ? `not ${name}` : name;
  rule.detection = {
    ...rule.detection,
    named,
    conditions: rule.detection.conditions.map((c) => ({ op: 'and', args: t.prepend ? [x, c] : [c, x] })),
    conditionStrings: rule.detection.conditionStrings.map((s) => (t.prepend ? `${xs} and (${s})` : `(${s}) and ${xs}`)),
  };
}

const HASH_LENGTHS: Readonly<Record<number, string>> = { 32: 'MD5', 40: 'SHA1', 64: 'SHA256', 128: 'SHA512' };

/** Splits `Hashes` values (`ALGO=hex`, or bare hex by length) into one field per algorithm (`hashes_fields`). */
export function applyHashesFields(
  run: Run,
  t: Extract<Transformation, { type: 'hashes_fields' }>,
  pi: ProcessingItem,
  inh: Inherited,
): void {
  const hashFields = new Set(t.hashFields.map((f) => f.toLowerCase()));
  rewriteItems(run, pi, (item) => {
    const name = item.field.name;
    if (name === null || !hashFields.has(name.toLowerCase()) || !itemSelected(run, item, pi, inh)) return undefined;
    const groups = new Map<string, SigmaValue[]>();
    for (const v of item.values) {
      if (v.type !== 'string') continue;
      for (const rawPart of v.value.original.split(',')) {
        const part = rawPart.trim();
        const eq = part.indexOf('=');
        const algoText = eq >= 0 ? part.slice(0, eq) : /^[0-9a-fA-F]+$/.test(part) ? HASH_LENGTHS[part.length] : undefined;
        const hash = eq >= 0 ? part.slice(eq + 1) : part;
        const algo = algoText === undefined ? undefined : t.algos.find((a) => a.toLowerCase() === algoText.trim().toLowerCase());
        if (algo === undefined || hash === '') continue;
        const list = groups.get(algo) ?? [];
        list.push(toSigmaValue(hash, item.field.modifiers));
        groups.set(algo, list);
      }
    }
    if (groups.size === 0) {
      throw ruleError(run, 'hashes_no_valid_algorithm', `no value of '${name}' names one of ${t.algos.join(', ')}`, pi.path);
    }
    const newItems = [...groups].map(([algo, values]): DetectionItem => {
      const copy = copyItem(run, item);
      copy.field = { name: t.dropAlgoPrefix ? t.fieldPrefix : `${t.fieldPrefix}${algo}`, modifiers: [...item.field.modifiers] };
      copy.values = values;
      markItem(run, copy, pi.id);
      return copy;
    });
    return item.field.modifiers.includes('all') ? [newItems] : newItems.map((i) => [i]);
  });
}
