// The `logsource` block: standard dimensions plus custom string dimensions (spec 01 §4).

import type { LogSource } from './ast.js';
import type { DocumentContext } from './document-context.js';
import { scalarText } from './tree-values.js';
import type { TreeEntry, TreeNode } from './yaml-tree.js';

type StandardDimension = 'category' | 'product' | 'service' | 'definition';
const STANDARD_DIMENSIONS: ReadonlySet<string> = new Set<StandardDimension>(['category', 'product', 'service', 'definition']);

/** Reads a logsource mapping; a value of the wrong shape is dropped with a warning. */
export function readLogSource(ctx: DocumentContext, node: TreeNode): LogSource {
  const logsource: LogSource = { custom: {} };
  if (node.kind !== 'map') {
    if (!(node.kind === 'scalar' && node.value === null))
      ctx.warn('invalid_value', `'logsource' must be a mapping`, node.start, 'logsource');
    return logsource;
  }
  const entries = node.entries;
  for (let k = 0; k < entries.length; k++) {
    const { key, value } = entries[k] as TreeEntry;
    const path = `logsource.${key}`;
    if (value.kind === 'scalar' && value.value === null) continue;
    const standard = STANDARD_DIMENSIONS.has(key);
    // Standard dimensions take any scalar as text; custom ones must be strings (spec 01 §4).
    if (value.kind !== 'scalar' || (!standard && typeof value.value !== 'string')) {
      ctx.warn('invalid_value', `logsource '${key}' must be a string; dropped`, value.start, path);
      continue;
    }
    const text = scalarText(value);
    if (standard) logsource[key as StandardDimension] = text;
    else Object.defineProperty(logsource.custom, key, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return logsource;
}
