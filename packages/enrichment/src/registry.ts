// Custom enricher types (spec 07 §6): a process-wide, append-only registry consulted by the config loader for
// `type: <name>`. Registration must happen before a config is loaded; names of the four primitives are reserved.

import type { MetricsHook, Scope } from '@tsigma/runtime';
import type { SourceCache } from '@tsigma/sources';
import type { Enricher, EnricherKind, OnError } from './enricher.js';
import { EnrichmentConfigError } from './errors.js';

/** What a factory receives besides its YAML entry: the validated common settings and the load's shared services. */
export interface EnricherBuildContext {
  id: string;
  kind: EnricherKind;
  injectField: string;
  timeoutMs: number;
  onError: OnError;
  scope: Scope;
  /** Directory of the enrichers file, for relative paths. */
  baseDir: string;
  sourceCache?: SourceCache;
  metrics: MetricsHook;
}

/** Builds an enricher of a custom type from its whole YAML entry; throwing rejects the config. */
export type EnricherFactory = (entry: Record<string, unknown>, ctx: EnricherBuildContext) => Enricher | Promise<Enricher>;

/** The `type` names of the built-in primitives, which custom types cannot take. */
export const BUILTIN_TYPES: readonly string[] = ['template', 'lookup', 'http', 'command'];

const NAME = /^[a-z][a-z0-9_]*$/;
const factories = new Map<string, EnricherFactory>();

/**
 * Registers a custom enricher type; throws EnrichmentConfigError (`invalid_builtin`) for a name outside
 * `^[a-z][a-z0-9_]*$`, a reserved name, or one already registered.
 *
 * @example
 * registerBuiltin('geo_lite', (entry, ctx) => new GeoLiteEnricher(entry, ctx));
 */
export function registerBuiltin(name: string, factory: EnricherFactory): void {
  const refuse = (why: string): never => {
    throw new EnrichmentConfigError('invalid_builtin', `cannot register enricher type '${name}': ${why}`, { file: 'registry' });
  };
  if (!NAME.test(name)) refuse('names match ^[a-z][a-z0-9_]*$');
  if (BUILTIN_TYPES.includes(name)) refuse('the name is reserved for a built-in primitive');
  if (factories.has(name)) refuse('it is already registered');
  factories.set(name, factory);
}

/**
 * The factory registered under `name`, or undefined.
 *
 * @example
 * lookupBuiltin('geo_lite'); // the factory, once registered
 */
export function lookupBuiltin(name: string): EnricherFactory | undefined {
  return factories.get(name);
}
