// Correlation rules (spec 01 §8): type, referenced rules, grouping, timespan, window and condition.
// It checks shape and references by name only; resolving rules and counting events is @tsigma/eval's job.

import type { CorrelationCondition, CorrelationRule, CorrelationType, Timespan } from './ast.js';
import { ConditionProblem, parseConditionText } from './condition.js';
import type { DocumentContext } from './document-context.js';
import { SigmaParseError } from './errors.js';
import { COMMON_KEYS, readMetadata } from './metadata.js';
import { parseTimespan } from './timespan.js';
import { describeNode, scalarText } from './tree-values.js';
import { entryOf, type TreeMap, type TreeNode } from './yaml-tree.js';

const CORRELATION_RULE_KEYS: ReadonlySet<string> = new Set([...COMMON_KEYS, 'correlation', 'generate']);
const CORRELATION_BLOCK_KEYS: ReadonlySet<string> = new Set([
  'type',
  'rules',
  'group-by',
  'timespan',
  'timeframe',
  'condition',
  'aliases',
  'generate',
  'window',
  'gap',
]);
const CORRELATION_TYPES: ReadonlySet<string> = new Set<CorrelationType>([
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
  'value_median',
]);
const TEMPORAL_TYPES: ReadonlySet<CorrelationType> = new Set(['temporal', 'temporal_ordered']);
const FIELD_TYPES: ReadonlySet<CorrelationType> = new Set(['value_count', 'value_sum', 'value_avg', 'value_percentile', 'value_median']);
type ThresholdOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
const THRESHOLD_OPS: ReadonlySet<string> = new Set<ThresholdOp>(['gt', 'gte', 'lt', 'lte', 'eq', 'neq']);
const WINDOWS: ReadonlySet<string> = new Set(['sliding', 'tumbling', 'session']);
/** `value_percentile` without an explicit `percentile` computes the median. */
const DEFAULT_PERCENTILE = 50;
/** Top-level attribute prefixes whose `window` / `gap` override the correlation block (03 §13); later ones win. */
const ENGINE_PREFIXES = ['rsigma.', 'tsigma.'] as const;

/** Reads a correlation rule document; returns `undefined` when an error rejects it. */
export function readCorrelationRule(ctx: DocumentContext, doc: TreeMap): CorrelationRule | undefined {
  const meta = readMetadata(ctx, doc, CORRELATION_RULE_KEYS);
  const block = entryOf(doc, 'correlation')?.value;
  if (block === undefined || block.kind !== 'map') {
    ctx.error('invalid_correlation', `'correlation' must be a mapping`, block?.start ?? doc.start, 'correlation');
    return undefined;
  }
  const fail = (message: string, at: number, path: string): undefined => {
    ctx.error('invalid_correlation', message, at, path);
    return undefined;
  };
  for (const e of block.entries) {
    if (!CORRELATION_BLOCK_KEYS.has(e.key))
      ctx.warn('invalid_correlation', `unknown key 'correlation.${e.key}' ignored`, e.keyStart, `correlation.${e.key}`);
  }

  const typeNode = entryOf(block, 'type')?.value;
  let type: CorrelationType | undefined;
  if (typeNode === undefined) ctx.error('missing_field', `'correlation.type' is required`, block.start, 'correlation.type');
  else if (typeNode.kind === 'scalar' && typeof typeNode.value === 'string' && CORRELATION_TYPES.has(typeNode.value))
    type = typeNode.value as CorrelationType;
  else
    fail(
      `'correlation.type' must be one of ${[...CORRELATION_TYPES].join(', ')}; found ${describeNode(typeNode)}`,
      typeNode.start,
      'correlation.type',
    );

  const rules = readNames(ctx, entryOf(block, 'rules')?.value, 'correlation.rules', block.start, true);
  const groupByNode = entryOf(block, 'group-by')?.value;
  const groupBy = groupByNode === undefined ? [] : (readNames(ctx, groupByNode, 'correlation.group-by', block.start, false) ?? []);
  if (groupBy.length === 0)
    ctx.warn(
      'missing_group_by',
      `no 'group-by': all matching events form one global group`,
      groupByNode?.start ?? block.start,
      'correlation.group-by',
    );

  const spanEntry = entryOf(block, 'timespan') ?? entryOf(block, 'timeframe');
  const timespan = spanEntry === undefined ? undefined : readTimespan(ctx, spanEntry.value, `correlation.${spanEntry.key}`);
  if (spanEntry === undefined) ctx.error('missing_field', `'correlation.timespan' is required`, block.start, 'correlation.timespan');

  const window = readWindow(ctx, meta.customAttributes, block);
  const generate = readGenerate(ctx, entryOf(block, 'generate')?.value ?? entryOf(doc, 'generate')?.value);
  const aliases = readAliases(ctx, entryOf(block, 'aliases')?.value);
  const condition = type === undefined || rules === undefined ? undefined : readCorrelationCondition(ctx, block, type, rules);

  if (
    ctx.rejected ||
    type === undefined ||
    rules === undefined ||
    timespan === undefined ||
    condition === undefined ||
    window === undefined
  )
    return undefined;
  const rule: CorrelationRule = {
    kind: 'correlation',
    ...meta,
    type,
    rules,
    groupBy,
    timespan,
    window: window.mode,
    condition,
    aliases,
    generate,
  };
  if (window.gap !== undefined) rule.gap = window.gap;
  return rule;
}

