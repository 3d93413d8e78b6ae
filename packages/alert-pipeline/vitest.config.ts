import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import the package by its public name; run them against src/ like tsconfig's "paths" does.
  resolve: { alias: [{ find: /^@tsigma\/alert-pipeline$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: { name: 'alert-pipeline', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
