// Extract expressions of `lookup` and `http` are templates, so the text differs per result; compiled extractors are
// kept per text (bounded) so a stable expression compiles once. Compilation happens at run time: a broken
// expression is an `extract` failure that applies on_error, never hidden behind a `default` (spec 07 §5).

import { compileExtractor, type ExtractSpec, type Extractor } from '@tsigma/sources';
import { EnrichError } from './errors.js';

/** Distinct expression texts kept compiled per enricher; templated expressions beyond it recompile. */
const MAX_COMPILED_EXTRACTS = 256;

/** Compiles and runs extract expressions of one enricher. */
export class ExtractorCache {
  private readonly compiled = new Map<string, Promise<Extractor>>();

  constructor(
    private readonly enricherId: string,
    private readonly type: ExtractSpec['type'],
  ) {}

  /** The extracted value (undefined for no output or a lone null); rejects with an EnrichError `extract`. */
  async run(expr: string, data: unknown): Promise<unknown> {
    let pending = this.compiled.get(expr);
    if (pending === undefined) {
      if (this.compiled.size >= MAX_COMPILED_EXTRACTS) this.compiled.clear();
      pending = compileExtractor({ type: this.type, expr }, this.enricherId, {
        allowEmpty: true,
        fail: (detail, options) => new EnrichError(this.enricherId, 'extract', detail, options),
      });
      this.compiled.set(expr, pending);
    }
    const extract = await pending;
    return extract(data);
  }
}
