import { defineConfig } from 'tsup';
import { baseTsup } from '../../tsup.base.js';

// The detection worker is its own entry: worker threads load it by file (dist/parallel-worker.js).
export default defineConfig({ ...baseTsup, entry: { index: 'src/index.ts', 'parallel-worker': 'src/parallel/worker-main.ts' } });
