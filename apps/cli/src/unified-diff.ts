// A line-based unified diff (LCS), for `pipeline diff`. Rule YAML is a few hundred lines at most, so the quadratic
// table is small; inputs beyond MAX_DIFF_CELLS fall back to "all removed, all added".

/** Table cells above which the LCS is skipped: 4M cells is ~16 MiB, far above any rule. */
const MAX_DIFF_CELLS = 4_000_000;
/** Unchanged lines shown around each change. */
const CONTEXT = 3;

/** One line of a diff: kept (' '), removed ('-') or added ('+'), with its 0-based index in its side. */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
  index: number;
}

/** The edit script turning `a` into `b`, in order. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_DIFF_CELLS)
    return [...a.map((text, index) => ({ op: '-' as const, text, index })), ...b.map((text, index) => ({ op: '+' as const, text, index }))];
  // lcs[i][j] = length of the LCS of a[i..] and b[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * (m + 1) + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * (m + 1) + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j] as number, lcs[i * (m + 1) + j + 1] as number);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] as string, index: i });
      i++;
      j++;
    } else if (i < n && (j === m || (lcs[(i + 1) * (m + 1) + j] as number) >= (lcs[i * (m + 1) + j + 1] as number))) {
      // Removals before additions, as diff(1) prints them.
      out.push({ op: '-', text: a[i] as string, index: i });
      i++;
    } else {
      out.push({ op: '+', text: b[j] as string, index: j });
      j++;
    }
  }
  return out;
}

/**
 * Hunks of a unified diff (`@@ -l,n +l,n @@` headers, three lines of context); `note` may add a suffix to a changed
 * line. Empty when the texts are equal.
 */
export function unifiedHunks(script: readonly DiffLine[], note: (line: DiffLine) => string = () => ''): string[] {
  const changed = script.map((l, k) => (l.op === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return [];
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] as number) - CONTEXT);
    let end = Math.min(script.length, (changed[k] as number) + CONTEXT + 1);
    while (k + 1 < changed.length && (changed[k + 1] as number) - CONTEXT <= end)
      end = Math.min(script.length, (changed[++k] as number) + CONTEXT + 1);
    k++;
    const part = script.slice(start, end);
    // Line numbers: lines of each side before the hunk, plus one.
    const before = script.slice(0, start);
    const aStart = before.filter((l) => l.op !== '+').length + 1;
    const bStart = before.filter((l) => l.op !== '-').length + 1;
    const aLen = part.filter((l) => l.op !== '+').length;
    const bLen = part.filter((l) => l.op !== '-').length;
    out.push(`@@ -${aLen === 0 ? aStart - 1 : aStart},${aLen} +${bLen === 0 ? bStart - 1 : bStart},${bLen} @@`);
    for (const l of part) out.push(`${l.op}${l.text}${l.op === ' ' ? '' : note(l)}`);
  }
  return out;
}
