// Where tests find the shared third-party corpus (SigmaHQ rules, regression cases, EVTX samples), and what they do
// when a clone has none: skip with the reason printed, except under CI=true, where a missing corpus fails.
// Every test that reads the corpus gets its paths here, so there is one place that knows the layout.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';

/** `../shared/corpus` beside the checkout; `TSIGMA_CORPUS` points elsewhere. */
export const CORPUS_ROOT = resolve(process.env['TSIGMA_CORPUS'] ?? join(import.meta.dirname, '../../shared/corpus'));

/** True when the corpus is present. */
export const hasCorpus = existsSync(join(CORPUS_ROOT, 'README.md'));

/** A path inside the corpus (it may not exist: check `hasCorpus` or use {@link describeCorpus}). */
export function corpusPath(...parts: string[]): string {
  return join(CORPUS_ROOT, ...parts);
}

const reason = `corpus not found at ${CORPUS_ROOT} (clone with ../shared beside the checkout, or set TSIGMA_CORPUS)`;

/**
 * `describe` for tests that need the corpus. Without it: skipped with the reason in the name and on stderr, or,
 * under `CI=true`, one failing test saying why, so CI can never pass by skipping.
 */
export function describeCorpus(name: string, body: () => void): void {
  if (hasCorpus) {
    describe(name, body);
    return;
  }
  if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('needs the shared corpus', () => {
        throw new Error(`${reason}; CI must run the corpus tests`);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${reason}\n`);
  describe.skip(`${name} [skipped: ${reason}]`, body);
}
