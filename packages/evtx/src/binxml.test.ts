// Unit tests of BinXML parsing and JSON rendering on hand-built token streams: templates, substitutions, arrays,
// Data naming rules, embedded fragments, and the limits that stop cycles and runaway nesting.

import { describe, expect, it } from 'vitest';
import { ChunkParser, MAX_BINXML_DEPTH, MAX_NODES_PER_RECORD } from './binxml.js';
import { EvtxError } from './errors.js';
import { renderRecord } from './render-json.js';

/** Where the test BinXML is placed inside the fake chunk (past the 512-byte chunk header). */
const BASE = 600;

/** Writes BinXML tokens as they would sit in a chunk starting at BASE. */
class Writer {
  readonly bytes: number[] = [];
  constructor(private readonly inTemplate = false) {}

  get pos(): number {
    return BASE + this.bytes.length;
  }
  u8(value: number): this {
    this.bytes.push(value & 0xff);
    return this;
  }
  u16(value: number): this {
    return this.u8(value).u8(value >> 8);
  }
  u32(value: number): this {
    return this.u16(value & 0xffff).u16(value >>> 16);
  }
  raw(bytes: Uint8Array): this {
    for (const b of bytes) this.u8(b);
    return this;
  }
  private name(text: string): this {
    this.u32(0).u16(0).u16(text.length);
    for (let i = 0; i < text.length; i++) this.u16(text.charCodeAt(i));
    return this.u16(0);
  }
  fragment(): this {
    return this.u8(0x0f).u8(1).u8(1).u8(0);
  }
  /** Open-start-element with an inline name; template bodies carry the dependency id. */
  open(name: string, hasAttributes = false): this {
    this.u8(hasAttributes ? 0x41 : 0x01);
    if (this.inTemplate) this.u16(0xffff);
    this.u32(0);
    this.u32(this.pos + 4).name(name);
    return hasAttributes ? this.u32(0) : this;
  }
  attr(name: string): this {
    this.u8(0x06);
    return this.u32(this.pos + 4).name(name);
  }
  text(value: string): this {
    this.u8(0x05).u8(0x01).u16(value.length);
    for (let i = 0; i < value.length; i++) this.u16(value.charCodeAt(i));
    return this;
  }
  subst(index: number, type: number, optional = false): this {
    return this.u8(optional ? 0x0e : 0x0d)
      .u16(index)
      .u8(type);
  }
  entity(name: string): this {
    this.u8(0x09);
    return this.u32(this.pos + 4).name(name);
  }
  charRef(code: number): this {
    return this.u8(0x08).u16(code);
  }
  closeStart(): this {
    return this.u8(0x02);
  }
  closeEmpty(): this {
    return this.u8(0x03);
  }
  end(): this {
    return this.u8(0x04);
  }
  eof(): this {
    return this.u8(0x00);
  }
  /** A template instance whose definition is stored inline, followed by its values. */
  template(body: (w: Writer) => void, values: [type: number, bytes: Uint8Array][]): this {
    this.u8(0x0c).u8(1).u32(0x1234);
    this.u32(this.pos + 4);
    this.u32(0).raw(new Uint8Array(16));
    const sizeAt = this.bytes.length;
    this.u32(0);
    // Inline names point at their own chunk offset, so the body is written at the offset where it lands.
    const shifted = new Writer(true);
    shifted.bytes.push(...new Array<number>(this.bytes.length).fill(0));
    body(shifted);
    const bodyBytes = shifted.bytes.slice(this.bytes.length);
    this.bytes.splice(sizeAt, 4, ...u32le(bodyBytes.length));
    this.raw(Uint8Array.from(bodyBytes));
    this.u32(values.length);
    for (const [type, bytes] of values) this.u16(bytes.length).u8(type).u8(0);
    for (const [, bytes] of values) this.raw(bytes);
    return this;
  }
}

function u32le(value: number): number[] {
  return [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24];
}

function utf16(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

function uint32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32LE(value);
  return buf;
}

function parse(writer: Writer): { parser: ChunkParser; json: () => unknown } {
  const chunk = Buffer.alloc(65_536);
  Buffer.from(writer.bytes).copy(chunk, BASE);
  const parser = new ChunkParser(chunk, 4096, 0);
  return {
    parser,
    json: () => renderRecord(parser.parseRecord(BASE, BASE + writer.bytes.length, 7n), parser),
  };
}

describe('BinXML without templates (forwarded events)', () => {
  it('reads elements without dependency ids, attributes, text, entity and character references', () => {
    const w = new Writer().fragment();
    w.open('Event', true).attr('xmlns').text('urn:x').closeStart();
    w.open('System').closeStart();
    w.open('EventID', true).attr('Qualifiers').text('16384').closeStart().text('4624').end();
    w.open('Message').closeStart().text('a').entity('amp').charRef(0x41).entity('bogus').end();
    w.open('Header').closeEmpty().open('Header').closeStart().text('two').end();
    w.end().end().eof();
    expect(parse(w).json()).toEqual({
      Event: {
        '#attributes': { xmlns: 'urn:x' },
        System: {
          EventID: { '#attributes': { Qualifiers: '16384' }, '#text': '4624' },
          Message: 'a&A&bogus;',
          Header: null,
          Header_1: 'two',
        },
      },
    });
  });
});

