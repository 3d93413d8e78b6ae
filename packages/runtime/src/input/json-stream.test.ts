import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EVENT_DEPTH } from './event-depth.js';
import { MAX_DOCUMENT_BYTES, JsonDocumentSplitter, readJsonDocuments, splitJsonDocuments, type JsonDocument } from './json-stream.js';

async function collect(source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<JsonDocument[]> {
  const docs: JsonDocument[] = [];
  for await (const doc of readJsonDocuments(source)) docs.push(doc);
  return docs;
}

/** Feeds `text` to a splitter in pieces of `size` characters. */
function splitInChunks(text: string, size: number): JsonDocument[] {
  const splitter = new JsonDocumentSplitter();
  const docs: JsonDocument[] = [];
  for (let i = 0; i < text.length; i += size) docs.push(...splitter.push(text.slice(i, i + size)));
  docs.push(...splitter.end());
  return docs;
}

const texts = (docs: JsonDocument[]): (string | undefined)[] => docs.map((d) => (d.ok ? d.text : undefined));

describe('splitJsonDocuments: the three shapes', () => {
  it('splits NDJSON with blank lines and CRLF endings', () => {
    const docs = splitJsonDocuments('{"a":1}\r\n\r\n{"b":"x y"}\r\n{"c":[1,{"d":null}]}');
    expect(docs).toEqual([
      { ok: true, text: '{"a":1}', line: 1 },
      { ok: true, text: '{"b":"x y"}', line: 3 },
      { ok: true, text: '{"c":[1,{"d":null}]}', line: 4 },
    ]);
  });

  it('unwraps a top-level array into its elements', () => {
    const docs = splitJsonDocuments('[\n  {"EventID": 4688},\n  {\n    "EventID": 1\n  }, [1,2], "s", -1.5e3, true, null\n]\n');
    expect(docs).toEqual([
      { ok: true, text: '{"EventID": 4688}', line: 2 },
      { ok: true, text: '{\n    "EventID": 1\n  }', line: 3 },
      { ok: true, text: '[1,2]', line: 5 },
      { ok: true, text: '"s"', line: 5 },
      { ok: true, text: '-1.5e3', line: 5 },
      { ok: true, text: 'true', line: 5 },
      { ok: true, text: 'null', line: 5 },
    ]);
    expect(splitJsonDocuments('[]')).toEqual([]);
  });

  it('splits concatenated pretty-printed objects as in SigmaHQ regression_data', () => {
    const text =
      '{\n  "EventID": 4688,\n  "CommandLine": "whoami /all"\n}\n{\n  "EventID": 1,\n  "Image": "C:\\\\Windows\\\\cmd.exe"\n}{"x":1} {"y":2}';
    const docs = splitJsonDocuments(text);
    expect(docs.map((d) => d.line)).toEqual([1, 5, 8, 8]);
    expect(docs.map((d) => (d.ok ? (JSON.parse(d.text) as unknown) : d))).toEqual([
      { EventID: 4688, CommandLine: 'whoami /all' },
      { EventID: 1, Image: 'C:\\Windows\\cmd.exe' },
      { x: 1 },
      { y: 2 },
    ]);
  });

  it('yields nothing for empty or blank input and strips a BOM', () => {
    expect(splitJsonDocuments('')).toEqual([]);
    expect(splitJsonDocuments(' \n\t\n')).toEqual([]);
    expect(splitJsonDocuments('\uFEFF{"a":1}')).toEqual([{ ok: true, text: '{"a":1}', line: 1 }]);
  });

  it('keeps escapes, unicode and structural characters inside strings intact', () => {
    const text = '{"s":"}{][,:\\" \\\\ \\u00e9 \\n","k\\"ey":"😀"}';
    expect(splitJsonDocuments(text)).toEqual([{ ok: true, text, line: 1 }]);
  });
});

describe('splitJsonDocuments: broken input', () => {
  it('reports a bad NDJSON line and continues with the next one', () => {
    const docs = splitJsonDocuments('{"a":1}\nnot json\n{"b":2}\n{"c": tru}\n{"d":4}\n}\n{"e":5}');
    expect(texts(docs)).toEqual(['{"a":1}', undefined, '{"b":2}', undefined, '{"d":4}', undefined, '{"e":5}']);
    expect(docs.filter((d) => !d.ok).map((d) => d.line)).toEqual([2, 4, 6]);
  });

  it('recovers from an unclosed line at the next line that starts a value', () => {
    const docs = splitJsonDocuments('{"a":1\n{"b":2}\n{"c":"unterminated\n{"d":4}');
    expect(docs).toEqual([
      { ok: false, line: 1, reason: 'document starting at line 1 is not closed before line 2' },
      { ok: true, text: '{"b":2}', line: 2 },
      { ok: false, line: 3, reason: 'unterminated string at line 3, column 19' },
      { ok: true, text: '{"d":4}', line: 4 },
    ]);
  });

  it('reports a broken pretty-printed object once and resumes at the next one', () => {
    const docs = splitJsonDocuments('{\n  "a": 1\n}\n{\n  "b": 2,\n  "c": oops,\n  "d": [1, 2]\n}\n{\n  "e": 5\n}\n');
    expect(docs).toEqual([
      { ok: true, text: '{\n  "a": 1\n}', line: 1 },
      { ok: false, line: 4, reason: 'unexpected "o" at line 6, column 8 in document starting at line 4' },
      { ok: true, text: '{\n  "e": 5\n}', line: 9 },
    ]);
  });

  it('reports unclosed documents and arrays at the end of input', () => {
    expect(splitJsonDocuments('{"a":1}\n{"b":\n  [1, 2')).toEqual([
      { ok: true, text: '{"a":1}', line: 1 },
      { ok: false, line: 2, reason: 'unexpected end of input: document starting at line 2 is not closed' },
    ]);
    expect(splitJsonDocuments('[\n{"a":1},\n{"b":2}')).toEqual([
      { ok: true, text: '{"a":1}', line: 2 },
      { ok: true, text: '{"b":2}', line: 3 },
      { ok: false, line: 1, reason: 'unexpected end of input: array starting at line 1 is not closed' },
    ]);
  });

  it('rejects invalid escapes, numbers, control characters and mismatched brackets', () => {
    const cases = ['{"a":"\\x"}', '{"a":01}', '{"a":1.}', '{"a":"tab\there"}', '{"a":[1}', '{"a" 1}', '{1:2}', '{"a":1,}', ']'];
    for (const text of cases) {
      const docs = splitJsonDocuments(text);
      expect(docs.length, text).toBeGreaterThan(0);
      expect(
        docs.every((d) => !d.ok),
        text,
      ).toBe(true);
      expect(() => JSON.parse(text) as unknown, text).toThrow();
    }
  });

  it('resumes a top-level array at the next element line after a broken element', () => {
    const docs = splitJsonDocuments('[\n  {"a":1},\n  {"b":},\n  {"c":3}\n]\n{"d":4}');
    expect(docs).toEqual([
      { ok: true, text: '{"a":1}', line: 2 },
      { ok: false, line: 3, reason: 'unexpected "}" at line 3, column 8' },
      { ok: true, text: '{"c":3}', line: 4 },
      { ok: true, text: '{"d":4}', line: 6 },
    ]);
  });

  it('reports a document above the size limit and keeps going', () => {
    const big = `{"blob":"${'x'.repeat(MAX_DOCUMENT_BYTES)}"}`;
    const text = `{"a":1}\n${big}\n{"b":2}`;
    const expected = [
      { ok: true, text: '{"a":1}', line: 1 },
      { ok: false, line: 2, reason: `document starting at line 2 exceeds ${MAX_DOCUMENT_BYTES} bytes` },
      { ok: true, text: '{"b":2}', line: 3 },
    ];
    expect(splitJsonDocuments(text)).toEqual(expected);
    expect(splitInChunks(text, 65_536)).toEqual(expected);
  });
});

/** `[line, text]` of the good documents and the lines of the bad ones. */
function verdicts(docs: JsonDocument[]): { good: [number, string][]; bad: number[] } {
  return {
    good: docs.filter((d) => d.ok).map((d) => [d.line, d.text]),
    bad: docs.filter((d) => !d.ok).map((d) => d.line),
  };
}

describe('splitJsonDocuments: a truncated record does not swallow the next one', () => {
  it('reports a line cut after "key": and reads the record on the next line (issue 12)', () => {
    expect(splitJsonDocuments('{"n":1}\n{"a":\n{"n":2}\n{"n":3}\n')).toEqual([
      { ok: true, text: '{"n":1}', line: 1 },
      { ok: false, line: 2, reason: 'document starting at line 2 is not closed before line 3' },
      { ok: true, text: '{"n":2}', line: 3 },
      { ok: true, text: '{"n":3}', line: 4 },
    ]);
  });

  it('recovers from a record cut at any character, with LF or CRLF line ends', () => {
    const record = '{"n":7,"s":"a\\"b\\u00e9","arr":[1,{"x":null},[]],"t":true,"f":-1.5e3,"o":{}}';
    for (const eol of ['\n', '\r\n']) {
      for (let cut = 1; cut < record.length; cut++) {
        const text = ['{"before":1}', record.slice(0, cut), '{"after":2}', record].join(eol) + eol;
        expect(verdicts(splitJsonDocuments(text)), `cut at ${cut}: ${record.slice(0, cut)}`).toEqual({
          good: [
            [1, '{"before":1}'],
            [3, '{"after":2}'],
            [4, record],
          ],
          bad: [2],
        });
      }
    }
  });

  it('reports a cut line and a garbage line after it each on its own', () => {
    expect(verdicts(splitJsonDocuments('{"a":\nnot json\n{"a":[1,\nx 42\n{"b":2}\n'))).toEqual({
      good: [[5, '{"b":2}']],
      bad: [1, 2, 3, 4],
    });
    // A record started on one line may go on in indented lines: only a line as far left as it is something new,
    // even a closing bracket (a producer writing one record per line never puts one there).
    expect(verdicts(splitJsonDocuments('{"a": 1,\n  "b": [2,\n  3]}\n{"c":3}'))).toEqual({
      good: [
        [1, '{"a": 1,\n  "b": [2,\n  3]}'],
        [4, '{"c":3}'],
      ],
      bad: [],
    });
    expect(verdicts(splitJsonDocuments('{"a": [1,\n]}\n{"c":3}'))).toEqual({ good: [[3, '{"c":3}']], bad: [1, 2] });
  });

  it('reads 900 good lines and reports 100 truncated ones, each once with its line', () => {
    const lines: string[] = [];
    const bad: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const record = JSON.stringify({ n: i, user: `u${i % 7}`, tags: ['a', { k: i }], ok: i % 2 === 0 });
      if (i % 10 === 3) {
        lines.push(record.slice(0, 1 + ((i * 7) % (record.length - 1))));
        bad.push(i + 1);
      } else {
        lines.push(record);
      }
    }
    const docs = splitJsonDocuments(lines.join('\n'));
    const { good, bad: reported } = verdicts(docs);
    expect(reported).toEqual(bad);
    expect(good.map(([line]) => line)).toEqual(lines.map((_, i) => i + 1).filter((line) => !bad.includes(line)));
    expect(good.every(([line, text]) => text === lines[line - 1])).toBe(true);
  });

  it('reports a truncated pretty-printed record and reads the one after it', () => {
    const text = '{\n  "a": 1,\n  "b": {\n    "c":\n{\n  "d": [\n    {"e": 2}\n  ]\n}\n';
    expect(verdicts(splitJsonDocuments(text))).toEqual({ good: [[5, '{\n  "d": [\n    {"e": 2}\n  ]\n}']], bad: [1] });
  });

  it('reads unindented pretty-printed records whole, nested objects in column 1 included', () => {
    const flat = '{\n"a": [\n{\n"x": 1\n},\n[\n2\n]\n],\n"b": {\n"c": 3\n}\n}';
    const docs = splitJsonDocuments(`${flat}\n{"d":4}\n${flat}`);
    expect(verdicts(docs)).toEqual({
      good: [
        [1, flat],
        [14, '{"d":4}'],
        [15, flat],
      ],
      bad: [],
    });
    // Cut after a key, the record on the next line cannot be the member's value: no pretty-printer puts it there.
    expect(verdicts(splitJsonDocuments('{\n"a": 1,\n"b":\n{"c":4}\n'))).toEqual({ good: [[4, '{"c":4}']], bad: [1] });
  });

  it('reads the elements after a truncated element of a top-level array', () => {
    const docs = splitJsonDocuments('[\n{"a":1},\n{"b":\n{"c":3},\n  {"d":4}\n]\n{"e":5}\n');
    expect(verdicts(docs)).toEqual({
      good: [
        [2, '{"a":1}'],
        [4, '{"c":3}'],
        [5, '{"d":4}'],
        [7, '{"e":5}'],
      ],
      bad: [3],
    });
    expect(verdicts(splitJsonDocuments('[\n  {"a":1},\n  {"b":1\n]\n{"c":2}'))).toEqual({
      good: [
        [2, '{"a":1}'],
        [5, '{"c":2}'],
      ],
      bad: [3],
    });
  });

  it('reads the records after a truncated top-level array', () => {
    const docs = splitJsonDocuments('[{"a":1},{"b":2}\n{"c":3}\n{"d":4}\n');
    expect(docs[2]).toEqual({ ok: false, line: 1, reason: 'array starting at line 1 is not closed before line 2' });
    expect(verdicts(docs)).toEqual({
      good: [
        [1, '{"a":1}'],
        [1, '{"b":2}'],
        [2, '{"c":3}'],
        [3, '{"d":4}'],
      ],
      bad: [1],
    });
  });

  it('reports each of 100,000 lines cut after "key": on its own line, in linear work', () => {
    const text = '{"a":\n'.repeat(100_000);
    const splitter = new JsonDocumentSplitter();
    const docs = [...splitter.push(text), ...splitter.end()];
    expect(docs).toHaveLength(100_000);
    expect(docs.every((d, i) => !d.ok && d.line === i + 1)).toBe(true);
    expect(splitter.charsScanned).toBeLessThanOrEqual(2 * text.length);
  });
});

