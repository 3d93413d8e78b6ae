import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
      { ok: false, line: 1, reason: 'expected "," or "}" but found "{" at line 2, column 1 in document starting at line 1' },
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

  it('abandons the rest of a top-level array after a broken element', () => {
    const docs = splitJsonDocuments('[\n  {"a":1},\n  {"b":},\n  {"c":3}\n]\n{"d":4}');
    expect(docs).toEqual([
      { ok: true, text: '{"a":1}', line: 2 },
      { ok: false, line: 3, reason: 'unexpected "}" at line 3, column 8' },
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
