// `%name%` placeholders in Sigma string values (spec 04 §7): finding, substituting and wildcarding them.
// Works on value source text only; deciding which items to touch is transform.ts's job.

/** Placeholder names: word characters, dots and dashes between two `%`; `\%` is a literal percent. */
const PLACEHOLDER = /\\%|%([\w.-]+)%/g;

/** Source text split into literal runs and placeholders. */
type Segment = { text: string } | { name: string };

/** Splits value source text into literal text and placeholders (`\%` stays in the literal text). */
export function splitPlaceholders(original: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of original.matchAll(PLACEHOLDER)) {
    if (m[1] === undefined) continue;
    const at = m.index ?? 0;
    if (at > last) out.push({ text: original.slice(last, at) });
    out.push({ name: m[1] });
    last = at + m[0].length;
  }
  if (last < original.length) out.push({ text: original.slice(last) });
  return out;
}

/** True when the text holds at least one placeholder. */
export function hasPlaceholder(original: string): boolean {
  return splitPlaceholders(original).some((s) => 'name' in s);
}

/** Replaces `\%` by `%` once a value is no longer subject to placeholder expansion. */
export function unescapePercent(original: string): string {
  return original.replaceAll('\\%', '%');
}

/** Cartesian product of per-segment choices, joined; `limit` bounds the result size. */
export function expandSegments(choices: string[][], limit: number): string[] | undefined {
  let acc = [''];
  for (const options of choices) {
    if (acc.length * options.length > limit) return undefined;
    acc = acc.flatMap((prefix) => options.map((o) => prefix + o));
  }
  return acc;
}

/** True when `name` passes the transformation's `include` / `exclude` lists. */
export function isSelected(name: string, filter: { include?: string[]; exclude?: string[] }): boolean {
  if (filter.include !== undefined && !filter.include.includes(name)) return false;
  return !(filter.exclude?.includes(name) ?? false);
}
