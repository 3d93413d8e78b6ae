// Extraction (spec 09 §3): jq and JSONPath through the runtime's event-filter engines, CEL through cel-js.
// One output is the value, several an array; no output or a lone null is an error, so a feed that changed shape
// falls back to the last good value instead of emptying a blocklist.

import { parse as parseCel } from '@marcbachmann/cel-js';
import { createEventFilter } from '@tsigma/runtime';
import type { ExtractSpec } from './declarations.js';
import { SourceError } from './errors.js';

/** A compiled extraction: parsed data in, extracted value out; throws a SourceError (`extract`). */
export type Extractor = (data: unknown) => unknown;

/** Options of {@link compileExtractor}. */
export interface ExtractorOptions {
  /** No output or a lone null returns undefined instead of failing (enrichment lookups: "no match"). */
  allowEmpty?: boolean;
  /** Builds the `extract` error, so a caller names its own subject; default a SourceError naming the source id. */
  fail?: (detail: string, options?: ErrorOptions) => Error;
}

/** jq builtins that end the process in the CLI; a source must never be able to stop the daemon. */
const JQ_HALT = /\bhalt(_error)?\b/;

/**
 * Compiles an extraction for `sourceId`; an expression that does not compile is an `extract` error naming it.
 *
 * @example
 * const pick = await compileExtractor({ type: 'jsonpath', expr: '$.items[*].ip' }, 'ips');
 * pick({ items: [{ ip: 'a' }, { ip: 'b' }] }); // ['a', 'b']
 */
export async function compileExtractor(spec: ExtractSpec, sourceId: string, opts: ExtractorOptions = {}): Promise<Extractor> {
  const fail = opts.fail ?? ((detail: string, options?: ErrorOptions) => new SourceError('extract', sourceId, detail, options));
  const allowEmpty = opts.allowEmpty === true;
  const what = `${spec.type} expression ${JSON.stringify(spec.expr)}`;
  if (spec.type === 'cel') return compileCel(spec.expr, what, fail, allowEmpty);
  if (spec.type === 'jq' && JQ_HALT.test(spec.expr)) {
    throw fail(`${what}: halt and halt_error are not available in source extraction`);
  }
  let filter: (value: unknown) => unknown[];
  try {
    filter = await createEventFilter(spec.type === 'jq' ? { jq: spec.expr } : { jsonpath: spec.expr });
  } catch (err) {
    throw fail(`${what} does not compile: ${(err as Error).message}`, { cause: err });
  }
  return (data) => {
    let outputs: unknown[];
    try {
      outputs = filter(data);
    } catch (err) {
      throw fail(`${what} failed: ${(err as Error).message}`, { cause: err });
    }
    return settle(outputs.length === 1 ? outputs[0] : outputs.length === 0 ? undefined : outputs, what, fail, allowEmpty);
  };
}

function compileCel(expr: string, what: string, fail: Fail, allowEmpty: boolean): Extractor {
  let program: (ctx: Record<string, unknown>) => unknown;
  try {
    program = parseCel(expr);
  } catch (err) {
    throw fail(`${what} does not compile: ${(err as Error).message}`, { cause: err });
  }
  return (data) => {
    let out: unknown;
    try {
      out = program({ data });
    } catch (err) {
      throw fail(`${what} failed: ${(err as Error).message}`, { cause: err });
    }
    return settle(plainCel(out), what, fail, allowEmpty);
  };
}

type Fail = (detail: string, options?: ErrorOptions) => Error;

function settle(value: unknown, what: string, fail: Fail, allowEmpty: boolean): unknown {
  if (value === undefined || value === null) {
    if (allowEmpty) return undefined;
    throw fail(`${what}: expression produced no value`);
  }
  return value;
}

/** CEL integers come back as bigint and maps as Map; sources hold JSON data. */
function plainCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plainCel);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plainCel(x)]));
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainCel(x)]));
  }
  return v;
}
