import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import the package by its public name; run them against src/ like tsconfig's "paths" does.
  resolve: { alias: [{ find: /^@tsigma\/lint$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: { name: 'lint', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
