// Choosing and rendering the stdout data formats shared by the commands (spec 11 §1).
import { closestName } from '@tsigma/lint';
import { CliError, EXIT_USAGE } from './exit-codes.js';
import type { TextOut } from './cli-io.js';

/** A stdout data format (spec 11 §1). */
export type OutputFormat = 'json' | 'ndjson' | 'table';
const FORMATS: readonly OutputFormat[] = ['json', 'ndjson', 'table'];

/**
 * Validates `--output-format` against `allowed` (default the data formats every command has), falling back to json
 * on a TTY and ndjson in a pipe when absent.
 */
export function chooseOutputFormat<F extends string = OutputFormat>(
  value: string | undefined,
  stdout: TextOut,
  allowed: readonly F[] = FORMATS as readonly string[] as readonly F[],
): F | OutputFormat {
  if (value === undefined) return stdout.isTTY ? 'json' : 'ndjson';
  if (!(allowed as readonly string[]).includes(value)) {
    const near = closestName(value, allowed);
    const hint = near === undefined ? '' : `; did you mean ${near}?`;
    throw new CliError(EXIT_USAGE, `--output-format must be one of ${allowed.join(', ')}, not "${value}"${hint}`);
  }
  return value as F;
}

/**
 * Width-aligned text table; cells that look numeric are right-aligned. `paint` may wrap a data cell (already padded)
 * in ANSI colours; widths are measured before it, so colours never shift the columns.
 */
export function renderTable(header: string[], rows: string[][], paint?: (cell: string, row: number, column: number) => string): string {
  // A loop, not Math.max(...rows): spreading hundreds of thousands of rows as arguments overflows the stack.
  const widths = header.map((h) => h.length);
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const numeric = /^-?\d+(\.\d+)?$/;
  const line = (cells: string[], row = -1) =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const padded = i === cells.length - 1 ? c : numeric.test(c) ? c.padStart(w) : c.padEnd(w);
        return paint !== undefined && row >= 0 ? paint(padded, row, i) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map((r, k) => line(r, k))].join('\n') + '\n';
}

/** Formats of commands that offer a table: the data formats plus CSV (RFC 4180) and TSV of the same rows. */
export const TABULAR_FORMATS = ['json', 'ndjson', 'table', 'csv', 'tsv'] as const;

/** JSON.stringify replacer that renders Maps as ordered objects (the AST keeps detections in a Map). */
export function mapsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value;
}

/**
 * `JSON.stringify(value)` for human views, read only as far as needed: the whole text when it has at most `limit`
 * characters, else a longer text whose first `limit + 1` characters are exactly those of the JSON (so the caller
 * sees it is too long and cuts it). Work and recursion depth are bounded by `limit`, so a value nested too deeply
 * for JSON.stringify (or huge) still renders.
 */
export function jsonPrefix(value: unknown, limit: number): string {
  let text = '';
  const visit = (v: unknown): void => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      visit((v as { toJSON(): unknown }).toJSON());
      return;
    }
    if (v === null || typeof v !== 'object') {
      // Escaping never shortens a string, so its first characters decide the first characters of its JSON;
      // one extra keeps a surrogate pair at the cut whole.
      const room = limit - text.length + 2;
      text += String(JSON.stringify(typeof v === 'string' && v.length > room ? v.slice(0, room) : v));
      return;
    }
    // Every level adds at least one character, so the checks below stop a deep value after `limit` levels.
    if (Array.isArray(v)) {
      text += '[';
      for (let i = 0; i < v.length && text.length <= limit; i++) {
        if (i > 0) text += ',';
        const item: unknown = v[i];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') text += 'null';
        else visit(item);
      }
      text += ']';
      return;
    }
    text += '{';
    let first = true;
    for (const [key, item] of Object.entries(v)) {
      if (text.length > limit) break;
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      text += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      visit(item);
    }
    text += '}';
  };
  visit(value);
  return text;
}

/** `text` cut to `max` characters, the last one replaced by `…` when it was longer. */
export function cutText(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
