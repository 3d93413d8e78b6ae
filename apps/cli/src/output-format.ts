// Choosing and rendering the stdout data formats shared by the commands (spec 11 §1).
import { CliError, EXIT_USAGE } from './exit-codes.js';
import type { TextOut } from './cli-io.js';

type OutputFormat = 'json' | 'ndjson' | 'table';
const FORMATS: readonly OutputFormat[] = ['json', 'ndjson', 'table'];

/** Validates `--output-format`, falling back to json on a TTY and ndjson in a pipe when absent. */
export function chooseOutputFormat(value: string | undefined, stdout: TextOut, fallback?: OutputFormat): OutputFormat {
  if (value === undefined) return fallback ?? (stdout.isTTY ? 'json' : 'ndjson');
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new CliError(EXIT_USAGE, `--output-format must be one of ${FORMATS.join(', ')}, not "${value}"`);
  }
  return value as OutputFormat;
}

/** Width-aligned text table; cells that look numeric are right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = /^-?\d+(\.\d+)?$/;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        if (i === cells.length - 1) return c;
        return numeric.test(c) ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** JSON.stringify replacer that renders Maps as ordered objects (the AST keeps detections in a Map). */
export function mapsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value;
}
