// Declaration shorthands for the suites: a source declared in a standalone file at a temporary path.

import { validateSourceDeclarations, type DynamicSource } from '../../src/index.js';

/** Validates one raw declaration as if it came from `<dir>/sources.yml`. */
export function declare(raw: Record<string, unknown>, dir = '/tmp'): DynamicSource {
  const [src] = validateSourceDeclarations([raw], { kind: 'file', path: `${dir}/sources.yml` });
  return src as DynamicSource;
}

/** Resolves to the SourceError (or any error) a promise rejects with; fails when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error & { kind?: string; sourceId?: string; code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { kind?: string; sourceId?: string; code?: string };
  }
  throw new Error('expected a rejection');
}
