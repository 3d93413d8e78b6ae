// File-reading conveniences for pipelines (spec 04 §1): the only module of @tsigma/eval that touches node:fs.
// Parsing and validation stay in parse.ts, which is pure.

// eslint-disable-next-line no-restricted-imports -- public file entry points (spec 04 §1) kept apart from pure parse.ts
import { readFile } from 'node:fs/promises';

import { builtinPipeline } from './builtin.js';
import { PipelineError } from './errors.js';
import { parsePipeline } from './parse.js';
import type { Pipeline } from './types.js';

/**
 * Reads and parses a pipeline YAML file; errors carry the file name.
 *
 * @example
 * const p = await parsePipelineFile('pipelines/ecs.yml');
 */
export async function parsePipelineFile(path: string): Promise<Pipeline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new PipelineError('io', `cannot read pipeline file: ${(cause as Error).message}`, { file: path, path: '' }, { cause });
  }
  return parsePipeline(text, { file: path });
}

/**
 * A builtin pipeline by name, else the pipeline file at that path.
 *
 * @example
 * const pipelines = await Promise.all(['windows', './custom.yml'].map(resolvePipeline));
 */
export async function resolvePipeline(nameOrPath: string): Promise<Pipeline> {
  return builtinPipeline(nameOrPath) ?? parsePipelineFile(nameOrPath);
}
