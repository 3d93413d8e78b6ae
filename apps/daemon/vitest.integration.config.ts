import { defineConfig } from 'vitest/config';

// The suites that spawn the built `tsigmad` (spec 10 §10): each test starts its own daemon on a free loopback port,
// some with a real nats-server and a real SQLite file. `pnpm test` runs this config as one of its projects.
export default defineConfig({
  test: {
    name: 'daemon:integration',
    include: ['test/integration/**/*.int.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', '../../scripts/summary-reporter.ts'],
  },
});
