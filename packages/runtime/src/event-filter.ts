// EventFilter (spec 05 §8): jq or JSONPath pre-extraction that turns one decoded JSON value into 0..n events.
// Compilation happens once, asynchronously, at creation; evaluating a filter is synchronous and never crashes a batch.

import { createRequire } from 'node:module';
import { JSONPath } from 'jsonpath-plus';
import { RuntimeError } from './errors.js';

/**
 * Maps one decoded JSON value to the values that become events. Non-object outputs are returned as they are
 * (the LogProcessor drops and counts them); a jq runtime error throws a RuntimeError (`filter_runtime`).
 */
export type EventFilter = (value: unknown) => unknown[];

/** Exactly one of the two expressions. */
export interface EventFilterConfig {
  /** A jq program, e.g. `.records[]`. */
  jq?: string;
  /** An RFC 9535 JSONPath query, e.g. `$.records[*]`. */
  jsonpath?: string;
}

/** jq's exit status for a program that does not compile (runtime errors exit with 5). */
const JQ_COMPILE_ERROR_EXIT = 3;

interface JqEngine {
  raw(input: string, filter: string, flags?: string[]): string | undefined;
}

let jqEngine: Promise<JqEngine> | undefined;

/**
 * Loads the WebAssembly jq shipped in the `jq-web` package, once per process and only when a jq filter is made.
 * `jq-web` is CommonJS whose `module.exports` is a promise; `import()` would treat the module namespace as a
 * thenable under some loaders, so it is loaded through `createRequire`.
 */
function loadJq(): Promise<JqEngine> {
  jqEngine ??= createRequire(import.meta.url)('jq-web') as Promise<JqEngine>;
  return jqEngine;
}

/**
 * Compiles a jq or JSONPath expression into an EventFilter. Rejects with a RuntimeError (`invalid_filter`)
 * naming the expression when none or both are given or the expression does not compile (a config error).
 *
 * @example
 * const filter = await createEventFilter({ jq: '.records[]' });
 * filter({ records: [{ a: 1 }, { a: 2 }] }); // [{ a: 1 }, { a: 2 }]
 */
export async function createEventFilter(config: EventFilterConfig): Promise<EventFilter> {
  const { jq, jsonpath } = config;
  if ((jq === undefined) === (jsonpath === undefined)) {
    throw new RuntimeError('invalid_filter', 'give exactly one of jq and jsonpath', 'event filter');
  }
  return jq !== undefined ? createJqFilter(jq) : createJsonPathFilter(jsonpath as string);
}

async function createJqFilter(program: string): Promise<EventFilter> {
  const engine = await loadJq();
  try {
    engine.raw('null', program, ['-c']);
  } catch (err) {
    const e = err as Error & { exitCode?: number; stderr?: string };
    if (e.exitCode === JQ_COMPILE_ERROR_EXIT || e.exitCode === undefined) {
      throw new RuntimeError('invalid_filter', `jq program does not compile: ${jqMessage(e)}`, `jq ${program}`, { cause: err });
    }
    // Any other exit is a runtime error on the probe input `null`, which says nothing about real events.
  }
  return (value) => {
    let out: string;
    try {
      // jq-web returns undefined, not '', when the program produced no output.
      out = engine.raw(JSON.stringify(value) ?? 'null', program, ['-c']) ?? '';
    } catch (err) {
      throw new RuntimeError('filter_runtime', jqMessage(err as Error), `jq ${program}`, { cause: err });
    }
    const results: unknown[] = [];
    for (const line of out.split('\n')) if (line.length > 0) results.push(JSON.parse(line));
    return results;
  };
}

function jqMessage(e: Error & { stderr?: string }): string {
  const text = (e.stderr ?? e.message).replace(/^Non-zero exit code: \d+\n/, '');
  return text.replace(/\s+/g, ' ').trim();
}

function createJsonPathFilter(path: string): EventFilter {
  const problem = jsonPathSyntaxProblem(path);
  if (problem !== undefined) throw new RuntimeError('invalid_filter', `JSONPath query is invalid: ${problem}`, `jsonpath ${path}`);
  const run = (json: unknown): unknown[] => JSONPath<unknown[]>({ path, json: json as object, wrap: true, eval: 'safe' });
  try {
    run({});
  } catch (err) {
    throw new RuntimeError('invalid_filter', `JSONPath query is invalid: ${(err as Error).message}`, `jsonpath ${path}`, { cause: err });
  }
  return run;
}

/**
 * jsonpath-plus accepts almost any text (an unclosed `[` just ends the path), so the structural rules of
 * RFC 9535 are checked first: a leading `$`, balanced brackets and parentheses, closed quotes, no dangling dot.
 */
function jsonPathSyntaxProblem(path: string): string | undefined {
  if (!path.startsWith('$')) return 'a query must start with "$"';
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as string;
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') {
      if (stack.length === 0) return `quote outside brackets at offset ${i}`;
      quote = c;
    } else if (c === '[' || c === '(') {
      stack.push(c === '[' ? ']' : ')');
    } else if (c === ']' || c === ')') {
      if (stack.pop() !== c) return `unexpected "${c}" at offset ${i}`;
    } else if (stack.length === 0 && /\s/.test(c)) {
      return `whitespace outside brackets at offset ${i}`;
    }
  }
  if (quote !== undefined) return 'unterminated string';
  if (stack.length > 0) return `missing "${stack[stack.length - 1]}"`;
  if (path.endsWith('.') && !path.endsWith('..')) return 'dangling "."';
  if (/[^.]\.\.$/.test(path) || path === '$..') return 'descendant segment without a selector';
  return undefined;
}
