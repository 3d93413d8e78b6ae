// One vitest run over every package, unit and integration projects alike, so `pnpm test` ends with a single summary
// line for the whole suite. Integration configs are listed by file: a directory entry only finds vitest.config.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'packages/*/vitest.integration.config.ts', 'apps/*/vitest.integration.config.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