function readNames(
  ctx: DocumentContext,
  node: TreeNode | undefined,
  path: string,
  fallback: number,
  required: boolean,
): string[] | undefined {
  if (node === undefined) {
    if (required) ctx.error('missing_field', `'${path}' is required`, fallback, path);
    return undefined;
  }
  const bad = (at: number): undefined => {
    ctx.error('invalid_correlation', `'${path}' must be a string or a list of strings`, at, path);
    return undefined;
  };
  let names: string[];
  if (node.kind === 'scalar') {
    if (node.value === null) names = [];
    else if (typeof node.value === 'string') names = [node.value];
    else return bad(node.start);
  } else if (node.kind === 'seq') {
    names = [];
    for (const item of node.items) {
      if (item.kind !== 'scalar' || item.value === null || typeof item.value === 'boolean') return bad(item.start);
      names.push(scalarText(item));
    }
  } else {
    return bad(node.start);
  }
  if (required && names.length === 0) {
    ctx.error('invalid_correlation', `'${path}' must name at least one rule`, node.start, path);
    return undefined;
  }
  return names;
}

function readTimespan(ctx: DocumentContext, node: TreeNode, path: string): Timespan | undefined {
  const text = node.kind === 'scalar' && node.value !== null ? scalarText(node) : undefined;
  try {
    if (text === undefined)
      throw new SigmaParseError('invalid_timespan', `'${path}' must be a timespan such as '5m', not ${describeNode(node)}`);
    return parseTimespan(text);
  } catch (e) {
    if (!(e instanceof SigmaParseError)) throw e;
    ctx.error('invalid_timespan', e.message, node.start, path);
    return undefined;
  }
}

function readWindow(
  ctx: DocumentContext,
  attributes: Record<string, unknown>,
  block: TreeMap,
): { mode: CorrelationRule['window']; gap?: Timespan } | undefined {
  let mode: CorrelationRule['window'] = 'sliding';
  let gap: Timespan | undefined;
  const windowEntry = entryOf(block, 'window');
  const gapEntry = entryOf(block, 'gap');
  if (windowEntry) {
    const v = windowEntry.value;
    if (v.kind === 'scalar' && typeof v.value === 'string' && WINDOWS.has(v.value)) mode = v.value as CorrelationRule['window'];
    else ctx.error('invalid_correlation', `'correlation.window' must be sliding, tumbling or session`, v.start, 'correlation.window');
  }
  if (gapEntry) gap = readTimespan(ctx, gapEntry.value, 'correlation.gap');
  // Engine attributes at the top level win over the block; invalid ones are ignored with a warning (03 §13).
  for (const prefix of ENGINE_PREFIXES) {
    const w = attributes[`${prefix}window`];
    if (w !== undefined) {
      if (typeof w === 'string' && WINDOWS.has(w)) mode = w as CorrelationRule['window'];
      else
        ctx.warn('invalid_correlation', `'${prefix}window' must be sliding, tumbling or session; ignored`, block.start, `${prefix}window`);
    }
    const g = attributes[`${prefix}gap`];
    if (typeof g === 'string') {
      try {
        gap = parseTimespan(g);
      } catch (e) {
        if (!(e instanceof SigmaParseError)) throw e;
        ctx.warn('invalid_timespan', `'${prefix}gap' ignored: ${e.message}`, block.start, `${prefix}gap`);
      }
    } else if (g !== undefined) {
      ctx.warn('invalid_timespan', `'${prefix}gap' must be a timespan such as '5m'; ignored`, block.start, `${prefix}gap`);
    }
  }
  if (mode === 'session' && gap === undefined) {
    ctx.error(
      'invalid_correlation',
      `a 'session' window needs a 'gap' timespan`,
      windowEntry?.value.start ?? block.start,
      'correlation.gap',
    );
    return undefined;
  }
  if (mode !== 'session' && gap !== undefined) {
    ctx.error(
      'invalid_correlation',
      `'gap' only applies to a 'session' window (this one is '${mode}')`,
      gapEntry?.keyStart ?? block.start,
      'correlation.gap',
    );
    return undefined;
  }
  return gap === undefined ? { mode } : { mode, gap };
}

function readGenerate(ctx: DocumentContext, node: TreeNode | undefined): boolean {
  if (node === undefined) return false;
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  ctx.error('invalid_correlation', `'generate' must be true or false, not ${describeNode(node)}`, node.start, 'generate');
  return false;
}

