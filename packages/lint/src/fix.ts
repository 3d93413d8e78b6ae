// `--fix`: applies the text edits of fixable findings. Edits replace only the bytes concerned (a key, a value,
// one list line), so comments and layout survive; overlapping edits wait for the next round.
import type { TextEdit } from './finding.js';
import { lintTextReport, type LintTextOptions } from './lint-text.js';

/** Rounds of lint-and-edit before giving up: each round fixes every non-overlapping finding, so two suffice in practice. */
const MAX_FIX_ROUNDS = 5;

/** The text with every fixable finding repaired; running it again on its result changes nothing. */
export function fixText(text: string, options: LintTextOptions = {}): string {
  let current = text;
  for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
    const edits = lintTextReport(current, options).edits.filter((e) => e.length > 0);
    if (edits.length === 0) return current;
    current = applyEdits(current, edits);
  }
  return current;
}

/** Applies groups of edits (each finding's group all or nothing), skipping groups that overlap an earlier one. */
function applyEdits(text: string, groups: TextEdit[][]): string {
  const taken: TextEdit[] = [];
  const overlaps = (e: TextEdit): boolean => taken.some((t) => e.start < t.end && t.start < e.end);
  for (const group of groups) {
    if (group.some(overlaps)) continue;
    taken.push(...group);
  }
  taken.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of taken) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
