// A small positioned tree built from `yaml` documents: mappings (ordered, duplicate-checked),
// sequences and scalars with source offsets, plus the deep merge of collection actions (spec 01 §2).
// It does not interpret Sigma keys.

import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar, type Alias, type Document, type Node as YamlNode } from 'yaml';
import { readFastYaml } from './fast-yaml.js';

/** Merging nests at most this deep; real templates are two or three levels, and a cap keeps hostile input cheap. */
const MAX_MERGE_DEPTH = 64;

/** A document may expand to at most this many nodes (aliases included): real rules have at most a few thousand, and the cap stops "billion laughs" input. */
const MAX_DOCUMENT_NODES = 200_000;

/**
 * The aliases of all documents of a file may expand to at most this many nodes together: with the document cap alone,
 * a file repeating a four-line alias bomb in each of its documents costs that cap (time and memory) once per document.
 */
const MAX_FILE_ALIAS_NODES = 200_000;

/** Collections may nest this deep; deeper input (or a self-referencing alias) would exhaust the stack. */
export const MAX_TREE_DEPTH = 256;

/**
 * What `yaml` resolves a scalar to: the core schema gives strings, numbers, booleans and null, and the tags it knows
 * when written explicitly give a Date (`!!timestamp`), a Buffer (`!!binary`) or a symbol (`!!merge <<`).
 */
type YamlScalarValue = string | number | boolean | null | Date | Uint8Array | symbol;

/** Scalar quoting style, which decides whether text offsets inside the value map 1:1 to the source. */
type ScalarStyle = 'plain' | 'single' | 'double' | 'block';

/** A scalar: its resolved value, its source text for plain scalars, and its source range. */
export interface TreeScalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  /** Source text of a plain scalar (`0x10`, `1.0`, `yes`), used when a number must be read as text. */
  source: string;
  style: ScalarStyle;
  start: number;
  end: number;
}

/** A sequence and its items. */
export interface TreeSeq {
  kind: 'seq';
  items: TreeNode[];
  start: number;
}

/** One `key: value` entry; `keyStart` is the offset of the key. */
export interface TreeEntry {
  key: string;
  keyStart: number;
  value: TreeNode;
}

/** A mapping with its entries in source order. */
export interface TreeMap {
  kind: 'map';
  entries: TreeEntry[];
  start: number;
}

/** Any node of a document tree. */
export type TreeNode = TreeScalar | TreeSeq | TreeMap;

/** A problem met while building a tree: the caller turns it into a `SigmaParseError`. */
export interface TreeProblem {
  code: 'duplicate_key' | 'invalid_value' | 'merge_too_deep';
  message: string;
  offset: number;
  path: string;
}

/** One document of a YAML stream: its tree (null when empty) and the problems met building it. */
export interface YamlDocument {
  tree: TreeNode | null;
  problems: TreeProblem[];
}

/** A YAML syntax error; the documents after it are not read. */
export interface YamlSyntaxError {
  syntax: string;
  offset: number;
}

/**
 * Reads every document of a YAML stream with the YAML 1.2 core schema, stopping at a syntax error.
 * Plain block-style files take a fast path; anything else goes through the `yaml` library.
 */
export function readYamlDocuments(text: string): (YamlDocument | YamlSyntaxError)[] {
  const fast = readFastYaml(text);
  return fast !== undefined ? fast.map((tree) => ({ tree, problems: [] })) : readLibraryYaml(text);
}

/** Reads a YAML stream with the `yaml` library (the authoritative path for every construct). */
export function readLibraryYaml(text: string): (YamlDocument | YamlSyntaxError)[] {
  const docs = parseStream(text);
  if (!Array.isArray(docs)) return [docs];
  const out: (YamlDocument | YamlSyntaxError)[] = [];
  const aliases: AliasBudget = { left: MAX_FILE_ALIAS_NODES };
  for (const doc of docs) {
    const syntax = doc.errors[0];
    if (syntax !== undefined) {
      out.push({ syntax: syntax.message, offset: syntax.pos[0] });
      break;
    }
    // `doc.warnings` only reports unresolved tags; their values are still read as plain strings.
    const problems: TreeProblem[] = [];
    out.push({ tree: buildTree(doc, problems, aliases), problems });
  }
  return out;
}

