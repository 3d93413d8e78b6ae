// Validates `transformations:` entries (processing items, their conditions and parameters) from plain data (spec 04 §3–§5).
// Pure: takes already-decoded YAML values; file positions are added by the YAML front end (parse.ts).

import { CondExprSyntaxError, condExprIds, parseCondExpr } from './cond-expr.js';
import { PipelineError } from './errors.js';
import type { PipelineErrorCode } from './errors.js';
import { compilePipelineRegex } from './pattern.js';
import type { PipelineRegex } from './pattern.js';
import { parseFieldKey } from './sigma-value.js';
import type {
  Alternatives,
  ConditionSet,
  DetectionItemCondition,
  FieldNameCondition,
  ProcessingItem,
  RuleCondition,
  Transformation,
} from './types.js';

type Obj = Record<string, unknown>;

/** pySigma transformation types that need a backend or I/O; tsigma rejects them explicitly (spec 04 §5.4). */
const UNSUPPORTED_TYPES: ReadonlySet<string> = new Set([
  'file_placeholders',
  'http_placeholders',
  'command_placeholders',
  'extract_fields',
  'strict_field_mapping_failure',
]);

/** Nested `nest` items deeper than this are rejected: real pipelines nest once or twice, and recursion must stay bounded. */
const MAX_NEST_DEPTH = 16;

interface Ctx {
  file: string | undefined;
  depth: number;
}

function fail(ctx: Ctx, code: PipelineErrorCode, detail: string, path: string): never {
  throw new PipelineError(code, detail, ctx.file === undefined ? { path } : { file: ctx.file, path });
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function reqString(ctx: Ctx, o: Obj, key: string, path: string, what: string): string {
  const v = o[key];
  if (v === undefined || v === null) fail(ctx, 'missing_param', `${what} needs '${key}'`, path);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') fail(ctx, 'invalid_param', `'${key}' must be a string`, `${path}.${key}`);
  return v;
}

function optString(ctx: Ctx, o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') fail(ctx, 'invalid_param', `'${key}' must be a string`, `${path}.${key}`);
  return v;
}

function optBool(ctx: Ctx, o: Obj, key: string, path: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') fail(ctx, 'invalid_param', `'${key}' must be true or false`, `${path}.${key}`);
  return v;
}

/** A string or a list of strings (numbers accepted by their text). */
function stringList(ctx: Ctx, v: unknown, path: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((x, i) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    return fail(ctx, 'invalid_param', 'expected a string or a list of strings', Array.isArray(v) ? `${path}[${i}]` : path);
  });
}

function optStringList(ctx: Ctx, o: Obj, key: string, path: string): string[] | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : stringList(ctx, v, `${path}.${key}`);
}

function reqStringList(ctx: Ctx, o: Obj, key: string, path: string, what: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) fail(ctx, 'missing_param', `${what} needs '${key}'`, path);
  return stringList(ctx, v, `${path}.${key}`);
}

function oneOf<T extends string>(ctx: Ctx, o: Obj, key: string, path: string, allowed: readonly T[], dflt: T): T {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(ctx, 'invalid_param', `'${key}' must be one of ${allowed.join(', ')}`, `${path}.${key}`);
  }
  return v as T;
}

function compileRegex(ctx: Ctx, pattern: string, path: string): PipelineRegex {
  const re = compilePipelineRegex(pattern);
  if ('error' in re) fail(ctx, 'invalid_regex', re.error, path);
  return re;
}

