// Property tests of the event input layer: random mixes of good and bad records, written to real files and streams
// and read back through the real sources in random chunk sizes. Every good record must come out exactly once and
// every bad one must be reported exactly once, at the line where it starts. A work check keeps recovery linear.

import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeLine } from '../input/decode-line.js';
import { MAX_EVENT_DEPTH } from '../input/event-depth.js';
import { isJsonObject } from '../input/json-line.js';
import { JsonDocumentSplitter, MAX_DOCUMENT_BYTES } from '../input/json-stream.js';
import { ParseFailure } from '../input/parse-failure.js';
import { openEventInputs } from './event-inputs.js';
import { FileSource } from './file-source.js';
import type { EventSource, RawEvent } from './io-types.js';
import { JsonDocumentSource } from './json-document-source.js';
import { LineSplitter } from './line-splitter.js';
import { StdinSource } from './stdin-source.js';

const dir = mkdtempSync(join(tmpdir(), 'tsigma-input-property-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What reading an input must give: `good <line> <id>` for each event, `bad <line>` for each report, in order. */
type Verdict = string;

/** A record as it is written: its text (lines joined by `\n`) and the verdicts it must produce, by line offset. */
interface Built {
  text: string;
  verdicts: { offset: number; id?: number }[];
}

type Payload = Record<string, unknown>;

/** Objects with arbitrary JSON values (unicode, escapes, nesting) but no `id` key, which the builder adds. */
const payload: fc.Arbitrary<Payload> = fc.dictionary(
  fc.stringMatching(/^[a-z]{1,6}$/),
  fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }),
  {
    maxKeys: 4,
  },
);

/**
 * Lines that are not JSON. None is a scalar record or starts with a bracket: a closing bracket in column 1 may
 * close a pretty-printed record, which is what it does when it follows one that was cut short.
 */
const garbage = fc.constantFrom('not json', 'x', ',', ':', 'tru', 'nul', '<html>', '# comment', 'a: b {}');

/** Where to cut a record's text: a proper, non-empty prefix. */
const cut = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

type Element = { truncated: false; payload: Payload } | { truncated: true; payload: Payload; cut: number };

type RecordSpec =
  | { kind: 'compact'; payload: Payload }
  | { kind: 'pretty'; payload: Payload; indent: 1 | 2 | '\t' | 'flat' }
  | { kind: 'long'; size: number }
  | { kind: 'truncated'; payload: Payload; cut: number; pretty: boolean }
  | { kind: 'garbage'; text: string }
  | { kind: 'oversize' }
  | { kind: 'deep'; levels: number }
  | { kind: 'blank'; text: string }
  | { kind: 'array'; style: ArrayStyle; elements: Element[] };

type ArrayStyle = 'one line' | 'per line' | 'per line, indented' | 'pretty';

const element: fc.Arbitrary<Element> = fc.oneof(
  { weight: 4, arbitrary: payload.map((p): Element => ({ truncated: false, payload: p })) },
  { weight: 1, arbitrary: fc.record({ truncated: fc.constant(true as const), payload, cut }) },
);

/** Records for the JSON document reader; `big` adds the rare long and oversize ones. */
function documentRecord(big: boolean): fc.Arbitrary<RecordSpec> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('compact' as const), payload }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('pretty' as const),
        payload,
        indent: fc.constantFrom<1 | 2 | '\t' | 'flat'>(1, 2, '\t', 'flat'),
      }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('truncated' as const), payload, cut, pretty: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('garbage' as const), text: garbage }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('deep' as const), levels: fc.integer({ min: MAX_EVENT_DEPTH + 1, max: 3000 }) }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('blank' as const), text: fc.constantFrom('', ' ', '\t ') }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('array' as const),
        style: fc.constantFrom<ArrayStyle>('one line', 'per line', 'per line, indented', 'pretty'),
        elements: fc.array(element, { maxLength: 4 }),
      }),
    },
    { weight: big ? 1 : 0, arbitrary: fc.record({ kind: fc.constant('long' as const), size: fc.integer({ min: 65_536, max: 400_000 }) }) },
    { weight: big ? 1 : 0, arbitrary: fc.record({ kind: fc.constant('oversize' as const) }) },
  );
}