function parseStream(text: string): Document.Parsed[] | YamlSyntaxError {
  try {
    // Duplicate keys are found while building the tree, where their exact position is known.
    return parseAllDocuments(text, { schema: 'core', uniqueKeys: false, merge: false, prettyErrors: false });
  } catch (e) {
    // The library recurses per nesting level: absurdly deep input overflows the stack.
    if (e instanceof RangeError) return { syntax: `YAML nests too deeply to be read (${e.message})`, offset: 0 };
    if (isStackOverflowInRegex(e)) return { syntax: `YAML nests too deeply to be read (${STACK_OVERFLOW})`, offset: 0 };
    throw e;
  }
}

const STACK_OVERFLOW = 'Maximum call stack size exceeded';

/**
 * V8 reports a stack overflow as a RangeError, except when the stack runs out while a regular expression is being
 * compiled (the library compiles some on first use, which can be at the deepest point): that is a SyntaxError.
 */
function isStackOverflowInRegex(e: unknown): boolean {
  return e instanceof SyntaxError && e.message.includes(STACK_OVERFLOW);
}

/** Converts one parsed YAML document (core schema) into a tree; `null` contents give `null`. */
function buildTree(doc: Document.Parsed, problems: TreeProblem[], aliases: AliasBudget): TreeNode | null {
  const contents = doc.contents;
  if (contents === null) return null;
  const budget: Budget = { left: MAX_DOCUMENT_NODES, depth: 0, exhausted: false, targets: new Map(), aliasDepth: 0, aliases };
  return convert(doc, contents, '', problems, budget, 0);
}

function convert(doc: Document.Parsed, node: YamlNode, path: string, problems: TreeProblem[], budget: Budget, start: number): TreeNode {
  budget.left -= 1;
  if (budget.aliasDepth > 0) budget.aliases.left -= 1;
  const aliasesSpent = budget.aliasDepth > 0 && budget.aliases.left < 0;
  if (budget.left < 0 || budget.depth > MAX_TREE_DEPTH || aliasesSpent) {
    if (!budget.exhausted) {
      const why =
        budget.left < 0
          ? `expands to more than ${MAX_DOCUMENT_NODES} nodes`
          : budget.depth > MAX_TREE_DEPTH
            ? `nests deeper than ${MAX_TREE_DEPTH} levels`
            : `expands aliases past ${MAX_FILE_ALIAS_NODES} nodes, the limit for all documents of a file together`;
      problems.push({ code: 'invalid_value', message: `document ${why}`, offset: start, path });
      budget.exhausted = true;
    }
    return { kind: 'scalar', value: null, source: '', style: 'plain', start, end: start };
  }
  budget.depth++;
  try {
    return convertNode(doc, node, path, problems, budget, start);
  } finally {
    budget.depth--;
  }
}

interface Budget {
  left: number;
  depth: number;
  exhausted: boolean;
  /**
   * The node each alias stands for. `Alias.resolve` walks the document from its start on every call, and an alias
   * inside an aliased collection is met once per expansion: a small alias bomb would cost seconds.
   */
  targets: Map<Alias, YamlNode | undefined>;
  /** How many aliases enclose the node being converted: above 0, the node also counts against `aliases`. */
  aliasDepth: number;
  aliases: AliasBudget;
}

/** Nodes the aliases of a file's remaining documents may still expand to. */
interface AliasBudget {
  left: number;
}

function convertNode(doc: Document.Parsed, node: YamlNode, path: string, problems: TreeProblem[], budget: Budget, start: number): TreeNode {
  if (isScalar(node)) return scalarOf(node, start);
  if (isMap(node)) {
    const entries: TreeEntry[] = [];
    const index = new Map<string, number>();
    const mapStart = node.range?.[0] ?? start;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyStart = keyNode?.range?.[0] ?? mapStart;
      let key: string;
      if (keyNode === null || keyNode === undefined) {
        key = '';
      } else if (isScalar(keyNode)) {
        key = keyText(keyNode);
      } else {
        problems.push({ code: 'invalid_value', message: 'mapping keys must be scalars', offset: keyStart, path });
        continue;
      }
      const childPath = path === '' ? key : `${path}.${key}`;
      if (index.has(key)) {
        problems.push({ code: 'duplicate_key', message: `duplicate key '${key}'`, offset: keyStart, path: childPath });
        continue;
      }
      const valueNode = pair.value as YamlNode | null;
      const value: TreeNode =
        valueNode === null || valueNode === undefined
          ? { kind: 'scalar', value: null, source: '', style: 'plain', start: keyStart, end: keyStart }
          : convert(doc, valueNode, childPath, problems, budget, keyStart);
      index.set(key, entries.length);
      entries.push({ key, keyStart, value });
    }
    return { kind: 'map', entries, start: mapStart };
  }
  if (isSeq(node)) {
    const seqStart = node.range?.[0] ?? start;
    const items: TreeNode[] = [];
    node.items.forEach((item, i) => {
      const itemNode = item as YamlNode | null;
      items.push(
        itemNode === null || itemNode === undefined
          ? { kind: 'scalar', value: null, source: '', style: 'plain', start: seqStart, end: seqStart }
          : convert(doc, itemNode, `${path}[${i}]`, problems, budget, seqStart),
      );
    });
    return { kind: 'seq', items, start: seqStart };
  }
  if (isAlias(node)) {
    let target = budget.targets.get(node);
    if (target === undefined && !budget.targets.has(node)) budget.targets.set(node, (target = node.resolve(doc)));
    const aliasStart = node.range?.[0] ?? start;
    if (target === undefined) return { kind: 'scalar', value: null, source: '', style: 'plain', start: aliasStart, end: aliasStart };
    budget.aliasDepth++;
    try {
      return convert(doc, target, path, problems, budget, aliasStart);
    } finally {
      budget.aliasDepth--;
    }
  }
  return { kind: 'scalar', value: null, source: '', style: 'plain', start, end: start };
}