function stringMapping(ctx: Ctx, o: Obj, key: string, path: string, what: string): Map<string, string[]> {
  const v = o[key];
  if (v === undefined || v === null) fail(ctx, 'missing_param', `${what} needs '${key}'`, path);
  if (!isObj(v)) fail(ctx, 'invalid_param', `'${key}' must be a mapping`, `${path}.${key}`);
  const out = new Map<string, string[]>();
  for (const [k, val] of Object.entries(v)) out.set(k, stringList(ctx, val, `${path}.${key}.${k}`));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conditions

type Scope = 'rule' | 'detection_item' | 'field_name';

function parseRuleCondition(ctx: Ctx, c: Obj, path: string): RuleCondition {
  const type = reqString(ctx, c, 'type', path, 'a condition');
  switch (type) {
    case 'logsource': {
      const out: RuleCondition = { type };
      for (const k of ['category', 'product', 'service'] as const) {
        const v = optString(ctx, c, k, path);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'contains_detection_item': {
      const field = reqString(ctx, c, 'field', path, type);
      const v = c['value'];
      if (v !== undefined && !isScalar(v)) fail(ctx, 'invalid_param', "'value' must be a scalar", `${path}.value`);
      return v === undefined ? { type, field } : { type, field, value: v === null ? 'null' : String(v) };
    }
    case 'contains_field':
      return { type, field: reqString(ctx, c, 'field', path, type) };
    case 'is_sigma_rule':
    case 'is_sigma_correlation_rule':
    case 'is_sigma_filter':
      return { type };
    case 'rule_attribute':
      return { type, attribute: reqString(ctx, c, 'attribute', path, type), value: reqString(ctx, c, 'value', path, type) };
    case 'tag':
      return { type, tag: reqString(ctx, c, 'tag', path, type) };
    default:
      return parseSharedCondition(ctx, c, type, path, 'rule');
  }
}

function parseSharedCondition(
  ctx: Ctx,
  c: Obj,
  type: string,
  path: string,
  scope: Scope,
): { type: 'processing_item_applied'; itemId: string } | { type: 'processing_state'; key: string; val: string } {
  if (type === 'processing_item_applied') {
    return { type, itemId: reqString(ctx, c, 'processing_item_id', path, type) };
  }
  if (type === 'processing_state') {
    const key = reqString(ctx, c, 'key', path, type);
    const v = c['val'] ?? c['value'];
    if (v === undefined) fail(ctx, 'missing_param', `${type} needs 'val'`, path);
    if (!isScalar(v)) fail(ctx, 'invalid_param', "'val' must be a scalar", `${path}.val`);
    return { type, key, val: String(v) };
  }
  return fail(ctx, 'unknown_condition', `unknown ${scope.replace('_', ' ')} condition type '${type}'`, `${path}.type`);
}

function parseDetectionItemCondition(ctx: Ctx, c: Obj, path: string): DetectionItemCondition {
  const type = reqString(ctx, c, 'type', path, 'a condition');
  switch (type) {
    case 'match_string': {
      const pattern = compileRegex(ctx, reqString(ctx, c, 'pattern', path, type), `${path}.pattern`);
      return { type, pattern, cond: oneOf(ctx, c, 'cond', path, ['any', 'all'], 'any'), negate: optBool(ctx, c, 'negate', path, false) };
    }
    case 'match_value': {
      if (!('value' in c)) fail(ctx, 'missing_param', `${type} needs 'value'`, path);
      const v = c['value'];
      if (!isScalar(v)) fail(ctx, 'invalid_param', "'value' must be a scalar", `${path}.value`);
      return { type, value: v };
    }
    case 'contains_wildcard':
    case 'is_null':
      return { type, negate: optBool(ctx, c, 'negate', path, false) };
    default:
      return parseSharedCondition(ctx, c, type, path, 'detection_item');
  }
}

function parseFieldNameCondition(ctx: Ctx, c: Obj, path: string): FieldNameCondition {
  const type = reqString(ctx, c, 'type', path, 'a condition');
  if (type === 'include_fields' || type === 'exclude_fields') {
    const fields = reqStringList(ctx, c, 'fields', path, type);
    const mt = oneOf(ctx, c, 'match_type', path, ['plain', 'regex', 're'], 'plain');
    const regex = mt === 'plain' ? undefined : fields.map((f, i) => compileRegex(ctx, f, `${path}.fields[${i}]`));
    return { type, fields, regex };
  }
  return parseSharedCondition(ctx, c, type, path, 'field_name');
}

function parseConditionSet<C>(
  ctx: Ctx,
  item: Obj,
  prefix: Scope,
  itemPath: string,
  parseOne: (ctx: Ctx, c: Obj, path: string) => C,
): ConditionSet<C> {
  const key = `${prefix}_conditions`;
  const raw = item[key];
  const path = `${itemPath}.${key}`;
  const conditions: { id: string; cond: C }[] = [];
  if (Array.isArray(raw)) {
    raw.forEach((c, i) => {
      const p = `${path}[${i}]`;
      if (!isObj(c)) fail(ctx, 'not_a_mapping', 'a condition must be a mapping', p);
      const id = optString(ctx, c, 'id', p) ?? `cond_${i}`;
      conditions.push({ id, cond: parseOne(ctx, c, p) });
    });
  } else if (isObj(raw)) {
    for (const [id, c] of Object.entries(raw)) {
      const p = `${path}.${id}`;
      if (!isObj(c)) fail(ctx, 'not_a_mapping', 'a condition must be a mapping', p);
      conditions.push({ id, cond: parseOne(ctx, c, p) });
    }
  } else if (raw !== undefined && raw !== null) {
    fail(ctx, 'invalid_param', `'${key}' must be a list or a mapping`, path);
  }

  const op = oneOf(ctx, item, `${prefix}_cond_op`, itemPath, ['and', 'or'], 'and');
  const not = optBool(ctx, item, `${prefix}_cond_not`, itemPath, false);
  const exprKey = item[`${prefix}_cond_expr`] !== undefined ? `${prefix}_cond_expr` : `${prefix}_cond_expression`;
  const exprText = optString(ctx, item, exprKey, itemPath);
  let expr;
  if (exprText !== undefined) {
    try {
      expr = parseCondExpr(exprText);
    } catch (cause) {
      if (!(cause instanceof CondExprSyntaxError)) throw cause;
      throw new PipelineError(
        'condition_expr_syntax',
        cause.message,
        ctx.file === undefined ? { path: `${itemPath}.${exprKey}` } : { file: ctx.file, path: `${itemPath}.${exprKey}` },
        { cause },
      );
    }
    const known = new Set(conditions.map((c) => c.id));
    for (const id of condExprIds(expr)) {
      if (!known.has(id)) fail(ctx, 'unknown_condition_id', `'${id}' names no condition in '${key}'`, `${itemPath}.${exprKey}`);
    }
  }
  return { conditions, expr, op, not };
}

// ---------------------------------------------------------------------------------------------
// Transformations

function alternatives(ctx: Ctx, o: Obj, path: string): Alternatives {
  return oneOf(ctx, o, 'alternatives', path, ['any', 'first'], 'any');
}

function placeholderFilter(ctx: Ctx, o: Obj, path: string): { include?: string[]; exclude?: string[] } {
  const out: { include?: string[]; exclude?: string[] } = {};
  const include = optStringList(ctx, o, 'include', path);
  const exclude = optStringList(ctx, o, 'exclude', path);
  if (include !== undefined) out.include = include;
  if (exclude !== undefined) out.exclude = exclude;
  return out;
}

function parseTransformation(ctx: Ctx, o: Obj, type: string, path: string): Transformation {
  switch (type) {
    case 'field_name_mapping':
    case 'field_name_prefix_mapping':
      return { type, mapping: stringMapping(ctx, o, 'mapping', path, type), alternatives: alternatives(ctx, o, path) };
    case 'field_name_prefix':
      return { type, prefixes: reqStringList(ctx, o, 'prefix', path, type), alternatives: alternatives(ctx, o, path) };
    case 'field_name_suffix':
      return { type, suffix: reqString(ctx, o, 'suffix', path, type) };
    case 'field_name_transform': {
      const func = oneOf(ctx, o, 'transform_func', path, ['lower', 'upper', 'title', 'snake_case'], 'lower');
      const mapping = new Map<string, string>();
      if (o['mapping'] !== undefined && o['mapping'] !== null) {
        for (const [k, v] of stringMapping(ctx, o, 'mapping', path, type)) mapping.set(k, v[0] ?? k);
      }
      return { type, func, mapping };
    }
    case 'add_condition': {
      const conds = o['conditions'];
      if (conds === undefined || conds === null) fail(ctx, 'missing_param', `${type} needs 'conditions'`, path);
      if (!isObj(conds)) fail(ctx, 'invalid_param', "'conditions' must be a mapping", `${path}.conditions`);
      const conditions: [string, unknown][] = [];
      for (const [k, v] of Object.entries(conds)) {
        const spec = parseFieldKey(k);
        if ('unknownModifier' in spec) fail(ctx, 'invalid_param', `unknown modifier '${spec.unknownModifier}'`, `${path}.conditions.${k}`);
        const values = Array.isArray(v) ? v : [v];
        if (!values.every(isScalar))
          fail(ctx, 'invalid_param', 'condition values must be scalars or lists of scalars', `${path}.conditions.${k}`);
        conditions.push([k, v]);
      }
      const fieldRefs: [string, string][] = [];
      const refs = o['field_refs'];
      if (refs !== undefined && refs !== null) {
        if (!isObj(refs)) fail(ctx, 'invalid_param', "'field_refs' must be a mapping", `${path}.field_refs`);
        for (const [k, v] of Object.entries(refs)) {
          if (typeof v !== 'string') fail(ctx, 'invalid_param', 'a field reference must be a field name', `${path}.field_refs.${k}`);
          fieldRefs.push([k, v]);
        }
      }
      if (conditions.length === 0 && fieldRefs.length === 0) fail(ctx, 'invalid_param', "'conditions' is empty", `${path}.conditions`);
      return {
        type,
        conditions,
        negated: optBool(ctx, o, 'negated', path, false),
        template: optBool(ctx, o, 'template', path, false),
        fieldRefs,
        prepend: optBool(ctx, o, 'prepend', path, false),
      };
    }
    case 'change_logsource': {
      const out: Transformation = { type };
      for (const k of ['category', 'product', 'service'] as const) {
        const v = optString(ctx, o, k, path);
        if (v !== undefined) out[k] = v;
      }
      if (out.category === undefined && out.product === undefined && out.service === undefined) {
        fail(ctx, 'missing_param', `${type} needs 'category', 'product' or 'service'`, path);
      }
      return out;
    }
    case 'drop_detection_item':
      return { type };
    case 'hashes_fields': {
      const algos = reqStringList(ctx, o, 'valid_hash_algos', path, type);
      return {
        type,
        algos,
        fieldPrefix: optString(ctx, o, 'field_prefix', path) ?? '',
        dropAlgoPrefix: optBool(ctx, o, 'drop_algo_prefix', path, false),
        hashFields: optStringList(ctx, o, 'hash_fields', path) ?? ['Hashes', 'Hash'],
      };
    }
    case 'replace_string': {
      const regex = compileRegex(ctx, reqString(ctx, o, 'regex', path, type), `${path}.regex`);
      return {
        type,
        regex,
        replacement: optString(ctx, o, 'replacement', path) ?? '',
        skipSpecial: optBool(ctx, o, 'skip_special', path, false),
      };
    }
    case 'map_string':
      return { type, mapping: stringMapping(ctx, o, 'mapping', path, type) };
    case 'set_value': {
      if (!('value' in o)) fail(ctx, 'missing_param', `${type} needs 'value'`, path);
      const value = o['value'];
      if (!isScalar(value)) fail(ctx, 'invalid_param', "'value' must be a scalar", `${path}.value`);
      const forceType =
        o['force_type'] === undefined || o['force_type'] === null ? undefined : oneOf(ctx, o, 'force_type', path, ['str', 'num'], 'str');
      return forceType === undefined ? { type, value } : { type, value, forceType };
    }
    case 'convert_type':
      return { type, target: oneOf(ctx, o, 'target_type', path, ['str', 'num', 'int', 'float', 'bool'], 'str') };
    case 'case':
    case 'case_transformation': {
      const key = ['method', 'case_type', 'case'].find((k) => o[k] !== undefined) ?? 'method';
      return { type: 'case', method: oneOf(ctx, o, key, path, ['lower', 'upper', 'snake_case'], 'lower') };
    }
    case 'value_placeholders':
      return { type, ...placeholderFilter(ctx, o, path), requireExpand: optBool(ctx, o, 'require_expand', path, false) };
    case 'wildcard_placeholders':
      return { type, ...placeholderFilter(ctx, o, path) };
    case 'query_expression_placeholders': {
      const expression = reqString(ctx, o, 'expression', path, type);
      const mapping: Record<string, string> = {};
      const m = o['mapping'];
      if (isObj(m)) for (const [k, v] of Object.entries(m)) mapping[k] = String(v);
      return { type, expression, mapping, ...placeholderFilter(ctx, o, path) };
    }
    case 'regex':
      return { type };
    case 'add_field':
    case 'remove_field':
      return { type, fields: reqStringList(ctx, o, 'field', path, type) };
    case 'set_field':
      return { type, fields: reqStringList(ctx, o, 'fields', path, type) };
    case 'set_custom_attribute': {
      const attribute = reqString(ctx, o, 'attribute', path, type);
      if (!('value' in o)) fail(ctx, 'missing_param', `${type} needs 'value'`, path);
      if (!isScalar(o['value'])) fail(ctx, 'invalid_param', "'value' must be a scalar", `${path}.value`);
      return { type, attribute, value: o['value'] };
    }
    case 'set_state': {
      const key = reqString(ctx, o, 'key', path, type);
      const val = 'val' in o ? o['val'] : o['value'];
      if (val === undefined) fail(ctx, 'missing_param', `${type} needs 'val'`, path);
      return { type, key, val };
    }
    case 'rule_failure':
    case 'detection_item_failure':
      return { type, message: reqString(ctx, o, 'message', path, type) };
    case 'nest': {
      const key = o['items'] !== undefined ? 'items' : 'transformations';
      if (o[key] === undefined || o[key] === null) fail(ctx, 'missing_param', `${type} needs 'items'`, path);
      if (ctx.depth >= MAX_NEST_DEPTH) fail(ctx, 'invalid_param', `nesting deeper than ${MAX_NEST_DEPTH} levels`, path);
      return { type, items: parseItems({ file: ctx.file, depth: ctx.depth + 1 }, o[key], `${path}.${key}`) };
    }
    default:
      if (UNSUPPORTED_TYPES.has(type)) {
        return fail(
          ctx,
          'unsupported_transformation',
          `transformation '${type}' needs a query backend or I/O and is not supported`,
          `${path}.type`,
        );
      }
      return fail(ctx, 'unknown_transformation', `unknown transformation type '${type}'`, `${path}.type`);
  }
}

function parseItem(ctx: Ctx, raw: unknown, path: string): ProcessingItem {
  if (!isObj(raw)) fail(ctx, 'not_a_mapping', 'a processing item must be a mapping', path);
  const id = optString(ctx, raw, 'id', path);
  // Without `type`, `include` is a dynamic-source template (09 §6); with one, it is that type's parameter
  // (the placeholder transformations' `include` list of names).
  const include = raw['type'] === undefined ? optString(ctx, raw, 'include', path) : undefined;
  let transformation: Transformation;
  if (include !== undefined) {
    // An include item carries no transformation of its own until @tsigma/sources expands it (09 §6).
    transformation = { type: 'include' };
  } else {
    const type = reqString(ctx, raw, 'type', path, 'a processing item');
    transformation = parseTransformation(ctx, raw, type, path);
  }
  const item: ProcessingItem = {
    transformation,
    ruleConditions: parseConditionSet(ctx, raw, 'rule', path, parseRuleCondition),
    detectionItemConditions: parseConditionSet(ctx, raw, 'detection_item', path, parseDetectionItemCondition),
    fieldNameConditions: parseConditionSet(ctx, raw, 'field_name', path, parseFieldNameCondition),
    path,
  };
  if (id !== undefined) item.id = id;
  if (include !== undefined) item.include = include;
  return item;
}

function parseItems(ctx: Ctx, value: unknown, path: string): ProcessingItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(ctx, 'invalid_param', 'expected a list of processing items', path);
  return value.map((raw, i) => parseItem(ctx, raw, `${path}[${i}]`));
}

/**
 * Validates a list of processing items (the value of `transformations:`, or items produced by an `include`).
 *
 * @example
 * parseTransformationItems([{ type: 'field_name_prefix', prefix: 'winlog.' }], { path: 'transformations' });
 */
export function parseTransformationItems(value: unknown, opts?: { file?: string; path?: string }): ProcessingItem[] {
  return parseItems({ file: opts?.file, depth: 0 }, value, opts?.path ?? 'transformations');
}