/** Records for the line sources: one line each, so no pretty-printing and no arrays. */
function lineRecord(big: boolean): fc.Arbitrary<RecordSpec> {
  return documentRecord(big).filter((r) => r.kind !== 'array' && r.kind !== 'pretty' && (r.kind !== 'truncated' || !r.pretty));
}

/** A proper non-empty prefix of `text`, cut at `at` (0 ≤ at < 1) of its length. */
function prefix(text: string, at: number): string {
  return text.slice(0, 1 + Math.floor(at * (text.length - 1)));
}

/** Indents every line of `text` by `by`. */
function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function build(spec: RecordSpec, nextId: () => number): Built {
  const good = (offset = 0): { offset: number; id: number } => ({ offset, id: nextId() });
  const bad = (offset = 0): { offset: number } => ({ offset });
  switch (spec.kind) {
    case 'compact': {
      const v = good();
      return { text: JSON.stringify({ ...spec.payload, id: v.id }), verdicts: [v] };
    }
    case 'pretty': {
      const v = good();
      const record = { ...spec.payload, id: v.id };
      const text =
        spec.indent === 'flat'
          ? JSON.stringify(record, null, 1)
              .split('\n')
              .map((l) => l.trimStart())
              .join('\n')
          : JSON.stringify(record, null, spec.indent);
      return { text, verdicts: [v] };
    }
    case 'long': {
      const v = good();
      return { text: JSON.stringify({ id: v.id, blob: 'é'.repeat(spec.size) }), verdicts: [v] };
    }
    case 'truncated': {
      const whole = JSON.stringify({ ...spec.payload, id: 0 }, null, spec.pretty ? 2 : undefined);
      return { text: prefix(whole, spec.cut), verdicts: [bad()] };
    }
    case 'garbage':
      return { text: spec.text, verdicts: [bad()] };
    case 'oversize':
      return { text: JSON.stringify({ id: -1, blob: 'x'.repeat(MAX_DOCUMENT_BYTES) }), verdicts: [bad()] };
    case 'deep':
      return { text: '{"n":'.repeat(spec.levels - 1) + '{}' + '}'.repeat(spec.levels - 1), verdicts: [bad()] };
    case 'blank':
      return { text: spec.text, verdicts: [] };
    case 'array':
      return buildArray(spec.style, spec.elements, good, bad);
  }
}

function buildArray(
  style: ArrayStyle,
  elements: Element[],
  good: (offset?: number) => { offset: number; id: number },
  bad: (offset?: number) => { offset: number },
): Built {
  const verdicts: Built['verdicts'] = [];
  if (style === 'one line' || style === 'pretty') {
    // A broken element cannot be told from its neighbours on the same line: these arrays hold good ones only.
    const texts: string[] = [];
    let line = 1;
    for (const e of elements) {
      const v = good(style === 'one line' ? 0 : line);
      verdicts.push(v);
      const text = JSON.stringify({ ...e.payload, id: v.id }, null, style === 'pretty' ? 2 : undefined);
      texts.push(style === 'pretty' ? indent(text, '  ') : text);
      line += text.split('\n').length;
    }
    return { text: style === 'one line' ? `[${texts.join(',')}]` : `[\n${texts.join(',\n')}\n]`, verdicts };
  }
  const margin = style === 'per line' ? '' : '  ';
  const lines = elements.map((e, i) => {
    if (e.truncated) {
      verdicts.push(bad(i + 1));
      return margin + prefix(JSON.stringify({ ...e.payload, id: 0 }), e.cut);
    }
    const v = good(i + 1);
    verdicts.push(v);
    return margin + JSON.stringify({ ...e.payload, id: v.id }) + (i < elements.length - 1 ? ',' : '');
  });
  return { text: ['[', ...lines, ']'].join('\n'), verdicts };
}

/** The whole input and what reading it must give. */
interface Input {
  text: string;
  expected: Verdict[];
}