function keyText(node: Scalar): string {
  // Plain keys keep their spelling (`0x10`, `true`, `null` stay as written); quoted keys use their value.
  if (node.type === Scalar.PLAIN && typeof node.source === 'string') return node.source;
  const v = node.value as YamlScalarValue | undefined;
  return v === null || v === undefined ? '' : String(v);
}

function scalarOf(node: Scalar, fallback: number): TreeScalar {
  const range = node.range;
  const start = range?.[0] ?? fallback;
  const end = range?.[1] ?? start;
  const style: ScalarStyle =
    node.type === Scalar.QUOTE_SINGLE
      ? 'single'
      : node.type === Scalar.QUOTE_DOUBLE
        ? 'double'
        : node.type === Scalar.PLAIN || node.type === undefined
          ? 'plain'
          : 'block';
  const raw = node.value as YamlScalarValue | undefined;
  let value: TreeScalar['value'];
  if (raw === null || raw === undefined || typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    value = raw ?? null;
  } else if (raw instanceof Date) {
    value = raw.toISOString().slice(0, 10);
  } else {
    value = String(raw);
  }
  const source = typeof node.source === 'string' ? node.source : typeof value === 'string' ? value : String(value);
  return { kind: 'scalar', value, source, style, start, end };
}

/** The entry of `key` in a mapping, if present. */
export function entryOf(map: TreeMap, key: string): TreeEntry | undefined {
  const entries = map.entries;
  for (let k = 0; k < entries.length; k++) if ((entries[k] as TreeEntry).key === key) return entries[k];
  return undefined;
}

/** A copy of `map` without `key`. */
export function withoutKey(map: TreeMap, key: string): TreeMap {
  return { kind: 'map', entries: map.entries.filter((e) => e.key !== key), start: map.start };
}

/**
 * Deep merge: mappings merge key by key, any other overlay value replaces the base wholesale.
 * Returns `undefined` and records `merge_too_deep` when nesting exceeds {@link MAX_MERGE_DEPTH}.
 */
export function mergeTrees(base: TreeMap, overlay: TreeMap, problems: TreeProblem[]): TreeMap | undefined {
  return mergeAt(base, overlay, problems, '', 0);
}

function mergeAt(base: TreeMap, overlay: TreeMap, problems: TreeProblem[], path: string, depth: number): TreeMap | undefined {
  if (depth >= MAX_MERGE_DEPTH) {
    problems.push({
      code: 'merge_too_deep',
      message: `documents nest deeper than ${MAX_MERGE_DEPTH} levels and cannot be merged`,
      offset: overlay.start,
      path,
    });
    return undefined;
  }
  const entries = base.entries.slice();
  for (const over of overlay.entries) {
    const i = entries.findIndex((e) => e.key === over.key);
    const baseEntry = i >= 0 ? entries[i] : undefined;
    if (baseEntry === undefined) {
      entries.push(over);
      continue;
    }
    if (baseEntry.value.kind === 'map' && over.value.kind === 'map') {
      const merged = mergeAt(baseEntry.value, over.value, problems, path === '' ? over.key : `${path}.${over.key}`, depth + 1);
      if (merged === undefined) return undefined;
      entries[i] = { key: over.key, keyStart: over.keyStart, value: merged };
    } else {
      entries[i] = over;
    }
  }
  return { kind: 'map', entries, start: overlay.start };
}

/** Converts a tree to plain JavaScript values (used for custom attributes). */
export function toPlain(node: TreeNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) {
        Object.defineProperty(out, e.key, { value: toPlain(e.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}