describe('splitJsonDocuments: nesting limit', () => {
  /** `levels` levels: objects around an innermost array. */
  const nested = (levels: number): string => '{"n":'.repeat(levels - 2) + '{"a":[1]}' + '}'.repeat(levels - 2);

  it('reports a record nested deeper than MAX_EVENT_DEPTH levels at its line and reads the next one', () => {
    const deep = nested(MAX_EVENT_DEPTH + 1);
    expect(splitJsonDocuments(`{"a":1}\n${deep}\n{"b":2}\n`)).toEqual([
      { ok: true, text: '{"a":1}', line: 1 },
      {
        ok: false,
        line: 2,
        reason: `JSON nested deeper than ${MAX_EVENT_DEPTH} levels at line 2, column ${5 * (MAX_EVENT_DEPTH - 1) + 6}`,
      },
      { ok: true, text: '{"b":2}', line: 3 },
    ]);
    expect(verdicts(splitJsonDocuments(`${nested(MAX_EVENT_DEPTH)}\n${nested(6000)}\n{"b":2}`))).toEqual({
      good: [
        [1, nested(MAX_EVENT_DEPTH)],
        [3, '{"b":2}'],
      ],
      bad: [2],
    });
  });

  it('counts the levels of an element, not of the top-level array around it', () => {
    const docs = splitJsonDocuments(`[\n${nested(MAX_EVENT_DEPTH)},\n${nested(MAX_EVENT_DEPTH + 1)},\n{"c":3}\n]`);
    expect(verdicts(docs)).toEqual({
      good: [
        [2, nested(MAX_EVENT_DEPTH)],
        [4, '{"c":3}'],
      ],
      bad: [3],
    });
  });

  it('reports a deep pretty-printed record once and reads the record after it', () => {
    let value: unknown = { a: 1 };
    for (let i = 0; i < MAX_EVENT_DEPTH + 50; i++) value = { n: value };
    const pretty = JSON.stringify(value, null, 1);
    expect(verdicts(splitJsonDocuments(`${pretty}\n{"after":true}\n`))).toEqual({
      good: [[pretty.split('\n').length + 1, '{"after":true}']],
      bad: [1],
    });
  });
});

describe('readJsonDocuments: streaming', () => {
  const sample =
    '[\n  {"name": "Jos\u00e9", "emoji": "😀", "esc": "\\u00e9\\"\\\\"},\n  {"n": -12.5e-3, "t": true, "f": false, "z": null}\n]\n{"after": [1, 2, 3]}\n';

  it('gives the same result for any chunking, down to one character', () => {
    const whole = splitJsonDocuments(sample);
    expect(whole.every((d) => d.ok)).toBe(true);
    for (const size of [1, 2, 3, 5, 7, 64]) expect(splitInChunks(sample, size), `chunk size ${size}`).toEqual(whole);
  });

  it('decodes UTF-8 byte chunks split inside multi-byte characters, from a Readable', async () => {
    const bytes = Buffer.from(`\uFEFF${sample}`, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3));
    expect(await collect(Readable.from(chunks))).toEqual(splitJsonDocuments(sample));
  });

  it('accepts string chunks and reports errors as items without stopping', async () => {
    expect(await collect(['{"a":', '1}\nbad\n', '{"b":2}'])).toEqual([
      { ok: true, text: '{"a":1}', line: 1 },
      { ok: false, line: 2, reason: 'unexpected "b" at line 2, column 1' },
      { ok: true, text: '{"b":2}', line: 3 },
    ]);
  });

  it('keeps its buffer bounded while skipping an oversized document', () => {
    const splitter = new JsonDocumentSplitter();
    splitter.push('{"blob":"');
    const piece = 'y'.repeat(65_536);
    for (let i = 0; i < 40; i++) splitter.push(piece); // 2.5 MiB of one string
    expect((splitter as unknown as { buf: string }).buf.length).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES + piece.length);
    expect([...splitter.push('"}\n{"ok":true}'), ...splitter.end()]).toEqual([
      { ok: false, line: 1, reason: `document starting at line 1 exceeds ${MAX_DOCUMENT_BYTES} bytes` },
      { ok: true, text: '{"ok":true}', line: 2 },
    ]);
  });
});

describe('JsonDocumentSplitter: work stays linear in the input', () => {
  /** Work (characters scanned or copied) to split `text` pushed in pieces of `size`. */
  function workFor(text: string, size: number): { work: number; docs: JsonDocument[] } {
    const splitter = new JsonDocumentSplitter();
    const docs: JsonDocument[] = [];
    for (let i = 0; i < text.length; i += size) docs.push(...splitter.push(text.slice(i, i + size)));
    docs.push(...splitter.end());
    return { work: splitter.charsScanned, docs };
  }

  it('does not copy a long pending document again for every small chunk', () => {
    // A pretty-printer writing line by line into a pipe delivers chunks of a few dozen characters.
    const record = (n: number): string => JSON.stringify({ n, blob: 'x'.repeat(n * 100_000), list: [1, 2, 3] }, null, 2);
    const small = workFor(record(4), 16);
    const large = workFor(record(8), 16);
    expect(small.docs).toEqual([{ ok: true, text: record(4), line: 1 }]);
    expect(large.docs).toEqual([{ ok: true, text: record(8), line: 1 }]);
    expect(small.work).toBeLessThanOrEqual(2 * record(4).length);
    expect(large.work).toBeLessThanOrEqual(2.2 * small.work);
  });

  it('scans an escape cut by a chunk boundary again, and only that', () => {
    const escapes = (n: number): string => `{"s":"${'\\u00e9'.repeat(n)}"}`;
    for (const size of [1, 2, 3, 5]) {
      const small = workFor(escapes(1000), size);
      const large = workFor(escapes(2000), size);
      expect(small.docs).toEqual([{ ok: true, text: escapes(1000), line: 1 }]);
      // Up to five characters of a cut escape are copied and scanned again per chunk: a constant factor.
      expect(small.work).toBeLessThanOrEqual(6 * escapes(1000).length);
      expect(large.work).toBeLessThanOrEqual(2.1 * small.work);
    }
  });
});

describe('splitJsonDocuments: agrees with JSON.parse', () => {
  const value = fc.jsonValue({ maxDepth: 4 });

  it('round-trips NDJSON, pretty concatenation and arrays of random values', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 8 }), (values) => {
        const docs = values.filter((v) => !Array.isArray(v)); // top-level arrays are unwrapped by design
        const parsed = (text: string): unknown[] => splitJsonDocuments(text).map((d) => (d.ok ? (JSON.parse(d.text) as unknown) : d));
        const normal = JSON.parse(JSON.stringify(docs)) as unknown[];
        expect(parsed(docs.map((v) => JSON.stringify(v)).join('\n'))).toEqual(normal);
        expect(parsed(docs.map((v) => JSON.stringify(v, null, 2)).join('\n'))).toEqual(normal);
        expect(parsed(JSON.stringify(values, null, 2))).toEqual(JSON.parse(JSON.stringify(values)));
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same items, errors included, however the text is chunked', () => {
    const alphabet = fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '1', '-', 'e', 't', 'r', 'u', 'x', ' ', '\n', '\\', '{"a":1}\n');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 60 }), fc.integer({ min: 1, max: 7 }), (text, size) => {
        expect(splitInChunks(text, size)).toEqual(splitJsonDocuments(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('never yields a document JSON.parse rejects', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '1', '-', 'e', '.', 't', 'r', 'u', 'n', ' ', '\n', '\\') }),
        (text) => {
          for (const doc of splitJsonDocuments(text)) if (doc.ok) expect(() => JSON.parse(doc.text) as unknown).not.toThrow();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
