// Where the shared third-party corpus (SigmaHQ rules, regression cases, EVTX samples) lives, for tests and benches.
// No vitest import here: benches load this in fresh processes whose start-up time and memory they measure.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared/corpus` beside the checkout; `TSIGMA_CORPUS` points elsewhere (at the corpus root, not at `sigmahq`). */
export const CORPUS_ROOT = resolve(process.env['TSIGMA_CORPUS'] ?? join(import.meta.dirname, '../../shared/corpus'));

/** True when the corpus is present. */
export const hasCorpus = existsSync(join(CORPUS_ROOT, 'README.md'));

/** Why corpus tests and benches cannot run, for skip messages and errors. */
export const CORPUS_MISSING = `corpus not found at ${CORPUS_ROOT} (clone with ../shared beside the checkout, or set TSIGMA_CORPUS)`;

/** A path inside the corpus (it may not exist: check `hasCorpus`, or use `describeCorpus` / {@link exitWithoutCorpus}). */
export function corpusPath(...parts: string[]): string {
  return join(CORPUS_ROOT, ...parts);
}

/** For benches over real data: without the corpus, print why on stderr and exit with status 2. */
export function exitWithoutCorpus(bench: string): void {
  if (hasCorpus) return;
  process.stderr.write(`${bench}: ${CORPUS_MISSING}\n`);
  process.exit(2);
}