/**
 * Builds the records, putting a good one between a record cut short whose first line is just its opening bracket
 * and a garbage line after it: that line reads as a key of an unindented pretty-printed record, so it is skipped
 * with the broken record by design (see JsonDocumentSplitter).
 */
function buildAll(specs: RecordSpec[], nextId: () => number): Built[] {
  const out: Built[] = [];
  let openedOnly = false;
  for (const spec of specs) {
    if (spec.kind === 'garbage' && openedOnly) out.push(build({ kind: 'compact', payload: {} }, nextId));
    out.push(build(spec, nextId));
    if (spec.kind !== 'blank') openedOnly = spec.kind === 'truncated' && /^[{[][ \t]*(\n|$)/.test(out[out.length - 1]!.text);
  }
  return out;
}

function assemble(specs: RecordSpec[], bom: boolean, crlf: boolean[], finalNewline: boolean): Input {
  let id = 0;
  const nextId = (): number => ++id;
  let text = bom ? '\uFEFF' : '';
  let line = 1;
  const expected: Verdict[] = [];
  const records = buildAll(specs, nextId);
  records.forEach((built, i) => {
    for (const v of built.verdicts) expected.push(v.id === undefined ? `bad ${line + v.offset}` : `good ${line + v.offset} ${v.id}`);
    // Line ends are chosen per record; inside JSON strings there are no raw newlines to disturb.
    const eol = crlf[i % crlf.length] === true ? '\r\n' : '\n';
    text += built.text.replaceAll('\n', eol);
    if (i < records.length - 1 || finalNewline) text += eol;
    line += built.text.split('\n').length;
  });
  return { text, expected };
}

const inputOf = (record: fc.Arbitrary<RecordSpec>): fc.Arbitrary<Input> =>
  fc
    .tuple(fc.array(record, { maxLength: 12 }), fc.boolean(), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([specs, bom, crlf, finalNewline]) => assemble(specs, bom, crlf, finalNewline));

/** Chunk sizes, cycled through; at most about 2,000 chunks, so a large input does not crawl one byte at a time. */
const chunkSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 17, max: 70_000 })), {
  minLength: 1,
  maxLength: 8,
});

function chunked(bytes: Buffer, sizes: number[]): Buffer[] {
  const least = Math.ceil(bytes.length / 2000);
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(least, sizes[i % sizes.length] as number);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** Reads a source to its end and turns each raw event into a verdict, decoding it as the LogProcessor would. */
async function verdictsOf(source: EventSource): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (let event: RawEvent | null = await source.recv(); event !== null; event = await source.recv()) {
    const origin = event.origin ?? '';
    const line = origin.slice(origin.lastIndexOf(':') + 1);
    if (event.failure !== undefined) {
      out.push(`bad ${line}`);
      continue;
    }
    const decoded = decodeLine(event.payload, event.format ?? { kind: 'json' });
    if (decoded instanceof ParseFailure || !isJsonObject(decoded.value)) out.push(`bad ${line}`);
    else out.push(`good ${line} ${String(decoded.value.id)}`);
  }
  await source.close();
  return out;
}

let files = 0;
function writeInput(text: string, extension: string): string {
  const path = join(dir, `input-${++files}${extension}`);
  writeFileSync(path, text);
  return path;
}

const stream = (bytes: Buffer, sizes: number[]): Readable => Readable.from(chunked(bytes, sizes));

describe('the JSON document reader (.json files, --input-format json, arrays and pretty-printed records)', () => {
  const property = (big: boolean): fc.IAsyncProperty<[Input, number[]]> =>
    fc.asyncProperty(inputOf(documentRecord(big)), chunkSizes, async (input, sizes) => {
      const bytes = Buffer.from(input.text);
      const path = writeInput(input.text, '.json');
      const size = Math.max(1, Math.ceil(bytes.length / 2000), sizes[0] as number);
      const sources: [string, EventSource][] = [
        ['a .json file', openEventInputs([{ kind: 'file', path }])],
        ['a file stream in chunks', new JsonDocumentSource(createReadStream(path, { highWaterMark: size }), path)],
        [
          'a stream under the json format',
          openEventInputs([{ kind: 'stream', stream: stream(bytes, sizes), name: 'stdin' }], { format: { kind: 'json' } }),
        ],
      ];
      for (const [name, source] of sources) expect(await verdictsOf(source), name).toEqual(input.expected);
    });

  it('yields every good record once and reports every bad one once, at its line', async () => {
    await fc.assert(property(false), { numRuns: 150 });
  }, 120_000);

  it('does the same with long and oversize records among them', async () => {
    await fc.assert(property(true), { numRuns: 12 });
  }, 120_000);
});

