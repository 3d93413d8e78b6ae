import { defineConfig } from 'tsup';
import { baseTsup } from '../../tsup.base.js';

export default defineConfig({ ...baseTsup, entry: ['src/main.ts', 'src/run.ts'] });
