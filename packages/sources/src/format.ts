// Raw text → value by `format` (spec 09 §2): json, yaml (all documents), csv (header row, RFC 4180) and lines.
// Pure: every failure is a SourceError of kind `parse` naming the source id.

import { parse as parseCsv } from 'csv-parse/sync';
import { parseAllDocuments } from 'yaml';
import type { SourceFormat } from './declarations.js';
import { SourceError } from './errors.js';

/**
 * Decodes bytes as strict UTF-8; invalid sequences are a `parse` error rather than silent replacement characters.
 *
 * @example decodeUtf8(Buffer.from('["a"]'), 'ips') // '["a"]'
 */
export function decodeUtf8(bytes: Uint8Array, sourceId: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new SourceError('parse', sourceId, 'data is not valid UTF-8', { cause: err });
  }
}

/**
 * Parses a source's raw text in its declared format.
 *
 * @example parseSourceText('a\r\n\n b \n', 'lines', 'ips') // ['a', 'b']
 */
export function parseSourceText(text: string, format: SourceFormat, sourceId: string): unknown {
  switch (format) {
    case 'json':
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new SourceError('parse', sourceId, `invalid JSON: ${(err as Error).message}`, { cause: err });
      }
    case 'yaml':
      return parseYaml(text, sourceId);
    case 'csv':
      return parseCsvText(text, sourceId);
    case 'lines':
      return text
        .split('\n')
        .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l).trim())
        .filter((l) => l.length > 0);
  }
}

function parseYaml(text: string, sourceId: string): unknown {
  const docs = parseAllDocuments(text, { prettyErrors: false });
  if (!Array.isArray(docs)) return null; // an empty stream
  const values: unknown[] = [];
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first !== undefined) throw new SourceError('parse', sourceId, `invalid YAML: ${first.message.split('\n')[0]}`, { cause: first });
    values.push(doc.toJS({ maxAliasCount: 100 }));
  }
  return values.length === 1 ? values[0] : values;
}

function parseCsvText(text: string, sourceId: string): Record<string, string>[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim().length === 0) return [];
  try {
    return parseCsv<Record<string, string>>(body, { columns: true, skip_empty_lines: true, relax_column_count: false });
  } catch (err) {
    const e = err as Error & { lines?: number };
    const line = e.lines !== undefined ? `line ${e.lines}: ` : '';
    throw new SourceError('parse', sourceId, `invalid CSV: ${line}${e.message}`, { cause: err });
  }
}
