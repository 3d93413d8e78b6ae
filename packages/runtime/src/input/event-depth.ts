// The nesting limit of events: JSON nested deeper is refused where it is parsed, before anything recursive (result
// serialization, dead letters, tables) meets it. Pure: looks at texts and parsed values, never parses.

/**
 * Events may nest objects and arrays this many levels deep (`{}` is one level); deeper ones are refused as
 * `event_too_deep`. It is the deepest nesting serde_json accepts under its default recursion limit of 128, which
 * rsigma reads events with, so both accept the same events. Real events nest a few levels (EVTX records and cloud
 * audit logs stay under 20, and the OTLP decoder refuses attribute values nested deeper than 64), while the code
 * that serializes events recursively (results with the event, dead letters, tables) only exhausts the stack
 * thousands of levels down: the limit leaves room on both sides.
 */
export const MAX_EVENT_DEPTH = 127;

/** The shortest JSON text nested deeper than the limit: one opening and one closing bracket per level. */
const SHORTEST_TOO_DEEP_TEXT = 2 * (MAX_EVENT_DEPTH + 1);

/**
 * True when `value`, parsed from `text`, nests objects and arrays deeper than {@link MAX_EVENT_DEPTH}. Costs next to
 * nothing for the usual event: a text needs more than MAX_EVENT_DEPTH opening brackets to nest that deep, and only
 * a text that has them is checked by walking `value`.
 */
export function isTooDeep(text: string, value: unknown): boolean {
  if (text.length < SHORTEST_TOO_DEEP_TEXT || typeof value !== 'object' || value === null) return false;
  return hasMoreOpeningBrackets(text, MAX_EVENT_DEPTH) && nestsDeeper(value, MAX_EVENT_DEPTH);
}

/** True when `value` nests objects and arrays more than `levels` deep; the walk stops one level past `levels`. */
export function nestsDeeper(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestsDeeper(item, levels - 1)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) if (nestsDeeper(object[key], levels - 1)) return true;
  return false;
}

/** Counts `{` and `[` (inside strings too, which only errs on the safe side) until there are more than `limit`. */
function hasMoreOpeningBrackets(text: string, limit: number): boolean {
  let count = 0;
  // indexOf runs natively and skips everything but the bracket, so a typical event costs two quick passes.
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++count > limit) return true;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++count > limit) return true;
  return false;
}
