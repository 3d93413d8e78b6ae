// The `detection` block (and the detection part of a filter): named detections, their items and
// the conditions checked against the detection names (spec 01 §4, §7).

import type { ConditionExpr, Detection, DetectionItem, Detections } from './ast.js';
import { ConditionProblem, parseConditionText, selectDetectionNames } from './condition.js';
import type { DocumentContext } from './document-context.js';
import { readItemValues, plainValue } from './detection-value.js';
import { analyzeFieldSpec } from './field-spec.js';
import { readString } from './tree-values.js';
import type { TreeEntry, TreeMap, TreeNode, TreeScalar } from './yaml-tree.js';

/** Detection names with this prefix are reserved for detections injected by pipelines. */
const RESERVED_DETECTION_PREFIX = '_tsigma';

const REFERENCEABLE_NAME = /^[A-Za-z0-9_-]+$/;

/** How a detection block is read: a rule's `detection`, or a filter's `filter` (one condition, extra `rules` key). */
interface DetectionOptions {
  /** Path prefix of the block, for messages (`detection` or `filter`). */
  path: string;
  /** Keys of the block that are not detections. */
  skipKeys: ReadonlySet<string>;
  /** Filters allow exactly one condition. */
  singleCondition: boolean;
}

/** Reads a detection block; returns `undefined` when it is unusable (errors are on `ctx`). */
export function readDetections(ctx: DocumentContext, block: TreeMap, opts: DetectionOptions): Detections | undefined {
  const named = new Map<string, Detection>();
  // Conditions are checked against every declared name, so a broken detection is reported once.
  const names: string[] = [];
  let conditionNode: TreeNode | undefined;
  let conditionKeyStart = block.start;
  let timeframe: string | undefined;
  const blockEntries = block.entries;
  for (let k = 0; k < blockEntries.length; k++) {
    const { key, keyStart, value } = blockEntries[k] as TreeEntry;
    const path = `${opts.path}.${key}`;
    if (key === 'condition') {
      conditionNode = value;
      conditionKeyStart = keyStart;
      continue;
    }
    if (key === 'timeframe') {
      timeframe = readString(ctx, value, path);
      continue;
    }
    if (opts.skipKeys.has(key)) continue;
    names.push(key);
    if (key.startsWith(RESERVED_DETECTION_PREFIX)) {
      ctx.error(
        'reserved_identifier',
        `detection name '${key}' is reserved: names starting with '${RESERVED_DETECTION_PREFIX}' are kept for injected detections`,
        keyStart,
        path,
      );
      continue;
    }
    if (!REFERENCEABLE_NAME.test(key)) {
      ctx.warn(
        'unreferenceable_identifier',
        `detection name '${key}' cannot be written in a condition (use only A-Z, a-z, 0-9, '_' and '-'); only selectors can reach it`,
        keyStart,
        path,
      );
    }
    const detection = readDetection(ctx, value, path);
    if (detection) named.set(key, detection);
  }
  const conditions: ConditionExpr[] = [];
  const conditionStrings: string[] = [];
  if (conditionNode === undefined) {
    ctx.error('missing_field', `'${opts.path}' has no 'condition'`, block.start, `${opts.path}.condition`);
  } else {
    const scalars = conditionScalars(ctx, conditionNode, conditionKeyStart, opts);
    for (const [scalar, path] of scalars) {
      const text = scalar.value as string;
      const expr = readCondition(ctx, scalar, text, path, names);
      if (expr) {
        conditions.push(expr);
        conditionStrings.push(text);
      }
    }
  }
  if (ctx.rejected) return undefined;
  // Arrays grown by push keep spare capacity (17 slots from the first push); every rule keeps its AST,
  // so the exact-length copy is what survives.
  const kept = { named, conditions: conditions.slice(), conditionStrings: conditionStrings.slice() };
  return timeframe === undefined ? kept : { ...kept, timeframe };
}

