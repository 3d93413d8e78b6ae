// `${source.X}` references (spec 09 §6): finding them, checking they are declared, expanding `vars` values and
// splicing `include` items. Pure: values come in as a map, pipelines go out as new objects.

import { parseTransformationItems, silentLogger, type Logger, type Pipeline, type ProcessingItem } from '@tsigma/eval';
import type { DynamicSource } from './declarations.js';
import { SourceConfigError } from './errors.js';

/** `${source.<id>}` or `${source.<id>.<path>}`; path segments `[A-Za-z0-9_]+`, numeric ones index arrays. */
const REFERENCE = /\$\{source\.([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+)*)\}/g;
const WHOLE_REFERENCE = /^\$\{source\.([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+)*)\}$/;

/** A parsed reference. */
export interface SourceReference {
  id: string;
  path: string[];
  /** The reference as written. */
  text: string;
}

function parseRef(m: RegExpMatchArray): SourceReference {
  const rest = m[2] ?? '';
  return { id: m[1] as string, path: rest === '' ? [] : rest.slice(1).split('.'), text: m[0] };
}

/**
 * Every reference a pipeline makes (in `vars` values and `include` items), in order of appearance.
 *
 * @example sourceReferences(pipeline).map((r) => r.id) // ['ip_blocklist']
 */
export function sourceReferences(pipeline: Pipeline): SourceReference[] {
  const out: SourceReference[] = [];
  for (const values of Object.values(pipeline.vars)) for (const v of values) for (const m of v.matchAll(REFERENCE)) out.push(parseRef(m));
  for (const item of pipeline.items) {
    if (item.include === undefined) continue;
    const m = WHOLE_REFERENCE.exec(item.include);
    if (m !== null) out.push(parseRef(m));
  }
  return out;
}

/**
 * Throws `undeclared_source` listing every id the pipelines reference that `declared` lacks; also rejects an
 * `include` that is not exactly one reference.
 */
export function assertReferencesDeclared(pipelines: readonly Pipeline[], declared: ReadonlySet<string>): void {
  const missing = new Set<string>();
  const where = new Set<string>();
  for (const p of pipelines) {
    for (const item of p.items) {
      if (item.include !== undefined && !WHOLE_REFERENCE.test(item.include)) {
        throw new SourceConfigError(
          'invalid_include',
          `include must be exactly one "\${source.<id>[.<path>]}", not ${JSON.stringify(item.include)}`,
          pipelineName(p),
        );
      }
    }
    for (const r of sourceReferences(p)) {
      if (!declared.has(r.id)) {
        missing.add(r.id);
        where.add(pipelineName(p));
      }
    }
  }
  if (missing.size > 0) {
    const ids = [...missing].sort();
    throw new SourceConfigError(
      'undeclared_source',
      `${ids.length === 1 ? 'source' : 'sources'} ${ids.map((i) => `'${i}'`).join(', ')} referenced but not declared in any pipeline or source file`,
      [...where].join(', '),
    );
  }
}

function pipelineName(p: Pipeline): string {
  return p.file === undefined ? `pipeline '${p.name}'` : `pipeline '${p.name}' (${p.file})`;
}

const MISSING = Symbol('missing');

function walk(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const seg of path) {
    if (Array.isArray(v) && /^\d+$/.test(seg)) v = Number(seg) < v.length ? v[Number(seg)] : MISSING;
    else if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, seg)) v = (v as Record<string, unknown>)[seg];
    else return MISSING;
    if (v === MISSING) return MISSING;
  }
  return v;
}

/** A value as one var string: strings as-is, numbers and booleans as JSON text, objects and arrays as compact JSON. */
function varText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Expands `${source.X}` in `vars` (spec 09 §6): a whole-value reference becomes a list of values, an inline one its
 * string form. Missing paths behave as null and are logged once per (pipeline, var, reference).
 *
 * @example
 * new TemplateExpander().expand(pipeline, new Map([['ips', ['10.0.0.5', '203.0.113.42']]])).vars.blocklist;
 * // ['10.0.0.5', '203.0.113.42']
 */
export class TemplateExpander {
  private readonly reported = new Set<string>();

  constructor(private readonly logger: Logger = silentLogger) {}

