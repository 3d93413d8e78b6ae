// "Did you mean …?" for names a user mistyped: modifiers here, and the linter's and the command line's keys, flags and
// commands, which import it from this package rather than keep their own copy.

/**
 * The name of `known` closest to `name` by edit distance, when at most `maxDistance` edits away (ties: the first).
 *
 * @example
 * closestName('contians', ['contains', 'startswith'], 2); // 'contains'
 */
export function closestName(name: string, known: readonly string[], maxDistance: number): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
