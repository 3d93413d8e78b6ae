// The result of parsing: rules of the three kinds plus every problem found. Its own properties are
// plain data; the strict-path helpers are prototype methods and also exported as functions.

import type { CorrelationRule, FilterRule, SigmaRule } from './ast.js';
import type { SigmaParseError } from './errors.js';

/** Everything parsed from one text, file or directory; `errors` holds warnings too (see `severity`). */
export interface SigmaCollection {
  rules: SigmaRule[];
  correlations: CorrelationRule[];
  filters: FilterRule[];
  errors: SigmaParseError[];
}

/** A collection returned by the parse functions, with the strict-path helpers as (prototype, non-enumerable) methods. */
export interface ParsedSigmaCollection extends SigmaCollection {
  /** True when any entry of `errors` has severity `error` (warnings do not count). */
  hasErrors(): boolean;
  /** Throws an `AggregateError` of the `error`-severity entries, if there are any. */
  throwIfErrors(): void;
}

/** True when the collection holds at least one problem of severity `error`. */
export function hasErrors(collection: SigmaCollection): boolean {
  return collection.errors.some((e) => e.severity === 'error');
}

/**
 * Throws an `AggregateError` of every `error`-severity problem; warnings are ignored.
 *
 * @example
 * throwIfErrors(parseSigmaYaml(text)); // strict loading
 */
export function throwIfErrors(collection: SigmaCollection): void {
  const errors = collection.errors.filter((e) => e.severity === 'error');
  if (errors.length > 0)
    throw new AggregateError(errors, `${errors.length} Sigma parse error${errors.length === 1 ? '' : 's'}: ${errors[0]?.toString()}`);
}

/** An empty collection; the helpers live on the prototype, so the own properties stay plain data. */
export function createCollection(): ParsedSigmaCollection {
  return new Collection();
}

class Collection implements ParsedSigmaCollection {
  rules: SigmaRule[] = [];
  correlations: CorrelationRule[] = [];
  filters: FilterRule[] = [];
  errors: SigmaParseError[] = [];

  hasErrors(): boolean {
    return hasErrors(this);
  }

  throwIfErrors(): void {
    throwIfErrors(this);
  }
}
