// Shared build settings: every package re-exports this from its own tsup.config.ts.
import type { Options } from 'tsup';

export const baseTsup: Options = {
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
};
