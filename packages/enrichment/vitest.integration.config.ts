import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm test:integration`: suites against real loopback HTTP servers and real child processes (STYLE "Tests").
export default defineConfig({
  resolve: { alias: [{ find: /^@tsigma\/enrichment$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    name: 'enrichment:integration',
    include: ['test/integration/**/*.int.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', '../../scripts/summary-reporter.ts'],
  },
});
