// Public surface of the pipeline module (spec 04 §1): parsing, builtins, sorting and rule transformation.
export { transformRule, sortPipelines } from './transform.js';
export { parsePipeline } from './parse.js';
export { parseTransformationItems } from './parse-items.js';
export { builtinPipeline, builtinPipelineNames } from './builtin.js';
export { parsePipelineFile, resolvePipeline } from './load.js';
export { PipelineError } from './errors.js';
export type { PipelineErrorCode, PipelineErrorSpot } from './errors.js';
export type { Pipeline, ProcessingItem, TransformedRule } from './types.js';
