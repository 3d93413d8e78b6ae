// `${...}` templates of enricher fields (spec 07 §4): compiled once at load, where every reference is validated
// against the enricher's kind, and rendered per result with the escaping of the place the text lands in.

import type { CorrelationResult, DetectionResult, EvaluationResult } from '@tsigma/eval';
import type { EnricherKind } from './enricher.js';
import { EnrichmentConfigError } from './errors.js';

/** How values taken from a result are escaped; literal text and environment variables are never escaped. */
type TemplateEscape = 'url' | 'header' | 'json' | 'raw';

/** Which enricher field a template belongs to, for error messages and namespace checks. */
export interface TemplateSite {
  enricherId: string;
  kind: EnricherKind;
  /** The YAML field (`url`, `headers.x-apikey`, `command[2]`). */
  field: string;
}

/** A compiled template. */
export interface CompiledTemplate {
  /** The text for one result (environment variables read now). */
  render(result: Readonly<EvaluationResult>): string;
  /** True when some reference reads the result (a `detection.*` / `correlation.*` one). */
  readonly readsResult: boolean;
  /** True when some reference reads the retained event (`detection.event...`), which needs include-event. */
  readonly readsEvent: boolean;
}

type Getter = (result: Readonly<EvaluationResult>) => unknown;
type Part = string | { env: string } | { get: Getter };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Compiles `text`; an unterminated `${`, an unknown reference or one of the other kind's namespace throws an
 * EnrichmentConfigError (`invalid_template`) naming the enricher, the field and the reference.
 *
 * @example
 * const t = compileTemplate('https://wiki/${detection.rule.id}', { enricherId: 'rb', kind: 'detection', field: 'template' }, 'raw');
 * t.render(result); // 'https://wiki/r-1'
 */
export function compileTemplate(text: string, site: TemplateSite, escape: TemplateEscape): CompiledTemplate {
  const parts: Part[] = [];
  let literal = '';
  let readsResult = false;
  let readsEvent = false;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      literal += text[i];
      i++;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close < 0) throw templateError(site, `has an unterminated '\${' at offset ${i} in field '${site.field}'`);
    const ref = text.slice(i + 2, close);
    if (literal !== '') parts.push(literal);
    literal = '';
    if (ENV_NAME.test(ref)) parts.push({ env: ref });
    else {
      const get = resultGetter(ref, site);
      readsResult = true;
      if (/^detection\.event(\.|$)/.test(ref)) readsEvent = true;
      parts.push({ get });
    }
    i = close + 1;
  }
  if (literal !== '') parts.push(literal);
  const esc = ESCAPES[escape];
  const only = parts.length === 1 ? parts[0] : undefined;
  if (parts.length === 0) return { render: () => '', readsResult, readsEvent };
  if (typeof only === 'string') return { render: () => only, readsResult, readsEvent };
  return {
    readsResult,
    readsEvent,
    render(result) {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') out += p;
        else if ('env' in p) out += process.env[p.env] ?? '';
        else out += esc(textOf(p.get(result)));
      }
      return out;
    },
  };
}

