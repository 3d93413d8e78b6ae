// Renders parsed BinXML (nodes + substitution values) to the JSON shape printed by `evtx_dump -o json`.
// It expands templates, arrays and embedded fragments in one pass; it never reads bytes (parsing is binxml.ts's job).

import { ArrayValue, ELEMENT, FragmentValue, MAX_BINXML_DEPTH, SUBST, TEMPLATE, TEXT } from './binxml.js';
import type { ContentNode, ElementNode, TextNode, SubstNode, Value } from './binxml.js';
import { EvtxError } from './errors.js';
import type { JsonScalar } from './values.js';

/** A JSON value as produced for one record. */
export type EvtxJson = JsonScalar | EvtxJson[] | { [key: string]: EvtxJson };

type JsonObject = { [key: string]: EvtxJson };

/** Draws from the per-record node budget; throws EvtxError `limit` when it runs out. */
interface NodeBudget {
  spend(count: number): void;
}

/** A child of EventData/UserData, kept until the container closes: `Data` handling depends on all siblings. */
interface DataContainerEntry {
  key: string;
  value: EvtxJson;
  /** Whether this is a `Data` child; `key` is then its `Name` attribute ("" when absent). */
  isData: boolean;
}

/** Collects one element's output while its content is walked. */
class ElementSink {
  /** The element's object: `#attributes` first, then children; created on the first attribute or child. */
  out: JsonObject | null = null;
  children = 0;
  /** The first text piece keeps its type; later pieces turn it into the joined string. */
  text: JsonScalar = null;
  textPieces = 0;
  /** Set for EventData/UserData only. */
  entries: DataContainerEntry[] | null;

  constructor(dataContainer: boolean) {
    this.entries = dataContainer ? [] : null;
  }

  addText(value: JsonScalar): void {
    this.text = this.textPieces === 0 ? value : stringOf(this.text) + stringOf(value);
    this.textPieces++;
  }

  addChild(name: string, value: EvtxJson): void {
    this.children++;
    if (this.entries !== null) this.entries.push({ key: name, value, isData: false });
    else insert((this.out ??= {}), name, value);
  }

  addData(name: string, value: EvtxJson): void {
    this.children++;
    if (this.entries !== null) this.entries.push({ key: name, value, isData: true });
  }

  /** The element's JSON: its text alone when it has neither attributes nor children, else an object. */
  finish(): EvtxJson {
    if (this.entries !== null && this.entries.length > 0) renderDataContainer(this.entries, (this.out ??= {}));
    const text = this.textPieces === 0 || this.text === '' ? null : this.text;
    if (this.out === null) return text;
    if (text !== null) this.out['#text'] = text;
    return this.out;
  }
}

/** Expands a record's top-level nodes and renders them: `{ "Event": {...} }`. */
export function renderRecord(nodes: ContentNode[], budget: NodeBudget): JsonObject {
  const root = new ElementSink(false);
  emitNodes(nodes, [], root, 0, budget);
  if (root.out === null) throw new EvtxError('binxml', 'record holds no element', { fileOffset: 0 });
  return root.out;
}

function emitNodes(nodes: ContentNode[], values: Value[], into: ElementSink, depth: number, budget: NodeBudget): void {
  if (depth > MAX_BINXML_DEPTH) {
    throw new EvtxError('limit', `expansion nests deeper than ${MAX_BINXML_DEPTH} levels`, { fileOffset: 0 });
  }
  for (const node of nodes) {
    switch (node.kind) {
      case ELEMENT:
        emitElement(node, values, into, depth + 1, budget);
        break;
      case TEMPLATE:
        emitNodes(node.body, node.values, into, depth + 1, budget);
        break;
      case TEXT:
        if (node.value !== null) into.addText(node.value);
        break;
      case SUBST:
        emitValue(values[node.index], into, depth, budget);
        break;
    }
  }
}

function emitValue(value: Value | undefined, into: ElementSink, depth: number, budget: NodeBudget): void {
  if (value === undefined || value === null) return;
  if (value instanceof FragmentValue) emitNodes(value.nodes, [], into, depth + 1, budget);
  else if (value instanceof ArrayValue) into.addText(value.items.map(stringOf).join(','));
  else into.addText(value);
}

