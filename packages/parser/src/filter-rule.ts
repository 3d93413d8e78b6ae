// Filter (meta-filter) rules: target rules plus a detection block ANDed onto them (spec 01 §9).

import type { FilterRule } from './ast.js';
import { readDetections } from './detection.js';
import type { DocumentContext } from './document-context.js';
import { readLogSource } from './logsource.js';
import { COMMON_KEYS, readMetadata } from './metadata.js';
import { entryOf, type TreeMap, type TreeNode } from './yaml-tree.js';

const FILTER_RULE_KEYS: ReadonlySet<string> = new Set([...COMMON_KEYS, 'logsource', 'filter']);
const FILTER_BLOCK_SKIPPED: ReadonlySet<string> = new Set(['rules']);

/** Reads a filter rule document; returns `undefined` when an error rejects it. */
export function readFilterRule(ctx: DocumentContext, doc: TreeMap): FilterRule | undefined {
  const meta = readMetadata(ctx, doc, FILTER_RULE_KEYS);
  for (const key of ['level', 'status'] as const) {
    const e = entryOf(doc, key);
    if (e)
      ctx.warn(
        'invalid_filter',
        `'${key}' has no meaning on a filter rule; it applies to the filtered rules' own metadata`,
        e.keyStart,
        key,
      );
  }
  const ls = entryOf(doc, 'logsource');
  if (ls === undefined)
    ctx.warn('invalid_filter', `filter rule has no 'logsource'; the Sigma specification requires one`, doc.start, 'logsource');
  const filter = entryOf(doc, 'filter');
  if (filter === undefined || filter.value.kind !== 'map') {
    ctx.error(
      'invalid_filter',
      `'filter' must be a mapping with 'rules', detections and 'condition'`,
      filter?.value.start ?? doc.start,
      'filter',
    );
    return undefined;
  }
  const block = filter.value;
  const rulesEntry = entryOf(block, 'rules');
  let rules: FilterRule['rules'] | undefined;
  if (rulesEntry === undefined)
    ctx.error('missing_field', `filter has no 'rules' (use 'any' to filter every rule)`, block.start, 'filter.rules');
  else rules = readFilterTargets(ctx, rulesEntry.value);
  const detection = readDetections(ctx, block, { path: 'filter', skipKeys: FILTER_BLOCK_SKIPPED, singleCondition: true });
  if (detection === undefined || rules === undefined || ctx.rejected) return undefined;
  const rule: FilterRule = { kind: 'filter', ...meta, rules, detection };
  if (ls !== undefined) rule.logsource = readLogSource(ctx, ls.value);
  return rule;
}

function readFilterTargets(ctx: DocumentContext, node: TreeNode): FilterRule['rules'] | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    return node.value.toLowerCase() === 'any' ? 'any' : [node.value];
  }
  if (node.kind !== 'seq') {
    ctx.error('invalid_filter', `'filter.rules' must be a rule id, name or title, a list of them, or 'any'`, node.start, 'filter.rules');
    return undefined;
  }
  if (node.items.length === 0) return 'any';
  const out: string[] = [];
  node.items.forEach((item, i) => {
    if (item.kind === 'scalar' && typeof item.value === 'string') out.push(item.value);
    else ctx.error('invalid_filter', `'filter.rules[${i}]' must be a string`, item.start, `filter.rules[${i}]`);
  });
  return out;
}
