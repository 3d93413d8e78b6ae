import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests only; the real-server and child-process suites in test/integration run under vitest.integration.config.ts.
export default defineConfig({
  // examples/ import the package by its public name; run them against src/ like tsconfig's "paths" does.
  resolve: { alias: [{ find: /^@tsigma\/enrichment$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: { name: 'enrichment', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['test/integration/**', '**/node_modules/**'] },
});
