// `template` enricher (spec 07 §5): renders one string per result. No I/O, so the pipeline calls it synchronously.

import type { EvaluationResult } from '@tsigma/eval';
import { BuiltinEnricher, type EnricherSettings } from './enricher-settings.js';
import { compileTemplate, type CompiledTemplate } from './template.js';

/**
 * Renders `template` (references validated now; a bad one throws EnrichmentConfigError naming id and `template`).
 *
 * @example
 * new TemplateEnricher({ id: 'runbook', kind: 'detection', injectField: 'runbook_url' }, 'https://wiki/${detection.rule.id}');
 */
export class TemplateEnricher extends BuiltinEnricher {
  readonly type = 'template';
  private readonly template: CompiledTemplate;

  constructor(settings: EnricherSettings, template: string) {
    super(settings);
    this.template = compileTemplate(template, { enricherId: this.id, kind: this.kind, field: 'template' }, 'raw');
    this.readsEvent = this.template.readsEvent;
  }

  enrich(result: Readonly<EvaluationResult>): Promise<unknown> {
    return Promise.resolve(this.enrichNow(result));
  }

  enrichNow(result: Readonly<EvaluationResult>): string {
    return this.template.render(result);
  }
}