function conditionScalars(ctx: DocumentContext, node: TreeNode, keyStart: number, opts: DetectionOptions): [TreeScalar, string][] {
  const path = `${opts.path}.condition`;
  const notString = (at: number, p: string): [] => {
    ctx.error('condition_syntax', `'condition' must be a string or a list of strings`, at, p);
    return [];
  };
  if (node.kind === 'scalar') {
    if (typeof node.value !== 'string') {
      return node.value === null ? (ctx.error('missing_field', `'condition' is empty`, keyStart, path), []) : notString(node.start, path);
    }
    return [[node, path]];
  }
  if (node.kind === 'map') return notString(node.start, path);
  if (node.items.length === 0) {
    ctx.error('missing_field', `'condition' is an empty list`, node.start, path);
    return [];
  }
  if (opts.singleCondition && node.items.length > 1) {
    ctx.error('invalid_filter', `a filter has exactly one condition, found ${node.items.length}`, node.start, path);
    return [];
  }
  const out: [TreeScalar, string][] = [];
  node.items.forEach((item, i) => {
    if (item.kind === 'scalar' && typeof item.value === 'string') out.push([item, `${path}[${i}]`]);
    else notString(item.start, `${path}[${i}]`);
  });
  return out;
}

function readCondition(
  ctx: DocumentContext,
  scalar: TreeScalar,
  text: string,
  path: string,
  names: readonly string[],
): ConditionExpr | undefined {
  let parsed: ReturnType<typeof parseConditionText>;
  try {
    parsed = parseConditionText(text);
  } catch (e) {
    if (!(e instanceof ConditionProblem)) throw e;
    ctx.conditionError(e.code, e.message, scalar, e.offset, path);
    return undefined;
  }
  const known = new Set(names);
  let ok = true;
  for (const ref of parsed.refs) {
    if (ref.kind === 'id') {
      if (!known.has(ref.name)) {
        ok = false;
        ctx.conditionError(
          'unknown_identifier',
          `condition uses '${ref.name}', which names no detection (known: ${names.join(', ') || 'none'})`,
          scalar,
          ref.offset,
          path,
        );
      }
    } else if (selectDetectionNames(ref.name, names).length === 0) {
      ok = false;
      const what =
        ref.name === 'them'
          ? "'them' matches no detection (names starting with '_' are excluded)"
          : `pattern '${ref.name}' matches no detection`;
      ctx.conditionError('empty_selector', what, scalar, ref.offset, path);
    }
  }
  return ok ? parsed.expr : undefined;
}

/** Reads one named detection: a mapping (AND), a list with mappings (OR), or keywords. */
function readDetection(ctx: DocumentContext, node: TreeNode, path: string): Detection | undefined {
  if (node.kind === 'map') {
    if (node.entries.length === 0) {
      ctx.error('empty_detection', `detection '${path}' is an empty mapping`, node.start, path);
      return undefined;
    }
    const items: DetectionItem[] = [];
    const entries = node.entries;
    for (let k = 0; k < entries.length; k++) {
      const { key, keyStart, value } = entries[k] as TreeEntry;
      const itemPath = `${path}.${key}`;
      const { spec, problems } = analyzeFieldSpec(key);
      for (const p of problems) {
        if (p.severity === 'error') ctx.error(p.code, p.message, keyStart, itemPath);
        else ctx.warn(p.code, p.message, keyStart, itemPath);
      }
      if (problems.some((p) => p.severity === 'error')) continue;
      const values = readItemValues(ctx, spec, value, itemPath);
      items.push({ field: spec, values, location: ctx.locate(keyStart) });
    }
    // Exact-length copy: see readDetections.
    return { kind: 'allOf', items: items.slice() };
  }
  if (node.kind === 'seq') {
    if (node.items.length === 0) {
      ctx.error('empty_detection', `detection '${path}' is an empty list`, node.start, path);
      return undefined;
    }
    if (node.items.every((i) => i.kind === 'scalar')) {
      return { kind: 'keywords', values: node.items.map(plainValue) };
    }
    const branches: Detection[] = [];
    node.items.forEach((item, i) => {
      const d = readDetection(ctx, item, `${path}[${i}]`);
      if (d) branches.push(d);
    });
    return { kind: 'anyOf', branches };
  }
  if (node.value === null) {
    ctx.error('empty_detection', `detection '${path}' is empty`, node.start, path);
    return undefined;
  }
  return { kind: 'keywords', values: [plainValue(node)] };
}