function readAliases(ctx: DocumentContext, node: TreeNode | undefined): CorrelationRule['aliases'] {
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return [];
  if (node.kind !== 'map') {
    ctx.error(
      'invalid_correlation',
      `'correlation.aliases' must map alias names to {rule: field} mappings`,
      node.start,
      'correlation.aliases',
    );
    return [];
  }
  const out: CorrelationRule['aliases'] = [];
  for (const { key, value } of node.entries) {
    const path = `correlation.aliases.${key}`;
    if (value.kind !== 'map') {
      ctx.error('invalid_correlation', `alias '${key}' must map rule names to field names`, value.start, path);
      continue;
    }
    const mapping: Record<string, string> = {};
    for (const e of value.entries) {
      if (e.value.kind === 'scalar' && typeof e.value.value === 'string') {
        Object.defineProperty(mapping, e.key, { value: e.value.value, enumerable: true, writable: true, configurable: true });
      } else {
        ctx.error(
          'invalid_correlation',
          `alias '${key}': the field for rule '${e.key}' must be a string`,
          e.value.start,
          `${path}.${e.key}`,
        );
      }
    }
    out.push({ alias: key, mapping });
  }
  return out;
}

function readCorrelationCondition(
  ctx: DocumentContext,
  block: TreeMap,
  type: CorrelationType,
  rules: string[],
): CorrelationCondition | undefined {
  const entry = entryOf(block, 'condition');
  const temporal = TEMPORAL_TYPES.has(type);
  const path = 'correlation.condition';
  if (entry === undefined || (entry.value.kind === 'scalar' && entry.value.value === null)) {
    if (temporal) return { kind: 'threshold', predicates: [{ op: 'gte', value: rules.length }] };
    ctx.error('invalid_correlation', `a '${type}' correlation needs a 'condition' such as {gte: 10}`, entry?.keyStart ?? block.start, path);
    return undefined;
  }
  const node = entry.value;
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    if (!temporal) {
      ctx.error(
        'invalid_correlation',
        `a condition expression is only allowed for temporal correlations; '${type}' needs a mapping such as {gte: 10}`,
        node.start,
        path,
      );
      return undefined;
    }
    return readConditionExpression(ctx, node, node.value, rules, path);
  }
  if (node.kind !== 'map') {
    ctx.error('invalid_correlation', `'${path}' must be a mapping of operators (gt, gte, lt, lte, eq, neq)`, node.start, path);
    return undefined;
  }
  const predicates: { op: ThresholdOp; value: number }[] = [];
  let field: string[] | undefined;
  let percentile: number | undefined;
  for (const { key, keyStart, value } of node.entries) {
    const p = `${path}.${key}`;
    if (THRESHOLD_OPS.has(key)) {
      if (value.kind === 'scalar' && typeof value.value === 'number' && Number.isFinite(value.value))
        predicates.push({ op: key as ThresholdOp, value: value.value });
      else ctx.error('invalid_correlation', `'${key}' needs a finite number, not ${describeNode(value)}`, value.start, p);
    } else if (key === 'field') {
      field = readNames(ctx, value, p, value.start, true);
    } else if (key === 'percentile') {
      if (type !== 'value_percentile') ctx.error('invalid_correlation', `'percentile' only applies to value_percentile`, keyStart, p);
      else if (value.kind === 'scalar' && typeof value.value === 'number' && value.value >= 0 && value.value <= 100)
        percentile = value.value;
      else ctx.error('invalid_correlation', `'percentile' must be a number from 0 to 100`, value.start, p);
    } else {
      ctx.error(
        'invalid_correlation',
        `unknown condition key '${key}' (expected gt, gte, lt, lte, eq, neq, field or percentile)`,
        keyStart,
        p,
      );
    }
  }
  if (predicates.length === 0)
    ctx.error('invalid_correlation', `the condition needs at least one of gt, gte, lt, lte, eq, neq`, node.start, path);
  if (FIELD_TYPES.has(type) && field === undefined) {
    ctx.error('invalid_correlation', `a '${type}' correlation needs 'condition.field'`, node.start, `${path}.field`);
  }
  if (field !== undefined && field.length > 1 && type !== 'value_count') {
    ctx.error('invalid_correlation', `only value_count accepts a list of fields in 'condition.field'`, node.start, `${path}.field`);
  }
  if (ctx.rejected) return undefined;
  const condition: CorrelationCondition = { kind: 'threshold', predicates };
  if (field !== undefined) condition.field = field;
  if (type === 'value_percentile') condition.percentile = percentile ?? DEFAULT_PERCENTILE;
  return condition;
}

function readConditionExpression(
  ctx: DocumentContext,
  node: TreeNode & { kind: 'scalar' },
  text: string,
  rules: string[],
  path: string,
): CorrelationCondition | undefined {
  try {
    const { expr, refs } = parseConditionText(text, false);
    const known = new Set(rules);
    let ok = true;
    for (const ref of refs) {
      if (!known.has(ref.name)) {
        ok = false;
        ctx.conditionError(
          'unknown_identifier',
          `condition uses '${ref.name}', which is not listed in 'correlation.rules'`,
          node,
          ref.offset,
          path,
        );
      }
    }
    return ok ? { kind: 'expression', expr } : undefined;
  } catch (e) {
    if (!(e instanceof ConditionProblem)) throw e;
    ctx.conditionError(e.code, e.message, node, e.offset, path);
    return undefined;
  }
}
