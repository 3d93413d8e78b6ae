// Sigma string values as typed parts: literal text and unescaped `*` / `?` wildcards (spec 01 §6).
// Pure text processing; matching semantics (case, encodings) belong to @tsigma/eval.

import type { SigmaString } from './ast.js';

/**
 * Splits Sigma string source into literal text and wildcard parts; `raw` keeps the text verbatim (`re`, `cidr`).
 *
 * Backslash rules: `\*`, `\?` and `\\` escape one character; any other `\x` (and a trailing `\`) stays literal.
 */
export function parseSigmaString(original: string, raw = false): SigmaString {
  if (original === '') return { parts: [], original, raw };
  if (raw) return { parts: [{ text: original }], original, raw: true };
  // Fast path: most values carry no wildcard and no backslash.
  if (!/[*?\\]/.test(original)) return { parts: [{ text: original }], original, raw: false };
  const parts: SigmaString['parts'] = [];
  // Literal runs are copied as slices between the characters that need handling.
  let text = '';
  let from = 0;
  const n = original.length;
  for (let i = 0; i < n; i++) {
    const c = original.charCodeAt(i);
    if (c === 92 /* \ */) {
      const next = original.charCodeAt(i + 1);
      if (next === 42 /* * */ || next === 63 /* ? */ || next === 92) {
        // Drop the backslash; the escaped character starts the next run.
        text += original.slice(from, i);
        from = i + 1;
        i++;
      }
    } else if (c === 42 || c === 63) {
      text += original.slice(from, i);
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ wildcard: c === 42 ? '*' : '?' });
      from = i + 1;
    }
  }
  text += original.slice(from);
  if (text !== '') parts.push({ text });
  return { parts, original, raw: false };
}

/** True when the string has no wildcard part, so it matches exactly one text. */
export function isPlain(s: SigmaString): boolean {
  return s.parts.every((p) => !('wildcard' in p));
}
