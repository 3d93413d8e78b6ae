// Per-document bookkeeping while a Sigma document is read: where things are, which problems were
// found, and whether the document is rejected. It turns source offsets into positions only on demand.

import type { SourceLocation } from './ast.js';
import { SigmaParseError, type SigmaParseErrorCode } from './errors.js';
import type { LineIndex } from './line-index.js';
import type { TreeScalar } from './yaml-tree.js';

/** The text of one file and its (lazy) line index. */
export interface SourceText {
  text: string;
  file?: string;
  lines: LineIndex;
}

/** Collects the problems of one document and remembers whether any of them is an error. */
export class DocumentContext {
  /** True once an error (not a warning) was reported: the document yields no rule. */
  rejected = false;
  private readonly problems: SigmaParseError[] = [];

  constructor(
    readonly source: SourceText,
    readonly documentIndex: number,
  ) {}

  /** The 1-based position of a source offset. */
  locate(offset: number): SourceLocation {
    const { line, column } = this.source.lines.locate(offset);
    return this.source.file === undefined ? { line, column } : { file: this.source.file, line, column };
  }

  /** Reports an error that rejects the document. */
  error(code: SigmaParseErrorCode, message: string, offset: number, path?: string): void {
    this.rejected = true;
    this.report(code, 'error', message, offset, path);
  }

  /** Reports a warning; the document is kept. */
  warn(code: SigmaParseErrorCode, message: string, offset: number, path?: string): void {
    this.report(code, 'warning', message, offset, path);
  }

  /** Reports an error at an offset inside a condition string, pointing at the exact token when the scalar allows it. */
  conditionError(code: SigmaParseErrorCode, message: string, scalar: TreeScalar, innerOffset: number, path: string): void {
    const base = this.valueStart(scalar);
    this.error(code, message, base === undefined ? scalar.start : base + innerOffset, path);
  }

  /** Hands over the problems, each tagged with the rule title when it is known. */
  finish(title: string | undefined): SigmaParseError[] {
    if (title !== undefined) for (const p of this.problems) p.ruleTitle = title;
    return this.problems;
  }

  private report(
    code: SigmaParseErrorCode,
    severity: 'error' | 'warning',
    message: string,
    offset: number,
    path: string | undefined,
  ): void {
    const { line, column } = this.locate(offset);
    this.problems.push(
      new SigmaParseError(code, message, {
        severity,
        ...(this.source.file !== undefined ? { file: this.source.file } : {}),
        line,
        column,
        documentIndex: this.documentIndex,
        ...(path !== undefined ? { path } : {}),
      }),
    );
  }

  /**
   * Offset of the scalar's first value character when value offsets map 1:1 to the source
   * (single-line plain or quoted scalars without escapes); otherwise undefined, and errors point
   * at the scalar start.
   */
  private valueStart(scalar: TreeScalar): number | undefined {
    if (typeof scalar.value !== 'string' || scalar.style === 'block' || scalar.value.includes('\n')) return undefined;
    const quote = scalar.style === 'plain' ? 0 : 1;
    const inner = this.source.text.slice(scalar.start + quote, scalar.end - quote);
    return inner === scalar.value ? scalar.start + quote : undefined;
  }
}
