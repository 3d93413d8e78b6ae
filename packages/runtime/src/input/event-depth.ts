// The nesting limit of events: JSON nested deeper is refused where it is parsed, before anything recursive (result
// serialization, dead letters, tables) meets it. Pure: looks at texts and parsed values, never parses.

/**
 * Events may nest objects and arrays this many levels deep (`{}` is one level); deeper ones are refused as
 * `event_too_deep`. Real events nest a few levels (EVTX records and cloud audit logs stay under 20, and the OTLP
 * decoder refuses attribute values nested deeper than 64), while V8 gives up serializing an event (results with
 * the event, dead letters) around 5,000 levels with Node's default stack. 1,000 is the default of common JSON
 * parsers (Jackson, Python's recursion limit), five times below that, and it keeps the check free for the usual
 * event: a text shorter than 2,002 characters cannot nest deeper. serde_json (rsigma) stops at 128, but that
 * limit would need every line over 258 characters checked, which costs 4 to 9 % of JSON decoding; only events
 * nested 128 to 1,000 levels deep, which no real source writes, are read differently.
 */
export const MAX_EVENT_DEPTH = 1000;

/** The shortest JSON text nested deeper than the limit: one opening and one closing bracket per level. */
const SHORTEST_TOO_DEEP_TEXT = 2 * (MAX_EVENT_DEPTH + 1);

/**
 * True when `value`, parsed from `text`, nests objects and arrays deeper than {@link MAX_EVENT_DEPTH}. Free for a
 * text too short to nest that deep; a longer one is checked by walking `value`, which costs time per container
 * member rather than per character, a few percent of parsing the text.
 */
export function isTooDeep(text: string, value: unknown): boolean {
  return text.length >= SHORTEST_TOO_DEEP_TEXT && nestsDeeper(value, MAX_EVENT_DEPTH);
}

/** True when `value` nests objects and arrays more than `levels` deep; the walk stops one level past `levels`. */
export function nestsDeeper(value: unknown, levels: number): boolean {
  return typeof value === 'object' && value !== null && containerNestsDeeper(value, levels);
}

/** Only containers are descended into: scalars, most of an event, cost one type test each. */
function containerNestsDeeper(container: object, levels: number): boolean {
  if (levels === 0) return true;
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const item: unknown = container[i];
      if (typeof item === 'object' && item !== null && containerNestsDeeper(item, levels - 1)) return true;
    }
    return false;
  }
  const object = container as Record<string, unknown>;
  for (const key in object) {
    const item = object[key];
    if (typeof item === 'object' && item !== null && containerNestsDeeper(item, levels - 1)) return true;
  }
  return false;
}