/** How a referenced value becomes text: strings as-is, missing and null empty, anything else compact JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value) ?? '';
}

const ESCAPES: Record<TemplateEscape, (s: string) => string> = {
  url: encodeURIComponent,
  header: (s) => s.replace(/[\r\n]/g, ''),
  json: (s) => JSON.stringify(s).slice(1, -1),
  raw: (s) => s,
};

function templateError(site: TemplateSite, detail: string): EnrichmentConfigError {
  return new EnrichmentConfigError('invalid_template', `enricher '${site.enricherId}' ${detail}`, {
    file: 'enrichers',
    enricherId: site.enricherId,
    key: site.field,
  });
}

/** The getter of a `detection.*` / `correlation.*` reference, validated against the enricher's kind. */
function resultGetter(ref: string, site: TemplateSite): Getter {
  const shown = `'\${${ref}}'`;
  const dot = ref.indexOf('.');
  const ns = dot < 0 ? ref : ref.slice(0, dot);
  const path = dot < 0 ? '' : ref.slice(dot + 1);
  if (ns === 'detection' || ns === 'correlation') {
    if (ns !== site.kind)
      throw templateError(
        site,
        `(kind: ${site.kind}) references ${shown} in field '${site.field}'; this is the wrong namespace for a ${site.kind} enricher`,
      );
    const get = ns === 'detection' ? detectionGetter(path) : correlationGetter(path);
    if (get !== undefined) return get;
    const paths =
      ns === 'detection'
        ? 'rule.title, rule.id, rule.level, tags, fields.<name>, event, event.<path>, enrichments.<key>'
        : 'rule.title, rule.id, rule.level, tags, type, aggregated_value, timespan_secs, group_key, group_key.<field>, enrichments.<key>';
    throw templateError(site, `references ${shown} in field '${site.field}'; ${ns} paths are ${paths}`);
  }
  throw templateError(
    site,
    `references ${shown} in field '${site.field}'; expected detection.<path>, correlation.<path> or an environment variable NAME`,
  );
}

function commonGetter(path: string): Getter | undefined {
  switch (path) {
    case 'rule.title':
      return (r) => r.rule_title;
    case 'rule.id':
      return (r) => r.rule_id;
    case 'rule.level':
      return (r) => r.level;
    case 'tags':
      return (r) => r.tags.join(',');
  }
  const key = suffix(path, 'enrichments.');
  if (key !== undefined) return (r) => enrichmentAt(r.enrichments, key);
  return undefined;
}

function detectionGetter(path: string): Getter | undefined {
  const common = commonGetter(path);
  if (common !== undefined) return common;
  const field = suffix(path, 'fields.');
  if (field !== undefined) {
    return (r) => {
      for (const m of (r as DetectionResult).matched_fields) if (m.field === field) return m.value;
      return undefined;
    };
  }
  if (path === 'event') return (r) => (r as DetectionResult).event;
  const eventPath = suffix(path, 'event.');
  if (eventPath !== undefined) {
    const segments = eventPath.split('.');
    return (r) => walk((r as DetectionResult).event, segments);
  }
  return undefined;
}

function correlationGetter(path: string): Getter | undefined {
  const common = commonGetter(path);
  if (common !== undefined) return common;
  switch (path) {
    case 'type':
      return (r) => (r as CorrelationResult).correlation_type;
    case 'aggregated_value':
      return (r) => (r as CorrelationResult).aggregated_value;
    case 'timespan_secs':
      return (r) => (r as CorrelationResult).timespan_secs;
    case 'group_key':
      return (r) => (r as CorrelationResult).group_key.map(([f, v]) => `${f}=${v}`).join(',');
  }
  const field = suffix(path, 'group_key.');
  if (field !== undefined) {
    return (r) => {
      for (const [f, v] of (r as CorrelationResult).group_key) if (f === field) return v;
      return undefined;
    };
  }
  return undefined;
}

/** The non-empty rest of `path` after `prefix`, or undefined. */
function suffix(path: string, prefix: string): string | undefined {
  return path.startsWith(prefix) && path.length > prefix.length ? path.slice(prefix.length) : undefined;
}

/** `inject_field` keys are flat, so the whole key is tried first, then a nested walk (as the `enrichment.` selector). */
function enrichmentAt(enrichments: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  if (enrichments === undefined) return undefined;
  if (Object.hasOwn(enrichments, key)) return enrichments[key];
  return walk(enrichments, key.split('.'));
}

/** A path into JSON data; numeric segments index arrays. */
function walk(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const s of segments) {
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(s)) return undefined;
      node = node[Number(s)];
    } else if (node !== null && typeof node === 'object' && Object.hasOwn(node, s)) {
      node = (node as Record<string, unknown>)[s];
    } else return undefined;
  }
  return node;
}
