// Field-name transformations (spec 04 §5.1): computes the new name(s) of one field.
// Pure string functions; applying them to rules is transform.ts's job.

import type { Transformation } from './types.js';

/** The field-name transformations. */
export type FieldNameTransformation = Extract<
  Transformation,
  { type: 'field_name_mapping' | 'field_name_prefix_mapping' | 'field_name_prefix' | 'field_name_suffix' | 'field_name_transform' }
>;

/** True for the transformations of spec 04 §5.1. */
export function isFieldNameTransformation(t: Transformation): t is FieldNameTransformation {
  return (
    t.type === 'field_name_mapping' ||
    t.type === 'field_name_prefix_mapping' ||
    t.type === 'field_name_prefix' ||
    t.type === 'field_name_suffix' ||
    t.type === 'field_name_transform'
  );
}

function titleCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join('_');
}

function snakeCase(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string;
    if (i > 0 && c >= 'A' && c <= 'Z') out += '_';
    out += c;
  }
  return out.toLowerCase();
}

/** Converts text per `field_name_transform` / `case` semantics. */
export function convertCase(text: string, func: 'lower' | 'upper' | 'title' | 'snake_case'): string {
  switch (func) {
    case 'lower':
      return text.toLowerCase();
    case 'upper':
      return text.toUpperCase();
    case 'title':
      return titleCase(text);
    case 'snake_case':
      return snakeCase(text);
  }
}

/** New name(s) for `name`, or undefined when the transformation leaves it alone. */
export function mapFieldName(t: FieldNameTransformation, name: string): string[] | undefined {
  switch (t.type) {
    case 'field_name_mapping':
      return t.mapping.get(name);
    case 'field_name_prefix_mapping':
      for (const [prefix, repl] of t.mapping) {
        if (name.startsWith(prefix)) return repl.map((r) => r + name.slice(prefix.length));
      }
      return undefined;
    case 'field_name_prefix':
      return t.prefixes.map((p) => p + name);
    case 'field_name_suffix':
      return [name + t.suffix];
    case 'field_name_transform':
      return [t.mapping.get(name) ?? convertCase(name, t.func)];
  }
}

/** How several resulting names are used (`alternatives`); single-name transformations behave like `any`. */
export function alternativesOf(t: FieldNameTransformation): 'any' | 'first' {
  return 'alternatives' in t ? t.alternatives : 'any';
}
