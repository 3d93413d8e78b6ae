// What tests do when a clone has no shared corpus: skip with the reason printed, except under CI=true, where a
// missing corpus fails. Every test that reads the corpus gets its paths here (the layout is in corpus-root.ts).
import { describe, it } from 'vitest';
import { CORPUS_MISSING, hasCorpus } from './corpus-root.js';

export { corpusPath, hasCorpus } from './corpus-root.js';

/** CI systems set `CI=true`; an empty or `false` value means a developer's machine. */
const isCI = (value: string | undefined): boolean => value !== undefined && value !== '' && value !== 'false';

/**
 * `describe` for tests that need the corpus. Without it: skipped with the reason in the name and on stderr, or,
 * under `CI=true`, one failing test saying why, so CI can never pass by skipping. The body still runs to collect
 * the skipped tests, so it must not read corpus files itself (read them in tests or hooks, or guard with `hasCorpus`).
 */
export function describeCorpus(name: string, body: () => void): void {
  if (hasCorpus) {
    describe(name, body);
    return;
  }
  if (isCI(process.env['CI'])) {
    describe(name, () => {
      it('needs the shared corpus', () => {
        throw new Error(`${CORPUS_MISSING}; CI must run the corpus tests`);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${CORPUS_MISSING}\n`);
  describe.skip(`${name} [skipped: ${CORPUS_MISSING}]`, body);
}
