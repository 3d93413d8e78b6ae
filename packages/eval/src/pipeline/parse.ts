// YAML front end for pipeline files (spec 04 §2, §9): decodes the document, validates the top level and
// attaches line/column to errors. Pure: takes text, never reads files (see load.ts).

import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';

import { PipelineError } from './errors.js';
import { parseTransformationItems } from './parse-items.js';
import type { Pipeline } from './types.js';

/** Name given to pipelines without `name:` (pySigma's default). */
const DEFAULT_PIPELINE_NAME = 'unnamed';

const TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([
  'name',
  'priority',
  'vars',
  'transformations',
  'postprocessing',
  'finalizers',
  'sources',
]);

/** Marker of a dynamic-source template (09 §6), allowed only in `vars` values and `include` items. */
const SOURCE_TEMPLATE = '${source.';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits `a.b[2].c` into segments; dotted keys are resolved greedily when walking the document. */
function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}

/** Finds the deepest node of the document along `path` (keys containing dots are matched greedily). */
function locate(root: YamlNode | null, path: string): YamlNode | null {
  const segs = pathSegments(path);
  let node = root;
  let i = 0;
  while (node !== null && i < segs.length) {
    const seg = segs[i] as string | number;
    if (isSeq(node) && typeof seg === 'number') {
      const next = node.items[seg];
      if (next === undefined || next === null || typeof next !== 'object') break;
      node = next as YamlNode;
      i++;
      continue;
    }
    if (!isMap(node)) break;
    const map = node;
    let advanced = false;
    // Try the longest run of segments that names a key first, so `mapping.Event.EventData.Image` finds its key.
    for (let j = segs.length; j > i && !advanced; j--) {
      const run = segs.slice(i, j);
      if (run.some((s) => typeof s === 'number')) continue;
      const key = run.join('.');
      const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair === undefined) continue;
      const value = pair.value as YamlNode | null;
      node = value !== null && typeof value === 'object' && 'range' in value ? value : (pair.key as YamlNode);
      i = j;
      advanced = true;
    }
    if (!advanced) break;
  }
  return node;
}

function withPosition(err: PipelineError, root: YamlNode | null, lc: LineCounter, file: string | undefined): PipelineError {
  const node = locate(root, err.path);
  const offset = node?.range?.[0];
  const pos = offset === undefined ? undefined : lc.linePos(offset);
  const spot = {
    path: err.path,
    ...(file !== undefined ? { file } : {}),
    ...(pos !== undefined ? { line: pos.line, column: pos.col } : {}),
  };
  return new PipelineError(err.code, err.detail, spot, { cause: err.cause });
}

function findSourceTemplate(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return v.includes(SOURCE_TEMPLATE) ? path : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = findSourceTemplate(v[i], `${path}[${i}]`);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      // `include:` items are expanded by @tsigma/sources (09 §6).
      if (k === 'include' && typeof x === 'string') continue;
      const hit = findSourceTemplate(x, path === '' ? k : `${path}.${k}`);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

function parseVars(value: unknown, file: string | undefined): Record<string, string[]> {
  const spot = (path: string) => (file === undefined ? { path } : { file, path });
  if (value === undefined || value === null) return {};
  if (!isObj(value)) throw new PipelineError('invalid_param', "'vars' must be a mapping", spot('vars'));
  const vars: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(value)) {
    const list = Array.isArray(v) ? v : [v];
    vars[name] = list.map((x, i) => {
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return String(x);
      throw new PipelineError(
        'invalid_param',
        `var '${name}' must be a string, a number or a list of those`,
        spot(Array.isArray(v) ? `vars.${name}[${i}]` : `vars.${name}`),
      );
    });
  }
  return vars;
}

function listOf(value: unknown, key: string, file: string | undefined): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new PipelineError('invalid_param', `'${key}' must be a list`, file === undefined ? { path: key } : { file, path: key });
  return value;
}

function buildPipeline(doc: unknown, file: string | undefined): Pipeline {
  const spot = (path: string) => (file === undefined ? { path } : { file, path });
  if (!isObj(doc)) throw new PipelineError('not_a_mapping', 'a pipeline document must be a mapping', spot(''));
  const warnings: string[] = [];
  for (const k of Object.keys(doc)) if (!TOP_LEVEL_KEYS.has(k)) warnings.push(`unknown top-level key '${k}' ignored`);
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'vars' || k === 'sources') continue;
    const hit = findSourceTemplate(v, k);
    if (hit !== undefined) {
      throw new PipelineError(
        'source_template_outside_vars',
        "'${source.…}' may appear only in 'vars' values and 'include' items",
        spot(hit),
      );
    }
  }
  const name = doc['name'] ?? DEFAULT_PIPELINE_NAME;
  if (typeof name !== 'string') throw new PipelineError('invalid_param', "'name' must be a string", spot('name'));
  const priority = doc['priority'] ?? 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority)) {
    throw new PipelineError('invalid_param', "'priority' must be an integer", spot('priority'));
  }
  const pipeline: Pipeline = {
    name,
    priority,
    vars: parseVars(doc['vars'], file),
    items: parseTransformationItems(
      doc['transformations'] ?? [],
      file === undefined ? { path: 'transformations' } : { file, path: 'transformations' },
    ),
    postprocessing: listOf(doc['postprocessing'], 'postprocessing', file),
    finalizers: listOf(doc['finalizers'], 'finalizers', file),
    sources: listOf(doc['sources'], 'sources', file),
  };
  if (file !== undefined) pipeline.file = file;
  if (warnings.length > 0) pipeline.warnings = warnings;
  return pipeline;
}

/**
 * Parses a pySigma-format pipeline document; throws {@link PipelineError} with file, line, column and path.
 *
 * @example
 * const p = parsePipeline('name: m\ntransformations:\n  - type: field_name_prefix\n    prefix: winlog.\n');
 */
export function parsePipeline(yaml: string, opts?: { file?: string }): Pipeline {
  const file = opts?.file;
  const lineCounter = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new PipelineError('yaml_syntax', first.message.split('\n')[0] ?? 'invalid YAML', {
      path: '',
      line: pos.line,
      column: pos.col,
      ...(file !== undefined ? { file } : {}),
    });
  }
  try {
    return buildPipeline(doc.toJS({ maxAliasCount: 100 }), file);
  } catch (err) {
    if (err instanceof PipelineError && err.line === undefined) throw withPosition(err, doc.contents, lineCounter, file);
    throw err;
  }
}
