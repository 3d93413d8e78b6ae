// Values of one detection item (`Field|mods: value(s)`): shapes, types per modifier and the
// value-dependent checks of spec 01 §4.1 and §5.2. Matching semantics belong to @tsigma/eval.

import type { FieldSpec, Modifier, SigmaValue } from './ast.js';
import { isValidCidr } from './cidr.js';
import type { DocumentContext } from './document-context.js';
import { isPlain, parseSigmaString } from './sigma-string.js';
import { scalarText } from './tree-values.js';
import type { TreeNode, TreeScalar } from './yaml-tree.js';

/** Allowed integer ranges of the time-part modifiers (ISO week numbers run to 53). */
const TIME_PART_RANGES: Partial<Readonly<Record<Modifier, readonly [number, number]>>> = {
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  week: [1, 53],
  month: [1, 12],
  year: [0, 9999],
};

const NUMERIC_MODIFIERS: ReadonlySet<Modifier> = new Set(['lt', 'lte', 'gt', 'gte']);

/** Modifiers whose values are strings: numbers and booleans under them are read as their source text. */
const STRING_MODIFIERS: ReadonlySet<Modifier> = new Set([
  'contains',
  'startswith',
  'endswith',
  're',
  'i',
  'm',
  's',
  'windash',
  'base64',
  'base64offset',
  'wide',
  'utf16',
  'utf16be',
  'cased',
  'expand',
  'fieldref',
  'cidr',
]);

const EXISTS_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['yes', true],
  ['no', false],
]);

/** How the values of one field spec are typed, decided once per item. */
type ValueMode = 'exists' | 'numeric' | 'time' | 'cidr' | 'string' | 'plain';

/** Reads the values of a detection item and checks them against its modifiers. */
export function readItemValues(ctx: DocumentContext, spec: FieldSpec, node: TreeNode, path: string): SigmaValue[] {
  const label = spec.name === null ? 'keyword item' : `field '${spec.name}'`;
  let scalars: TreeScalar[];
  if (node.kind === 'map') {
    ctx.error('invalid_value', `value of ${label} must be a scalar or a list of scalars, not a mapping`, node.start, path);
    return [];
  }
  if (node.kind === 'seq') {
    if (node.items.length === 0) {
      ctx.warn('empty_value_list', `${label} has an empty value list and can never match`, node.start, path);
      return [];
    }
    scalars = [];
    for (const item of node.items) {
      if (item.kind !== 'scalar') {
        ctx.error(
          'invalid_value',
          `values of ${label} must be scalars; found a nested ${item.kind === 'map' ? 'mapping' : 'list'}`,
          item.start,
          path,
        );
        return [];
      }
      scalars.push(item);
    }
    if (scalars.length > 1 && scalars.some((s) => s.value === null)) {
      ctx.warn('null_in_list', `${label} mixes null with other values; null matches a missing or null field`, node.start, path);
    }
  } else {
    scalars = [node];
  }
  const mods = spec.modifiers;
  if (mods.length === 0) {
    // No modifier: every value is read as written (the common case, without the checks below).
    const out = new Array<SigmaValue>(scalars.length);
    for (let k = 0; k < scalars.length; k++) out[k] = plainValue(scalars[k] as TreeScalar);
    return out;
  }
  if (mods.includes('all') && scalars.length < 2) {
    ctx.error('all_single_value', `'all' on ${label} needs a list of at least two values`, node.start, path);
  }
  const mode = valueMode(mods);
  const out: SigmaValue[] = [];
  for (const s of scalars) {
    const v = convertValue(ctx, mode, mods, s, label, path);
    if (v !== undefined) out.push(v);
  }
  // Arrays grown by push keep spare capacity (17 slots from the first push); every rule keeps its AST,
  // so the exact-length copy is what survives.
  return out.slice();
}

/** Converts a scalar without modifiers: the form of keyword values. */
export function plainValue(s: TreeScalar): SigmaValue {
  const v = s.value;
  if (v === null) return { type: 'null' };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') return numberValue(v, s.source);
  return { type: 'string', value: parseSigmaString(v) };
}

