// Rows as an aligned table, CSV or TSV: the views of commands that offer a table (validate, fields, lint).
import { csvLine, tsvLine } from './commands/hunt-views.js';
import { renderTable } from './output-format.js';

/** Rows as an aligned table, CSV (RFC 4180) or TSV, a header line first in each. */
export function renderRows(format: 'table' | 'csv' | 'tsv', header: string[], rows: string[][]): string {
  if (format === 'table') return renderTable(header, rows);
  const line = format === 'csv' ? csvLine : tsvLine;
  return [header, ...rows].map(line).join('');
}
