// The settings every enricher shares (spec 07 §5: id, kind, inject_field, timeout, on_error, scope), with their
// defaults and checks, and the base class of the four built-in primitives.

import type { EvaluationResult } from '@tsigma/eval';
import { Scope } from '@tsigma/runtime';
import { DEFAULT_ENRICH_TIMEOUT_MS, type EnrichContext, type Enricher, type EnricherKind, type OnError } from './enricher.js';
import { EnrichmentConfigError } from './errors.js';

/** The common settings of an enricher; `timeoutMs`, `onError` and `scope` have defaults. */
export interface EnricherSettings {
  id: string;
  kind: EnricherKind;
  injectField: string;
  /** Default 5000. */
  timeoutMs?: number;
  /** Default `skip`. */
  onError?: OnError;
  /** Default: every result of the kind. */
  scope?: Scope;
}

/** Enricher ids and inject fields: non-empty, `[A-Za-z0-9_.-]+` (ids are metric labels, fields flat keys). */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** Why `field` cannot be an inject_field, or undefined: `incident_id` and `dedup_*` belong to the alert pipeline. */
export function injectFieldProblem(field: string): string | undefined {
  if (!NAME_PATTERN.test(field)) return `'${field}' is not a valid inject_field (expected [A-Za-z0-9_.-]+)`;
  if (field === 'incident_id' || field.startsWith('dedup_')) return `'${field}' is reserved for the alert pipeline`;
  return undefined;
}

/** Base of the built-in primitives: the common settings, checked, and `enrich` in terms of `enrichNow` when it exists. */
export abstract class BuiltinEnricher implements Enricher {
  readonly id: string;
  readonly kind: EnricherKind;
  readonly injectField: string;
  readonly timeoutMs: number;
  readonly onError: OnError;
  readonly scope: Scope;
  /** The `type` of the YAML entry. */
  abstract readonly type: string;
  /** True when a template reads the retained event (the result needs `event`, i.e. include-event). */
  readsEvent = false;

  protected constructor(settings: EnricherSettings) {
    const spot = { file: 'enrichers', enricherId: settings.id };
    if (!NAME_PATTERN.test(settings.id))
      throw new EnrichmentConfigError('invalid_value', `'${settings.id}' is not a valid id (expected [A-Za-z0-9_.-]+)`, {
        ...spot,
        key: 'id',
      });
    const problem = injectFieldProblem(settings.injectField);
    if (problem !== undefined) throw new EnrichmentConfigError('invalid_value', problem, { ...spot, key: 'inject_field' });
    this.id = settings.id;
    this.kind = settings.kind;
    this.injectField = settings.injectField;
    this.timeoutMs = settings.timeoutMs ?? DEFAULT_ENRICH_TIMEOUT_MS;
    this.onError = settings.onError ?? 'skip';
    this.scope = settings.scope ?? new Scope();
  }

  abstract enrich(result: Readonly<EvaluationResult>, ctx: EnrichContext): Promise<unknown>;
}
