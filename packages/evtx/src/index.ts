// Public API of @tsigma/evtx: a pure TypeScript reader of Windows .evtx files producing evtx_dump-shaped JSON.
// Only names listed here are public; everything else is internal.

export { EvtxFileReader, MAX_KEPT_PROBLEMS } from './reader.js';
export type { EvtxReaderOptions } from './reader.js';
export type { EvtxRecord, EvtxRecordOk, EvtxRecordFailure, ChecksumPolicy } from './chunk.js';
export { decodeChunk } from './chunk-job.js';
export type { EvtxChunkJob } from './chunk-job.js';
export { EvtxError } from './errors.js';
export type { EvtxErrorCode, EvtxLocation, EvtxProblem, EvtxSeverity } from './errors.js';
export type { EvtxFileHeader } from './file-header.js';
export type { EvtxJson } from './render-json.js';
export type { JsonScalar } from './values.js';
export { MAX_BINXML_DEPTH, MAX_NODES_PER_RECORD } from './binxml.js';
