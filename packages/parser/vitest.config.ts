import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { name: 'parser', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } });
