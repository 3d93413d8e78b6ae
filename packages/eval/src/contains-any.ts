// One pass over a value for many `contains` literals: literals are indexed by their first ANCHOR characters (or, when
// shorter, by length), so testing a text costs a few hash lookups per character of the text, whatever the number of
// literals. Memory stays linear in the literals' total length (a dense automaton over 10^5 IOCs needs hundreds of MB).

/** Literals are bucketed by this many leading characters; shorter ones sit in one set per length. */
const ANCHOR = 8;

/**
 * Tests whether a text contains any of a list of literals, in time linear in the text rather than in the list.
 *
 * @example new ContainsAny(['evil.example', 'bad.test']).test('a.bad.test.net') // true
 */
export class ContainsAny {
  /** Literals of at least ANCHOR characters by their first ANCHOR characters. */
  private readonly long = new Map<string, string[]>();
  /** Literals shorter than ANCHOR: `short[n]` holds those of length n. */
  private readonly short: (Set<string> | undefined)[] = [];
  private readonly shortLengths: number[];
  /** An empty literal is contained in every text. */
  private readonly hasEmpty: boolean;

  constructor(needles: readonly string[]) {
    let empty = false;
    for (const n of needles) {
      if (n.length === 0) empty = true;
      else if (n.length < ANCHOR) (this.short[n.length] ??= new Set()).add(n);
      else {
        const key = n.slice(0, ANCHOR);
        const bucket = this.long.get(key);
        if (bucket === undefined) this.long.set(key, [n]);
        else if (!bucket.includes(n)) bucket.push(n);
      }
    }
    this.hasEmpty = empty;
    this.shortLengths = this.short.flatMap((set, len) => (set === undefined ? [] : [len]));
  }

  /** True when `text` contains one of the literals (compared as given: fold both sides beforehand for `i` matching). */
  test(text: string): boolean {
    if (this.hasEmpty) return true;
    const long = this.long.size > 0;
    for (let i = 0; i < text.length; i++) {
      for (const len of this.shortLengths) {
        if (i + len > text.length) break;
        if ((this.short[len] as Set<string>).has(text.slice(i, i + len))) return true;
      }
      if (long && i + ANCHOR <= text.length) {
        const bucket = this.long.get(text.slice(i, i + ANCHOR));
        if (bucket !== undefined) for (const n of bucket) if (text.startsWith(n, i)) return true;
      }
    }
    return false;
  }
}