  /** Returns a new pipeline whose vars hold no source references; `values` maps source id to value (null allowed). */
  expand(pipeline: Pipeline, values: ReadonlyMap<string, unknown>): Pipeline {
    const vars: Record<string, string[]> = {};
    for (const [name, list] of Object.entries(pipeline.vars)) {
      vars[name] = list.flatMap((text) => this.expandOne(pipeline, name, text, values));
    }
    return { ...pipeline, vars };
  }

  private lookup(pipeline: Pipeline, varName: string, ref: SourceReference, values: ReadonlyMap<string, unknown>): unknown {
    const v = walk(values.get(ref.id) ?? null, ref.path);
    if (v !== MISSING) return v;
    const key = `${pipeline.name}\u0000${varName}\u0000${ref.text}`;
    if (!this.reported.has(key)) {
      this.reported.add(key);
      this.logger.warn(
        `var '${varName}' of pipeline '${pipeline.name}': ${ref.text} addresses a path that does not exist; using no value`,
        {
          source_id: ref.id,
        },
      );
    }
    return null;
  }

  private expandOne(pipeline: Pipeline, varName: string, text: string, values: ReadonlyMap<string, unknown>): string[] {
    const whole = WHOLE_REFERENCE.exec(text);
    if (whole !== null) {
      const v = this.lookup(pipeline, varName, parseRef(whole), values);
      if (v === null || v === undefined) return [];
      if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(varText);
      return [varText(v)];
    }
    if (!text.includes('${source.')) return [text];
    return [
      text.replace(REFERENCE, (...m: unknown[]) => {
        const v = this.lookup(pipeline, varName, parseRef(m as unknown as RegExpMatchArray), values);
        return v === null || v === undefined ? '' : varText(v);
      }),
    ];
  }
}

/** Options of {@link expandIncludes}. */
export interface IncludeOptions {
  /** Allow `include` of `http` and `nats` sources (`--allow-remote-include`). */
  allowRemoteInclude?: boolean;
}

/**
 * Replaces each `include` item by the transformation items its source holds (spec 09 §6); every failure is an
 * `invalid_include` error naming the source id (and the array index for a bad item).
 *
 * @example
 * expandIncludes(pipeline, new Map([['extra', [{ type: 'field_name_prefix', prefix: 'x.' }]]]), sources);
 */
export function expandIncludes(
  pipeline: Pipeline,
  values: ReadonlyMap<string, unknown>,
  sources: readonly DynamicSource[],
  opts: IncludeOptions = {},
): Pipeline {
  if (!pipeline.items.some((i) => i.include !== undefined)) return pipeline;
  const byId = new Map(sources.map((s) => [s.id, s]));
  const items: ProcessingItem[] = [];
  for (const item of pipeline.items) {
    if (item.include === undefined) {
      items.push(item);
      continue;
    }
    const m = WHOLE_REFERENCE.exec(item.include);
    const fail = (id: string, detail: string, cause?: unknown): never => {
      throw new SourceConfigError(
        'invalid_include',
        `include of source '${id}': ${detail}`,
        pipelineName(pipeline),
        cause === undefined ? undefined : { cause },
      );
    };
    if (m === null) return fail('?', `not a single source reference: ${JSON.stringify(item.include)}`);
    const ref = parseRef(m);
    const src = byId.get(ref.id);
    if (src === undefined) return fail(ref.id, 'no declaration provides this source');
    if ((src.type === 'http' || src.type === 'nats') && opts.allowRemoteInclude !== true) {
      fail(ref.id, `including a remote (${src.type}) source needs --allow-remote-include`);
    }
    const value = walk(values.get(ref.id) ?? null, ref.path);
    if (value === MISSING || value === null || value === undefined) fail(ref.id, 'the source has no value to include');
    if (!Array.isArray(value)) fail(ref.id, 'the value must be a list of transformation objects');
    const list = value as unknown[];
    list.forEach((x, i) => {
      if (typeof x === 'object' && x !== null && !Array.isArray(x) && 'include' in x && !('type' in x)) {
        fail(ref.id, `item ${i} is itself an include (includes nest one level only)`);
      }
    });
    let parsed: ProcessingItem[];
    try {
      parsed = parseTransformationItems(list, { path: `include(${ref.id})` });
    } catch (err) {
      return fail(ref.id, `invalid transformation: ${(err as Error).message}`, err);
    }
    items.push(...parsed);
  }
  return { ...pipeline, items };
}