describe('templates and substitutions', () => {
  it('types values, drops null attributes, expands arrays and keys Data by Name', () => {
    const w = new Writer().fragment();
    w.template(
      (t) => {
        t.fragment().open('Event').closeStart();
        t.open('System').closeStart();
        t.open('Security', true).attr('UserID').subst(3, 0x13, true).closeEmpty();
        t.open('Keywords').closeStart().subst(4, 0x15).end();
        t.end();
        t.open('EventData').closeStart();
        t.open('Data', true).attr('Name').text('A').closeStart().subst(0, 0x81).end();
        t.open('Data', true).attr('Name').text('B').closeStart().subst(1, 0x08).end();
        t.open('Data', true).attr('Name').text('Empty').closeStart().subst(2, 0x01).end();
        t.open('Data').closeStart().text('unnamed, skipped').end();
        t.end().end().eof();
      },
      [
        [0x81, utf16('x\0y\0')],
        [0x08, uint32(7)],
        [0x01, Buffer.alloc(0)],
        [0x00, Buffer.alloc(0)],
        [0x15, Buffer.from('0000000000000080', 'hex')],
      ],
    );
    w.eof();
    expect(parse(w).json()).toEqual({
      Event: {
        System: { Security: null, Keywords: '0x8000000000000000' },
        EventData: { A: 'x', A_1: 'y', B: 7, Empty: '' },
      },
    });
  });

  it('gathers unnamed Data as a #text list, keeping empty ones', () => {
    const w = new Writer().fragment();
    w.template(
      (t) => {
        t.fragment().open('Event').closeStart().open('EventData').closeStart();
        t.open('Data').closeStart().text('a').end();
        t.open('Data').closeEmpty();
        t.open('Data').closeStart().subst(0, 0x04).end();
        t.open('Binary').closeStart().subst(1, 0x0e).end();
        t.end().end().eof();
      },
      [
        [0x04, Buffer.from([5])],
        [0x0e, Buffer.from('e107', 'hex')],
      ],
    );
    w.eof();
    expect(parse(w).json()).toEqual({ Event: { EventData: { Data: { '#text': ['a', '', 5] }, Binary: 'E107' } } });
  });

  it('inserts BinXML nested in a substitution value (type 0x21) in place', () => {
    const nested = new Writer();
    // The nested fragment's offsets must be those it has at its final position, so build it in place first.
    const w = new Writer().fragment();
    const probe = new Writer().fragment();
    probe.template(
      (t) => t.fragment().open('Event').closeStart().open('UserData').closeStart().subst(0, 0x21).end().end().eof(),
      [[0x21, Buffer.alloc(0)]],
    );
    const valueAt = BASE + probe.bytes.length;
    nested.bytes.push(...new Array<number>(valueAt - BASE).fill(0));
    nested.fragment().open('Op').closeStart().text('x').end().eof();
    const fragment = Uint8Array.from(nested.bytes.slice(valueAt - BASE));
    w.template(
      (t) => t.fragment().open('Event').closeStart().open('UserData').closeStart().subst(0, 0x21).end().end().eof(),
      [[0x21, fragment]],
    );
    w.eof();
    expect(parse(w).json()).toEqual({ Event: { UserData: { Op: 'x' } } });
  });
});

describe('limits and damage', () => {
  it('rejects a template that contains itself', () => {
    const w = new Writer().fragment();
    const definitionAt = w.pos + 10 + 100; // a definition placed away from the instance
    w.u8(0x0c).u8(1).u32(0).u32(definitionAt).u32(0).eof();
    while (w.pos < definitionAt) w.u8(0);
    w.u32(0).raw(new Uint8Array(16)).u32(20);
    w.fragment().u8(0x0c).u8(1).u32(0).u32(definitionAt).u32(0).eof();
    const { json } = parse(w);
    expect(json).toThrow(expect.objectContaining({ code: 'limit' }));
  });

  it(`rejects elements nested deeper than ${MAX_BINXML_DEPTH}`, () => {
    const w = new Writer().fragment();
    for (let i = 0; i < MAX_BINXML_DEPTH + 5; i++) w.open('E').closeStart();
    for (let i = 0; i < MAX_BINXML_DEPTH + 5; i++) w.end();
    w.eof();
    expect(parse(w).json).toThrow(expect.objectContaining({ code: 'limit' }));
  });

  it('enforces the per-record node budget', () => {
    const { parser } = parse(new Writer());
    expect(() => parser.spend(MAX_NODES_PER_RECORD + 1)).toThrow(expect.objectContaining({ code: 'limit' }));
  });

  it('reports truncated BinXML with its location', () => {
    const w = new Writer().fragment();
    w.open('Event').closeStart().text('abc');
    w.bytes.length -= 2; // cut inside the text
    try {
      parse(w).json();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EvtxError);
      expect((error as EvtxError).code).toBe('binxml');
      expect((error as EvtxError).location).toMatchObject({ chunkIndex: 0, recordId: 7n });
      expect((error as EvtxError).location.fileOffset).toBeGreaterThan(4096 + BASE);
    }
  });

  it('rejects a record without any element', () => {
    expect(parse(new Writer().fragment().eof()).json).toThrow(expect.objectContaining({ code: 'binxml' }));
  });
});
