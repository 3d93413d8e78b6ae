// Builds and inspects parser AST values (strings, field specs) for pipeline transformations.
// Mirrors the parser's escape rules (01 §6) so rewritten values read exactly like parsed ones; it never evaluates.

import { parseSigmaString, type FieldSpec, type Modifier, type SigmaString, type SigmaValue } from '@tsigma/parser';

/** Modifier spellings accepted in `add_condition` keys, with the parser's alias normalisation (01 §5). */
const MODIFIER_ALIASES: Readonly<Record<string, Modifier>> = {
  utf16le: 'wide',
  ignorecase: 'i',
  multiline: 'm',
  dotall: 's',
};

const MODIFIERS: ReadonlySet<string> = new Set<Modifier>([
  'contains',
  'startswith',
  'endswith',
  'all',
  'exists',
  'cased',
  'neq',
  'windash',
  're',
  'i',
  'm',
  's',
  'base64',
  'base64offset',
  'wide',
  'utf16be',
  'utf16',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'cidr',
  'expand',
  'fieldref',
]);

/** Splits `Field|mod1|mod2` into a field spec; returns the unknown modifier name instead when there is one. */
export function parseFieldKey(key: string): FieldSpec | { unknownModifier: string } {
  const [name = '', ...mods] = key.split('|');
  const modifiers: Modifier[] = [];
  for (const m of mods) {
    const norm = MODIFIER_ALIASES[m] ?? m;
    if (!MODIFIERS.has(norm)) return { unknownModifier: m };
    modifiers.push(norm as Modifier);
  }
  return { name: name === '' ? null : name, modifiers };
}

/** True when values under these modifiers keep their text raw (no wildcard or escape processing). */
export function isRawValue(modifiers: readonly Modifier[]): boolean {
  return modifiers.includes('re') || modifiers.includes('cidr');
}

/** Turns a plain YAML scalar into a Sigma value, parsing strings with or without wildcards per the modifiers. */
export function toSigmaValue(v: string | number | boolean | null, modifiers: readonly Modifier[]): SigmaValue {
  if (v === null) return { type: 'null' };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') return { type: 'number', value: v, isInteger: Number.isInteger(v) };
  return { type: 'string', value: parseSigmaString(v, isRawValue(modifiers)) };
}

/** Text form of a value used by conditions and string mappings: the source text; numbers and booleans by text; null as `null`. */
export function valueText(v: SigmaValue): string {
  switch (v.type) {
    case 'string':
      return v.value.original;
    case 'number':
      return String(v.value);
    case 'bool':
      return String(v.value);
    case 'null':
      return 'null';
  }
}

/** True when a string value has at least one unescaped wildcard. */
export function hasWildcard(v: SigmaValue): boolean {
  return v.type === 'string' && v.value.parts.some((p) => 'wildcard' in p);
}

/** Escapes text so that {@link parseSigmaString} reads it back as literal text. */
function escapeSigmaText(text: string): string {
  return text.replace(/[\\*?]/g, (c) => `\\${c}`);
}

/** Rebuilds Sigma source text from parts (literal text escaped, wildcards kept). */
export function partsToSource(parts: SigmaString['parts']): string {
  return parts.map((p) => ('wildcard' in p ? p.wildcard : escapeSigmaText(p.text))).join('');
}