/** Emits one element; an array-typed substitution in its direct content repeats it once per array item. */
function emitElement(node: ElementNode, values: Value[], into: ElementSink, depth: number, budget: NodeBudget): void {
  let arrayLength = -1;
  for (const part of node.content) {
    if (part.kind === SUBST) {
      const value = values[part.index];
      if (value instanceof ArrayValue) arrayLength = Math.max(arrayLength, value.items.length);
    }
  }
  if (arrayLength < 0) {
    emitSingle(node, values, into, depth, budget);
    return;
  }
  budget.spend(arrayLength);
  // An empty array still yields the element once, empty, so the field stays visible.
  for (let i = 0; i < Math.max(arrayLength, 1); i++) {
    const itemValues = values.map((value) => (value instanceof ArrayValue ? (value.items[i] ?? null) : value));
    emitSingle(node, itemValues, into, depth, budget);
  }
}

function emitSingle(node: ElementNode, values: Value[], into: ElementSink, depth: number, budget: NodeBudget): void {
  budget.spend(1);
  const name = node.name;
  const isData = name === 'Data' && into.entries !== null;
  const sink = new ElementSink(name === 'EventData' || name === 'UserData');
  let dataName = '';
  for (const attr of node.attrs) {
    const value = attrValue(attr.parts, values);
    // evtx_dump drops attributes whose value is null (an absent optional substitution).
    if (value === null) continue;
    if (isData && attr.name === 'Name') dataName = stringOf(value);
    const out = (sink.out ??= {});
    const attributes = (out['#attributes'] ??= {}) as JsonObject;
    insert(attributes, attr.name, value);
  }
  emitNodes(node.content, values, sink, depth, budget);
  if (!isData) {
    into.addChild(name, sink.finish());
    return;
  }
  // A Data value is its text ("" when empty), unless it has child elements.
  const value = sink.children > 0 ? sink.finish() : sink.textPieces === 0 ? '' : (sink.text ?? '');
  into.addData(dataName, value);
}

function attrValue(parts: (TextNode | SubstNode)[], values: Value[]): JsonScalar {
  if (parts.length === 1) return scalarOf(parts[0]!, values);
  let text: string | null = null;
  for (const part of parts) {
    const value = scalarOf(part, values);
    if (value !== null) text = (text ?? '') + stringOf(value);
  }
  return text;
}

function scalarOf(part: TextNode | SubstNode, values: Value[]): JsonScalar {
  if (part.kind === TEXT) return part.value;
  const value = values[part.index];
  if (value === undefined || value instanceof FragmentValue) return null;
  if (value instanceof ArrayValue) return value.items.map(stringOf).join(',');
  return value;
}

function stringOf(value: JsonScalar): string {
  return value === null ? '' : String(value);
}

/**
 * Children of EventData/UserData: `Data` children are keyed by their `Name` attribute when any has one (unnamed
 * ones are then skipped), else gathered as `Data: { "#text": value-or-list }` where the first one stood.
 */
function renderDataContainer(entries: DataContainerEntry[], out: JsonObject): void {
  const named = entries.some((entry) => entry.isData && entry.key !== '');
  const unnamed: EvtxJson[] = [];
  for (const entry of entries) {
    if (!entry.isData) insert(out, entry.key, entry.value);
    else if (named) {
      if (entry.key !== '') insert(out, entry.key, entry.value);
    } else {
      if (unnamed.length === 0) insert(out, 'Data', null); // reserves the key's place among its siblings
      unnamed.push(entry.value);
    }
  }
  if (unnamed.length > 0) out['Data'] = { '#text': unnamed.length === 1 ? unnamed[0]! : unnamed };
}

/** Inserts under `key`, or `key_1`, `key_2`, ... when a sibling already took it (evtx_dump's convention). */
function insert(target: JsonObject, key: string, value: EvtxJson): void {
  // Values are never undefined, and inherited members (`constructor`, `__proto__`) are not: the key is free.
  if (target[key] === undefined) {
    target[key] = value;
    return;
  }
  let free = key;
  for (let i = 1; Object.hasOwn(target, free); i++) free = `${key}_${i}`;
  if (free === '__proto__') Object.defineProperty(target, free, { value, enumerable: true, writable: true, configurable: true });
  else target[free] = value;
}
