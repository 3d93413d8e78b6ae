import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Integration tests start a real nats-server per file; 30 s per test is the spec's budget (06 §6).
export default defineConfig({
  // examples/ import the package by its public name; run them against src/ like tsconfig's "paths" does.
  resolve: { alias: [{ find: /^@tsigma\/io-nats$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: { name: 'io-nats', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
});
