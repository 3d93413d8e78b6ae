// Offsets to 1-based line and column, built once per text; only used when a finding is reported.

/** Line starts of a text, for offset → line/column lookups by binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** The 1-based line and column of `offset`. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] as number) + 1 };
  }

  /** Offset where 1-based `line` starts (the text length past the end). */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? Number.MAX_SAFE_INTEGER;
  }
}
