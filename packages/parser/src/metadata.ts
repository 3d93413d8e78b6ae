// Metadata shared by detection, correlation and filter rules (spec 01 §3), including custom
// attributes. It reads keys; it never decides the document kind.

import type { Level, RuleMeta, Status } from './ast.js';
import type { DocumentContext } from './document-context.js';
import { readString, readStringList, scalarText } from './tree-values.js';
import { toPlain, type TreeEntry, type TreeMap } from './yaml-tree.js';

/** Sigma's rule statuses (spec 01 §3). */
export const SIGMA_STATUSES: readonly Status[] = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
/** Sigma's levels, least severe first (spec 01 §3): the one list the linter, the runtime and the CLI read. */
export const SIGMA_LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];
const STATUSES: ReadonlySet<string> = new Set(SIGMA_STATUSES);
const LEVELS: ReadonlySet<string> = new Set(SIGMA_LEVELS);
/** `correlation` is an rsigma extension to the v2.1 relation types. */
const RELATION_TYPES: ReadonlySet<string> = new Set(['derived', 'obsolete', 'merged', 'renamed', 'similar', 'correlation']);

const STRING_KEYS = ['id', 'name', 'description', 'license', 'author', 'taxonomy', 'date', 'modified'] as const;
const LIST_KEYS = ['references', 'tags', 'falsepositives', 'fields', 'scope'] as const;

/** Keys every document kind understands; anything else becomes a custom attribute. */
export const COMMON_KEYS: readonly string[] = [
  'title',
  ...STRING_KEYS,
  ...LIST_KEYS,
  'status',
  'level',
  'related',
  'sigma-version',
  'custom_attributes',
];

const SIGMA_VERSION_RE = /^(\d+)(?:\.\d+){0,2}$/;

/** Reads the common metadata of a document; `standardKeys` are the keys of this document kind. */
export function readMetadata(ctx: DocumentContext, doc: TreeMap, standardKeys: ReadonlySet<string>): RuleMeta {
  const source: RuleMeta['source'] =
    ctx.source.file !== undefined
      ? { file: ctx.source.file, documentIndex: ctx.documentIndex, location: ctx.locate(doc.start) }
      : { documentIndex: ctx.documentIndex, location: ctx.locate(doc.start) };
  const meta: RuleMeta = {
    title: '',
    references: [],
    tags: [],
    falsepositives: [],
    fields: [],
    scope: [],
    related: [],
    customAttributes: {},
    source,
  };
  let explicitCustom: Record<string, unknown> | undefined;
  let hasTitle = false;
  const entries = doc.entries;
  for (let k = 0; k < entries.length; k++) {
    const { key, value } = entries[k] as TreeEntry;
    switch (key) {
      case 'title': {
        const title = readString(ctx, value, key, 'error');
        if (title !== undefined) {
          meta.title = title;
          hasTitle = true;
        }
        break;
      }
      // Each key is stored by name: a computed `meta[key]` store is a slow generic path in cold code.
      case 'id': {
        const s = readString(ctx, value, key);
        if (s !== undefined) meta.id = s;
        break;
      }
      case 'name': {
        const s = readString(ctx, value, key);
        if (s !== undefined) meta.name = s;
        break;
      }
      case 'description': {
        const s = readString(ctx, value, key);
        if (s !== undefined) meta.description = s;
        break;
      }
      case 'license': {
        const s = readString(ctx, value, key);
        if (s !== undefined) meta.license = s;
        break;
      }
      case 'author': {
        const s = readString(ctx, value, key);
        if (s !== undefined) meta.author = s;
        break;
      }
      case 'taxonomy': {
        const s = readString(ctx, value, key);
        if (s !== undefined) meta.taxonomy = s;
        break;
      }
      case 'date': {
        const s = readString(ctx, value, key);
        if (s !== undefined) meta.date = s;
        break;
      }
      case 'modified': {
        const s = readString(ctx, value, key);
        if (s !== undefined) meta.modified = s;
        break;
      }
      case 'references':
        meta.references = readStringList(ctx, value, key);
        break;
      case 'tags':
        meta.tags = readStringList(ctx, value, key);
        break;
      case 'falsepositives':
        meta.falsepositives = readStringList(ctx, value, key);
        break;
      case 'fields':
        meta.fields = readStringList(ctx, value, key);
        break;
      case 'scope':
        meta.scope = readStringList(ctx, value, key);
        break;
      case 'status':
      case 'level': {
        const s = readString(ctx, value, key);
        if (s === undefined) break;
        if (key === 'status' && STATUSES.has(s)) {
          meta.status = s as Status;
        } else if (key === 'level' && LEVELS.has(s)) {
          meta.level = s as Level;
        } else {
          const allowed = [...(key === 'status' ? STATUSES : LEVELS)].join(', ');
          ctx.warn('invalid_enum', `'${s}' is not a valid ${key}; expected one of ${allowed}`, value.start, key);
        }
        break;
      }
      case 'related':
        meta.related = readRelated(ctx, value);
        break;
      case 'sigma-version': {
        const text = value.kind === 'scalar' && value.value !== null ? scalarText(value) : '';
        const m = SIGMA_VERSION_RE.exec(text);
        if (m) meta.sigmaVersion = Number(m[1]);
        else ctx.warn('invalid_value', `'sigma-version' must be an integer or a version string like "2.1.0"`, value.start, key);
        break;
      }
      case 'custom_attributes':
        if (value.kind === 'map') explicitCustom = toPlain(value) as Record<string, unknown>;
        else ctx.warn('invalid_value', `'custom_attributes' must be a mapping`, value.start, key);
        break;
      default:
        if (!standardKeys.has(key)) setAttribute(meta.customAttributes, key, toPlain(value));
    }
  }
  if (explicitCustom) for (const [k, v] of Object.entries(explicitCustom)) setAttribute(meta.customAttributes, k, v);
  if (!hasTitle) ctx.error('missing_field', `missing required field 'title'`, doc.start, 'title');
  return meta;
}

function setAttribute(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps keys such as `__proto__` as ordinary data.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function readRelated(ctx: DocumentContext, node: TreeMap['entries'][number]['value']): RuleMeta['related'] {
  if (node.kind !== 'seq') {
    if (!(node.kind === 'scalar' && node.value === null))
      ctx.warn('invalid_value', `'related' must be a list of {id, type}`, node.start, 'related');
    return [];
  }
  const out: RuleMeta['related'] = [];
  node.items.forEach((item, i) => {
    const path = `related[${i}]`;
    if (item.kind !== 'map') {
      ctx.warn('invalid_value', `related entry ${i} must be a mapping with 'id' and 'type'; dropped`, item.start, path);
      return;
    }
    let id: string | undefined;
    let type: string | undefined;
    for (const e of item.entries) {
      if (e.value.kind !== 'scalar' || e.value.value === null) continue;
      if (e.key === 'id') id = scalarText(e.value);
      else if (e.key === 'type') type = scalarText(e.value);
    }
    if (id === undefined || type === undefined) {
      ctx.warn('invalid_value', `related entry ${i} needs string 'id' and 'type'; dropped`, item.start, path);
    } else if (!RELATION_TYPES.has(type)) {
      ctx.warn(
        'invalid_value',
        `related entry ${i} has unknown type '${type}' (expected ${[...RELATION_TYPES].join(', ')}); dropped`,
        item.start,
        path,
      );
    } else {
      out.push({ id, type });
    }
  });
  // Exact-length copy: push leaves spare capacity, and every rule keeps its metadata.
  return out.slice();
}
