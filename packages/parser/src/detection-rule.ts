// Detection rules: metadata, logsource and detection block (spec 01 §4).

import type { SigmaRule } from './ast.js';
import { readDetections } from './detection.js';
import type { DocumentContext } from './document-context.js';
import { readLogSource } from './logsource.js';
import { COMMON_KEYS, readMetadata } from './metadata.js';
import { entryOf, type TreeMap } from './yaml-tree.js';

const DETECTION_RULE_KEYS: ReadonlySet<string> = new Set([...COMMON_KEYS, 'logsource', 'detection']);
const NO_SKIPPED_KEYS: ReadonlySet<string> = new Set();

/** Reads a detection rule document; returns `undefined` when an error rejects it. */
export function readDetectionRule(ctx: DocumentContext, doc: TreeMap): SigmaRule | undefined {
  const meta = readMetadata(ctx, doc, DETECTION_RULE_KEYS);
  const ls = entryOf(doc, 'logsource');
  if (ls === undefined) ctx.warn('missing_field', `missing field 'logsource'; the rule gets an empty logsource`, doc.start, 'logsource');
  const logsource = ls === undefined ? { custom: {} } : readLogSource(ctx, ls.value);
  const det = entryOf(doc, 'detection');
  if (det === undefined) {
    ctx.error('missing_field', `missing required field 'detection'`, doc.start, 'detection');
    return undefined;
  }
  if (det.value.kind !== 'map') {
    ctx.error('invalid_value', `'detection' must be a mapping`, det.value.start, 'detection');
    return undefined;
  }
  const detection = readDetections(ctx, det.value, { path: 'detection', skipKeys: NO_SKIPPED_KEYS, singleCondition: false });
  if (detection === undefined || ctx.rejected) return undefined;
  return { kind: 'rule', ...meta, logsource, detection };
}