function valueMode(mods: readonly Modifier[]): ValueMode {
  let mode: ValueMode = 'plain';
  for (const m of mods) {
    if (m === 'exists') return 'exists';
    if (m === 'cidr') return 'cidr';
    if (NUMERIC_MODIFIERS.has(m)) return 'numeric';
    if (TIME_PART_RANGES[m] !== undefined) return 'time';
    if (STRING_MODIFIERS.has(m)) mode = 'string';
  }
  return mode;
}

function numberValue(value: number, source: string): SigmaValue {
  // An integer a double cannot hold exactly keeps its digits, as text: as a number it would equal its neighbours
  // (9007199254740993 reads as …992). Events carry such numbers as text too (the runtime's JSON decoding).
  if (/^[-+]?\d+$/.test(source) && !Number.isSafeInteger(value))
    return { type: 'string', value: parseSigmaString(source.replace(/^\+/, '')) };
  // `1.0` and `1e3` are floats in YAML even when their value is whole.
  return { type: 'number', value, isInteger: Number.isInteger(value) && !/[.eE]/.test(source) };
}

function convertValue(
  ctx: DocumentContext,
  mode: ValueMode,
  mods: readonly Modifier[],
  s: TreeScalar,
  label: string,
  path: string,
): SigmaValue | undefined {
  const v = s.value;
  switch (mode) {
    case 'plain':
      return plainValue(s);
    case 'exists': {
      if (typeof v === 'boolean') return { type: 'bool', value: v };
      const word = typeof v === 'string' ? EXISTS_WORDS.get(v.toLowerCase()) : undefined;
      return word === undefined
        ? incompatible(ctx, s, label, path, `'exists' needs true or false, not ${describe(s)}`)
        : { type: 'bool', value: word };
    }
    case 'numeric': {
      const n = toNumber(s);
      return n === undefined
        ? incompatible(ctx, s, label, path, `'${mods.find((m) => NUMERIC_MODIFIERS.has(m))}' needs a number, not ${describe(s)}`)
        : n;
    }
    case 'time': {
      const part = mods.find((m) => TIME_PART_RANGES[m] !== undefined) as Modifier;
      const [lo, hi] = TIME_PART_RANGES[part] as readonly [number, number];
      const n = toNumber(s);
      if (n === undefined || n.type !== 'number' || !Number.isInteger(n.value) || n.value < lo || n.value > hi) {
        return incompatible(ctx, s, label, path, `'${part}' needs an integer from ${lo} to ${hi}, not ${describe(s)}`);
      }
      return { type: 'number', value: n.value, isInteger: true };
    }
    case 'cidr': {
      if (v === null) return incompatible(ctx, s, label, path, `'cidr' needs a network such as 10.0.0.0/8, not null`);
      const text = scalarText(s);
      if (!isValidCidr(text)) {
        ctx.error('invalid_cidr', `${label}: '${text}' is not an IPv4 or IPv6 network (e.g. 10.0.0.0/8, fe80::/10)`, s.start, path);
        return undefined;
      }
      return { type: 'string', value: parseSigmaString(text, true) };
    }
    case 'string': {
      if (v === null) return incompatible(ctx, s, label, path, `null cannot be used with string modifiers (${mods.join(', ')})`);
      const text = scalarText(s);
      if (mods.includes('re')) return { type: 'string', value: parseSigmaString(text, true) };
      const value = parseSigmaString(text);
      if (!isPlain(value)) {
        if (mods.includes('fieldref'))
          return incompatible(ctx, s, label, path, `'fieldref' needs a field name without wildcards, not '${text}'`);
        if (mods.includes('base64') || mods.includes('base64offset'))
          return incompatible(ctx, s, label, path, `wildcards cannot be Base64-encoded ('${text}'); use 're' or split the value`);
      }
      return { type: 'string', value };
    }
  }
}

function incompatible(ctx: DocumentContext, s: TreeScalar, label: string, path: string, why: string): undefined {
  ctx.error('incompatible_value', `${label}: ${why}`, s.start, path);
  return undefined;
}

function toNumber(s: TreeScalar): SigmaValue | undefined {
  const v = s.value;
  if (typeof v === 'number') return Number.isFinite(v) ? numberValue(v, s.source) : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? numberValue(n, v.trim()) : undefined;
}

function describe(s: TreeScalar): string {
  return s.value === null ? 'null' : typeof s.value === 'string' ? `'${s.value}'` : `${typeof s.value} ${s.source}`;
}
