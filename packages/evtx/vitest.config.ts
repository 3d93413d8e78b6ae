import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { name: 'evtx', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } });
