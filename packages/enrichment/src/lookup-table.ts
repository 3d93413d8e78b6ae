// Lookup tables of `lookup` enrichers (spec 07 §5): a CSV, JSON or YAML file read once when the config is built,
// turned into a key → row map. Malformed files are config errors naming the path and line.

import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Logger } from '@tsigma/eval';
import { parseSourceText, SourceError } from '@tsigma/sources';
import { LineCounter, parseDocument } from 'yaml';
import { EnrichmentConfigError } from './errors.js';
import { textOf } from './template.js';

/** Tables larger than this are refused: a table is held in memory whole, and bigger data belongs in a service. */
export const MAX_TABLE_BYTES = 64 * 1024 * 1024;

/** A table file's format. */
export type TableFormat = 'csv' | 'json' | 'yaml';

/** How to read a table. */
export interface TableSpec {
  /** Absolute path (the loader resolves it against the enrichers file). */
  path: string;
  /** Default: from the extension (`.csv`, `.json`, `.yaml`/`.yml`). */
  format?: TableFormat;
  /** The key column; required for CSV and for JSON/YAML lists of objects. */
  keyColumn?: string;
  /** Keys are compared lower-cased. */
  caseInsensitive?: boolean;
}

/** A loaded table: rows by key. */
export interface LookupTable {
  readonly rows: ReadonlyMap<string, unknown>;
  readonly caseInsensitive: boolean;
}

/**
 * Reads and indexes a table; throws EnrichmentConfigError (`io`, `invalid_table`) naming `enricherId`, the path and,
 * for syntax errors, the line. Duplicate keys keep the first row and log one warning with the count.
 *
 * @example
 * const table = await loadLookupTable({ path: '/etc/tsigma/assets.csv', keyColumn: 'hostname' }, 'asset_owner');
 */
export async function loadLookupTable(spec: TableSpec, enricherId: string, logger?: Logger): Promise<LookupTable> {
  const fail = (code: 'io' | 'invalid_table', detail: string, line?: number, cause?: unknown): EnrichmentConfigError =>
    new EnrichmentConfigError(
      code,
      `table ${spec.path}${line === undefined ? '' : `:${line}`}: ${detail}`,
      { file: 'enrichers', enricherId, key: 'table.path' },
      cause === undefined ? undefined : { cause },
    );
  const format = spec.format ?? formatOf(spec.path);
  if (format === undefined) throw fail('invalid_table', 'cannot tell the format from the extension; set table.format to csv, json or yaml');
  let text: string;
  try {
    const info = await stat(spec.path);
    if (info.size > MAX_TABLE_BYTES) throw fail('io', `${info.size} bytes is more than the limit of ${MAX_TABLE_BYTES}`);
    text = await readFile(spec.path, 'utf8');
  } catch (error) {
    if (error instanceof EnrichmentConfigError) throw error;
    throw fail('io', `cannot read: ${(error as Error).message}`, undefined, error);
  }
  let data: unknown;
  if (format === 'csv') {
    try {
      data = parseSourceText(text, 'csv', enricherId);
    } catch (error) {
      const line = /line (\d+)/.exec((error as Error).message)?.[1];
      const detail = error instanceof SourceError ? error.message.replace(/^source '[^']*': /, '') : String(error);
      throw fail('invalid_table', detail, line === undefined ? undefined : Number(line), error);
    }
    if (text.trim() !== '') {
      const header = (text.split('\n', 1)[0] ?? '').replace(/^\uFEFF/, '');
      if (spec.keyColumn === undefined) throw fail('invalid_table', 'a CSV table needs table.key_column');
      if (!splitHeader(header).includes(spec.keyColumn))
        throw fail('invalid_table', `key_column '${spec.keyColumn}' is not a column of the header (${header.trim()})`, 1);
    }
  } else if (format === 'json') {
    try {
      data = JSON.parse(text);
    } catch (error) {
      // JSON.parse does not say where (on Node 20); the YAML parser in JSON mode finds the line.
      const lines = new LineCounter();
      const problem = parseDocument(text, { schema: 'json', lineCounter: lines, prettyErrors: false }).errors[0];
      const line = problem === undefined ? undefined : lines.linePos(problem.pos[0]).line;
      throw fail('invalid_table', `invalid JSON: ${(error as Error).message.split('\n')[0]}`, line, error);
    }
  } else {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const problem = doc.errors[0];
    if (problem !== undefined)
      throw fail('invalid_table', `invalid YAML: ${problem.message.split('\n')[0]}`, lines.linePos(problem.pos[0]).line);
    data = doc.toJS({ maxAliasCount: 100 });
  }
  const ci = spec.caseInsensitive === true;
  const rows = new Map<string, unknown>();
  let duplicates = 0;
  const add = (key: string, row: unknown): void => {
    const k = ci ? key.toLowerCase() : key;
    if (rows.has(k)) duplicates++;
    else rows.set(k, row);
  };
  if (Array.isArray(data)) {
    if (spec.keyColumn === undefined) throw fail('invalid_table', 'a list of rows needs table.key_column');
    data.forEach((row, n) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw fail('invalid_table', `row ${n + 1} is not an object`);
      const key = (row as Record<string, unknown>)[spec.keyColumn as string];
      if (key === undefined || key === null) return;
      add(textOf(key), row);
    });
  } else if (data !== null && typeof data === 'object') {
    for (const [key, row] of Object.entries(data)) add(key, row);
  } else if (data !== null && data !== undefined) {
    throw fail('invalid_table', 'expected a list of rows or a mapping of key to row');
  }
  if (duplicates > 0)
    logger?.warn(`lookup table ${spec.path} has ${duplicates} duplicate key(s); the first row of each wins`, { enricher_id: enricherId });
  return { rows, caseInsensitive: ci };
}

function formatOf(path: string): TableFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
}

function splitHeader(header: string): string[] {
  return header
    .trim()
    .split(',')
    .map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}
