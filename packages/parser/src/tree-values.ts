// Typed reads of tree nodes for Sigma keys (strings, string lists), reporting type problems on the
// document context. No Sigma semantics beyond "this key holds a string / a list of strings".

import type { DocumentContext } from './document-context.js';
import type { TreeNode, TreeScalar } from './yaml-tree.js';

/** The text of a scalar: strings as they are, numbers and booleans as written in the source. */
export function scalarText(node: TreeScalar): string {
  return typeof node.value === 'string' ? node.value : node.source;
}

/**
 * Reads a string-valued key. Numbers and booleans are taken as written (`id: 12345`);
 * `null` counts as absent; a mapping or list is reported with `severity` and ignored.
 */
export function readString(
  ctx: DocumentContext,
  node: TreeNode,
  path: string,
  severity: 'error' | 'warning' = 'warning',
): string | undefined {
  if (node.kind === 'scalar') return node.value === null ? undefined : scalarText(node);
  const message = `'${path}' must be a string, not a ${node.kind === 'map' ? 'mapping' : 'list'}`;
  if (severity === 'error') ctx.error('invalid_value', message, node.start, path);
  else ctx.warn('invalid_value', message, node.start, path);
  return undefined;
}

/** Reads a list of strings, or one string as a one-element list; other items are dropped with a warning. */
export function readStringList(ctx: DocumentContext, node: TreeNode, path: string): string[] {
  if (node.kind === 'scalar') {
    if (node.value === null) return [];
    if (typeof node.value === 'string') return [node.value];
    ctx.warn(
      'invalid_value',
      `'${path}' must be a string or a list of strings; ${typeof node.value} ${node.source} dropped`,
      node.start,
      path,
    );
    return [];
  }
  if (node.kind === 'map') {
    ctx.warn('invalid_value', `'${path}' must be a string or a list of strings, not a mapping`, node.start, path);
    return [];
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    if (item.kind === 'scalar' && typeof item.value === 'string') out.push(item.value);
    else ctx.warn('invalid_value', `'${path}[${i}]' is not a string and was dropped`, item.start, `${path}[${i}]`);
  });
  // Arrays grown by push keep spare capacity (17 slots from the first push); every rule keeps its AST,
  // so the exact-length copy is what survives.
  return out.slice();
}

/** Describes a node's type for messages. */
export function describeNode(node: TreeNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  return node.value === null ? 'null' : `${typeof node.value} '${scalarText(node)}'`;
}
