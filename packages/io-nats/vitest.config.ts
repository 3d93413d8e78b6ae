import { defineConfig } from 'vitest/config';

// Unit tests only; the real-server suites in test/integration run under vitest.integration.config.ts.
export default defineConfig({
  test: { name: 'io-nats', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['test/integration/**', '**/node_modules/**'] },
});