describe('the line sources (NDJSON files and streams)', () => {
  const property = (big: boolean): fc.IAsyncProperty<[Input, number[]]> =>
    fc.asyncProperty(inputOf(lineRecord(big)), chunkSizes, async (input, sizes) => {
      const bytes = Buffer.from(input.text);
      const path = writeInput(input.text, '.ndjson');
      const sources: [string, EventSource][] = [
        ['FileSource', new FileSource(path)],
        ['StdinSource in chunks', new StdinSource(stream(bytes, sizes), 'stdin')],
        // Under the json format a text input is read as JSON documents: both readers must agree on NDJSON.
        ['an .ndjson file under the json format', openEventInputs([{ kind: 'file', path }], { format: { kind: 'json' } })],
      ];
      for (const [name, source] of sources) expect(await verdictsOf(source), name).toEqual(input.expected);
    });

  it('yields every good line once and reports every bad one once, at its line', async () => {
    await fc.assert(property(false), { numRuns: 150 });
  }, 120_000);

  it('does the same with long and oversize lines among them', async () => {
    await fc.assert(property(true), { numRuns: 12 });
  }, 120_000);
});

describe('linear work', () => {
  /** Work of the splitter on `text` pushed in pieces of `size`. */
  function documentWork(text: string, size: number): number {
    const splitter = new JsonDocumentSplitter();
    for (let i = 0; i < text.length; i += size) splitter.push(text.slice(i, i + size));
    splitter.end();
    return splitter.charsScanned;
  }

  function lineWork(text: string, size: number): number {
    const splitter = new LineSplitter();
    for (let i = 0; i < text.length; i += size) splitter.push(text.slice(i, i + size));
    splitter.end();
    return splitter.charsScanned;
  }

  /** Inputs that a design which rewinds after a failed record, or re-joins pending text per chunk, makes quadratic. */
  const adversarial: [string, (n: number) => string][] = [
    ['lines cut after "key":', (n) => '{"a":\n'.repeat(n)],
    ['lines cut after "key": inside a top-level array', (n) => '[\n' + '{"a":\n'.repeat(n)],
    ['unclosed arrays, one per line', (n) => '{"a":[\n'.repeat(n)],
    ['one line of unclosed objects', (n) => '{"a":'.repeat(n)],
    ['an unindented record that never closes', (n) => '{\n' + '"k": [1,\n'.repeat(n)],
    ['garbage lines', (n) => 'not json\n'.repeat(n)],
    ['one long record', (n) => `{"blob":"${'x\\u00e9'.repeat(n)}"}`],
  ];

  it.each(adversarial)('%s: twice the input takes at most about twice the work, in any chunking', (_, make) => {
    for (const size of [7, 4096]) {
      const once = documentWork(make(20_000), size);
      const twice = documentWork(make(40_000), size);
      expect(once).toBeLessThanOrEqual(6 * make(20_000).length);
      expect(twice).toBeLessThanOrEqual(2.1 * once);
      expect(lineWork(make(40_000), size)).toBeLessThanOrEqual(2.1 * lineWork(make(20_000), size));
    }
  });

  it('stays within a constant factor of the input on random mixes in random chunks', () => {
    fc.assert(
      fc.property(inputOf(documentRecord(false)), fc.integer({ min: 1, max: 64 }), (input, size) => {
        expect(documentWork(input.text, size)).toBeLessThanOrEqual(6 * input.text.length + 6);
      }),
      { numRuns: 200 },
    );
  });
});
