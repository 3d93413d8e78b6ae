import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm test:integration`: the suites that start a real nats-server per file (STYLE "Tests"). 30 s per test and hook
// is the spec's budget (06 §6). The root `pnpm test` also runs this config, as one of its projects.
export default defineConfig({
  // examples/ import the package by its public name; run them against src/ like tsconfig's "paths" does.
  resolve: { alias: [{ find: /^@tsigma\/io-nats$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    name: 'io-nats:integration',
    include: ['test/integration/**/*.int.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', '../../scripts/summary-reporter.ts'],
  },
});
