// BinXML token parser: turns the bytes of one chunk into element trees with substitution slots and typed values.
// It caches names and template definitions per chunk; it knows nothing about JSON and never reads outside the chunk.

import { EvtxError } from './errors.js';
import type { EvtxErrorCode } from './errors.js';
import {
  formatBinary,
  formatHex32,
  formatHex64,
  readAnsi,
  readFiletime,
  readGuid,
  readInt64,
  readReal32,
  readReal64,
  readSid,
  readStringList,
  readSystemtime,
  readUInt64,
  readUtf16,
  sidLength,
} from './values.js';
import type { JsonScalar } from './values.js';

/**
 * Deepest nesting of elements, template instances and embedded BinXML values. Real events nest below 20 levels;
 * the limit stops template cycles and crafted input from exhausting the stack.
 */
export const MAX_BINXML_DEPTH = 64;

/**
 * Most tree nodes one record may create while parsing and expanding. Real records stay in the hundreds; the budget
 * stops a small record from expanding nested templates exponentially.
 */
export const MAX_NODES_PER_RECORD = 100_000;

/** Node kinds of the parsed tree. */
export const ELEMENT = 0;
export const TEXT = 1;
export const SUBST = 2;
export const TEMPLATE = 3;

/** An XML element with its attributes and content, possibly holding substitution slots. */
export interface ElementNode {
  kind: typeof ELEMENT;
  name: string;
  attrs: AttrNode[];
  content: ContentNode[];
}

/** Literal text (also the result of character and entity references and CDATA). */
export interface TextNode {
  kind: typeof TEXT;
  value: JsonScalar;
}

/** A slot filled by the template instance's value with this index. */
export interface SubstNode {
  kind: typeof SUBST;
  index: number;
}

/** A template instance: a cached definition body plus the values for its slots. */
export interface TemplateNode {
  kind: typeof TEMPLATE;
  body: ContentNode[];
  values: Value[];
}

/** One attribute; its value is the concatenation of its parts. */
export interface AttrNode {
  name: string;
  parts: (TextNode | SubstNode)[];
}

/** Anything that can appear as element content or at the top of a fragment. */
export type ContentNode = ElementNode | TextNode | SubstNode | TemplateNode;

/** An array-typed substitution value: its containing element is repeated once per item. */
export class ArrayValue {
  constructor(readonly items: JsonScalar[]) {}
}

/** A BinXML fragment embedded as a substitution value (type 0x21): its elements are inserted in place. */
export class FragmentValue {
  constructor(readonly nodes: ContentNode[]) {}
}

/** A decoded substitution value. */
export type Value = JsonScalar | ArrayValue | FragmentValue;

const TOKEN_EOF = 0x00;
const TOKEN_OPEN_START = 0x01;
const TOKEN_CLOSE_START = 0x02;
const TOKEN_CLOSE_EMPTY = 0x03;
const TOKEN_END_ELEMENT = 0x04;
const TOKEN_VALUE = 0x05;
const TOKEN_ATTRIBUTE = 0x06;
const TOKEN_CDATA = 0x07;
const TOKEN_CHAR_REF = 0x08;
const TOKEN_ENTITY_REF = 0x09;
const TOKEN_PI_TARGET = 0x0a;
const TOKEN_PI_DATA = 0x0b;
const TOKEN_TEMPLATE_INSTANCE = 0x0c;
const TOKEN_NORMAL_SUBST = 0x0d;
const TOKEN_OPTIONAL_SUBST = 0x0e;
const TOKEN_FRAGMENT_HEADER = 0x0f;
/** Flag bit on element, value and attribute tokens ("has attributes" / "more data follows"). */
const TOKEN_MORE_FLAG = 0x40;

const TYPE_ARRAY_FLAG = 0x80;
const TYPE_STRING = 0x01;
const TYPE_ANSI = 0x02;
const TYPE_SID = 0x13;
const TYPE_BINXML = 0x21;

/** Byte width of each fixed-size value type, used to split arrays of that type. */
const FIXED_SIZE: Readonly<Record<number, number>> = {
  0x03: 1,
  0x04: 1,
  0x05: 2,
  0x06: 2,
  0x07: 4,
  0x08: 4,
  0x09: 8,
  0x0a: 8,
  0x0b: 4,
  0x0c: 8,
  0x0d: 4,
  0x0f: 16,
  0x11: 8,
  0x12: 16,
  0x14: 4,
  0x15: 8,
};

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const EMPTY_VALUES: Value[] = [];

/** Element, attribute and entity names: no control characters, spaces or markup (catches misread name offsets). */
// eslint-disable-next-line no-control-regex -- rejecting control characters in names is the point of this check
const VALID_NAME = /^[^\u0000-\u0020<>&"'=/]{1,255}$/;

/** Template definition header: next-offset (4), GUID (16), data size (4). */
const TEMPLATE_HEADER_SIZE = 24;
/** Element start without the optional dependency id: token (1), data size (4), name offset (4). */
const ELEMENT_HEADER_SIZE = 9;
/** Name structure header: next-offset (4), hash (2), character count (2); a NUL character follows the text. */
const NAME_HEADER_SIZE = 8;

/** Parses BinXML inside one chunk; create one per chunk so the name and template caches die with it. */
export class ChunkParser {
  private pos = 0;
  private budget = MAX_NODES_PER_RECORD;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, ContentNode[]>();
  private readonly templatesInProgress = new Set<number>();
  private inTemplate = false;

  constructor(
    private readonly buf: Buffer,
    private readonly fileOffset: number,
    private readonly chunkIndex: number,
  ) {}

  /** Parses the BinXML of one record occupying `[start, end)` of the chunk into its top-level nodes. */
  parseRecord(start: number, end: number, recordId: bigint): ContentNode[] {
    this.budget = MAX_NODES_PER_RECORD;
    this.pos = start;
    this.inTemplate = false;
    try {
      return this.parseContent(end, 0, false);
    } catch (error) {
      if (error instanceof EvtxError) throw withRecord(error, recordId);
      // A RangeError from a Buffer read means the structure pointed outside the chunk.
      throw new EvtxError('binxml', `malformed BinXML: ${String(error)}`, this.where(this.pos, recordId), { cause: error });
    }
  }

  /** Charges nodes to the current record's budget (rendering charges it too); throws EvtxError `limit` when spent. */
  spend(count: number): void {
    this.budget -= count;
    if (this.budget < 0) this.fail('limit', `record expands to more than ${MAX_NODES_PER_RECORD} nodes`);
  }

  private where(at: number, recordId?: bigint): { fileOffset: number; chunkIndex: number; recordId?: bigint } {
    const location = { fileOffset: this.fileOffset + at, chunkIndex: this.chunkIndex };
    return recordId === undefined ? location : { ...location, recordId };
  }

  private fail(code: EvtxErrorCode, detail: string, at = this.pos): never {
    throw new EvtxError(code, detail, this.where(at));
  }

  private need(bytes: number, end: number): void {
    if (this.pos + bytes > end) this.fail('binxml', `token needs ${bytes} bytes but only ${end - this.pos} remain`);
  }

  /** Parses tokens until end-element (inside an element), end-of-fragment, or `end`. */
  private parseContent(end: number, depth: number, inElement: boolean): ContentNode[] {
    if (depth > MAX_BINXML_DEPTH) this.fail('limit', `BinXML nests deeper than ${MAX_BINXML_DEPTH} levels`);
    const buf = this.buf;
    const nodes: ContentNode[] = [];
    while (this.pos < end) {
      const token = buf[this.pos]!;
      switch (token & ~TOKEN_MORE_FLAG) {
        case TOKEN_EOF:
          if (inElement) this.fail('binxml', 'end of fragment inside an element');
          this.pos++;
          return nodes;
        case TOKEN_END_ELEMENT:
          if (!inElement) this.fail('binxml', 'end-element token outside an element');
          this.pos++;
          return nodes;
        case TOKEN_FRAGMENT_HEADER:
          this.need(4, end);
          this.pos += 4;
          break;
        case TOKEN_OPEN_START:
          nodes.push(this.parseElement(end, depth + 1));
          break;
        case TOKEN_TEMPLATE_INSTANCE:
          nodes.push(this.parseTemplateInstance(end, depth + 1));
          break;
        case TOKEN_PI_TARGET:
          this.need(5, end);
          this.skipInlineName(buf.readUInt32LE(this.pos + 1), this.pos + 5, end);
          break;
        case TOKEN_PI_DATA:
          this.need(3, end);
          this.pos += 3 + 2 * buf.readUInt16LE(this.pos + 1);
          if (this.pos > end) this.fail('binxml', 'processing instruction runs past its fragment');
          break;
        default: {
          const part = this.parseValuePart(end);
          if (part === undefined) this.fail('binxml', `unexpected token 0x${token.toString(16)}`);
          this.spend(1);
          nodes.push(part);
        }
      }
    }
    if (inElement) this.fail('binxml', 'element not closed before the end of its data');
    return nodes;
  }

  /** Parses a text-like token (value, substitution, char/entity reference, CDATA); undefined for any other token. */
  private parseValuePart(end: number): TextNode | SubstNode | undefined {
    const buf = this.buf;
    const token = buf[this.pos]! & ~TOKEN_MORE_FLAG;
    switch (token) {
      case TOKEN_VALUE: {
        this.need(4, end);
        const type = buf[this.pos + 1]!;
        if (type !== TYPE_STRING) this.fail('binxml', `value token of type 0x${type.toString(16)} (only strings occur)`);
        const chars = buf.readUInt16LE(this.pos + 2);
        const start = this.pos + 4;
        this.pos = start + 2 * chars;
        if (this.pos > end) this.fail('binxml', 'text value runs past its fragment', start);
        return { kind: TEXT, value: buf.toString('utf16le', start, this.pos) };
      }
      case TOKEN_NORMAL_SUBST:
      case TOKEN_OPTIONAL_SUBST: {
        this.need(4, end);
        const index = buf.readUInt16LE(this.pos + 1);
        this.pos += 4;
        return { kind: SUBST, index };
      }
      case TOKEN_CHAR_REF: {
        this.need(3, end);
        const code = buf.readUInt16LE(this.pos + 1);
        this.pos += 3;
        return { kind: TEXT, value: String.fromCharCode(code) };
      }
      case TOKEN_ENTITY_REF: {
        this.need(5, end);
        const name = this.readName(buf.readUInt32LE(this.pos + 1));
        this.skipInlineName(buf.readUInt32LE(this.pos + 1), this.pos + 5, end);
        return { kind: TEXT, value: ENTITIES[name] ?? `&${name};` };
      }
      case TOKEN_CDATA: {
        this.need(3, end);
        const start = this.pos + 3;
        this.pos = start + 2 * buf.readUInt16LE(this.pos + 1);
        if (this.pos > end) this.fail('binxml', 'CDATA runs past its fragment', start);
        return { kind: TEXT, value: buf.toString('utf16le', start, this.pos) };
      }
      default:
        return undefined;
    }
  }

  private parseElement(end: number, depth: number): ElementNode {
    if (depth > MAX_BINXML_DEPTH) this.fail('limit', `BinXML nests deeper than ${MAX_BINXML_DEPTH} levels`);
    const buf = this.buf;
    const hasAttributes = (buf[this.pos]! & TOKEN_MORE_FLAG) !== 0;
    this.spend(1);
    // token (1), dependency id (2, only inside template definitions), data size (4), name offset (4)
    this.need(ELEMENT_HEADER_SIZE, end);
    const header = this.hasDependencyId(end) ? ELEMENT_HEADER_SIZE + 2 : ELEMENT_HEADER_SIZE;
    this.need(header, end);
    const nameOffset = buf.readUInt32LE(this.pos + header - 4);
    const name = this.readName(nameOffset);
    this.skipInlineName(nameOffset, this.pos + header, end);
    const attrs: AttrNode[] = [];
    if (hasAttributes) {
      this.need(4, end);
      this.pos += 4; // attribute list size: the attribute tokens themselves delimit the list
      while (this.pos < end && (buf[this.pos]! & ~TOKEN_MORE_FLAG) === TOKEN_ATTRIBUTE) {
        this.spend(1);
        this.need(5, end);
        const attrNameOffset = buf.readUInt32LE(this.pos + 1);
        const attrName = this.readName(attrNameOffset);
        this.skipInlineName(attrNameOffset, this.pos + 5, end);
        const parts: (TextNode | SubstNode)[] = [];
        for (;;) {
          if (this.pos >= end) this.fail('binxml', 'attribute runs past its fragment');
          const part = this.parseValuePart(end);
          if (part === undefined) break;
          this.spend(1);
          parts.push(part);
        }
        attrs.push({ name: attrName, parts });
      }
    }
    if (this.pos >= end) this.fail('binxml', `element <${name}> runs past its fragment`);
    const close = buf[this.pos]!;
    if (close === TOKEN_CLOSE_EMPTY) {
      this.pos++;
      return { kind: ELEMENT, name, attrs, content: [] };
    }
    if (close !== TOKEN_CLOSE_START) this.fail('binxml', `element <${name}>: expected close token, found 0x${close.toString(16)}`);
    this.pos++;
    return { kind: ELEMENT, name, attrs, content: this.parseContent(end, depth, true) };
  }

  /**
   * Whether the element token at `pos` carries the 2-byte dependency id. Template definitions have it; BinXML written
   * straight into a record (forwarded events, embedded fragments) does not. An inline name, which must start right
   * after the name offset, settles it; otherwise the context decides.
   */
  private hasDependencyId(end: number): boolean {
    const buf = this.buf;
    const pos = this.pos;
    const withId = ELEMENT_HEADER_SIZE + 2;
    if (pos + withId <= end && buf.readUInt32LE(pos + withId - 4) === pos + withId) return true;
    if (buf.readUInt32LE(pos + ELEMENT_HEADER_SIZE - 4) === pos + ELEMENT_HEADER_SIZE) return false;
    return this.inTemplate;
  }

  /** Reads the name structure at a chunk offset (cached: names are shared by all records of a chunk). */
  private readName(offset: number): string {
    const cached = this.names.get(offset);
    if (cached !== undefined) return cached;
    if (offset + NAME_HEADER_SIZE > this.buf.length) this.fail('binxml', `name offset ${offset} lies outside the chunk`);
    const chars = this.buf.readUInt16LE(offset + 6);
    const stop = offset + NAME_HEADER_SIZE + 2 * chars;
    if (stop > this.buf.length) this.fail('binxml', `name at offset ${offset} runs past the chunk`);
    const name = this.buf.toString('utf16le', offset + NAME_HEADER_SIZE, stop);
    if (!VALID_NAME.test(name)) this.fail('binxml', `name at offset ${offset} is not an XML name`);
    this.names.set(offset, name);
    return name;
  }

  /** Moves past a reference, and past the name structure when it is stored inline right after the reference. */
  private skipInlineName(nameOffset: number, after: number, end: number): void {
    this.pos = after;
    if (nameOffset !== after) return;
    this.need(NAME_HEADER_SIZE, end);
    this.pos += NAME_HEADER_SIZE + 2 * this.buf.readUInt16LE(this.pos + 6) + 2;
    if (this.pos > end) this.fail('binxml', 'inline name runs past its fragment', after);
  }

  private parseTemplateInstance(end: number, depth: number): TemplateNode {
    if (depth > MAX_BINXML_DEPTH) this.fail('limit', `BinXML nests deeper than ${MAX_BINXML_DEPTH} levels`);
    const buf = this.buf;
    this.spend(1);
    // token (1), unknown (1), template id (4), definition offset (4)
    this.need(10, end);
    const definitionOffset = buf.readUInt32LE(this.pos + 6);
    this.pos += 10;
    if (definitionOffset === this.pos) {
      // The definition is stored inline here the first time the chunk uses it; skip over it.
      this.need(TEMPLATE_HEADER_SIZE, end);
      this.pos += TEMPLATE_HEADER_SIZE + buf.readUInt32LE(this.pos + 20);
      if (this.pos > end) this.fail('binxml', 'inline template definition runs past its record');
    }
    const body = this.templateBody(definitionOffset, depth);
    const savedInTemplate = this.inTemplate;
    this.inTemplate = false;
    this.need(4, end);
    const count = buf.readUInt32LE(this.pos);
    this.pos += 4;
    if (count * 4 > end - this.pos) this.fail('binxml', `template instance declares ${count} values, which cannot fit`);
    this.spend(count);
    const descriptors = this.pos;
    let data = descriptors + count * 4;
    const values: Value[] = count === 0 ? EMPTY_VALUES : new Array<Value>(count);
    for (let i = 0; i < count; i++) {
      const size = buf.readUInt16LE(descriptors + i * 4);
      const type = buf[descriptors + i * 4 + 2]!;
      if (data + size > end) this.fail('binxml', `value ${i} of ${count} runs past its record`, data);
      values[i] = this.decodeValue(type, data, data + size, depth);
      data += size;
    }
    this.pos = data;
    this.inTemplate = savedInTemplate;
    return { kind: TEMPLATE, body, values };
  }

  /** Parses (once per chunk) the template definition at a chunk offset. */
  private templateBody(offset: number, depth: number): ContentNode[] {
    const cached = this.templates.get(offset);
    if (cached !== undefined) return cached;
    if (this.templatesInProgress.has(offset)) this.fail('limit', `template at offset ${offset} contains itself`);
    if (offset + TEMPLATE_HEADER_SIZE > this.buf.length) this.fail('binxml', `template offset ${offset} lies outside the chunk`);
    const bodyEnd = offset + TEMPLATE_HEADER_SIZE + this.buf.readUInt32LE(offset + 20);
    if (bodyEnd > this.buf.length) this.fail('binxml', `template at offset ${offset} runs past the chunk`, offset);
    const saved = this.pos;
    const savedInTemplate = this.inTemplate;
    this.templatesInProgress.add(offset);
    try {
      this.pos = offset + TEMPLATE_HEADER_SIZE;
      this.inTemplate = true;
      const body = this.parseContent(bodyEnd, depth + 1, false);
      this.templates.set(offset, body);
      return body;
    } finally {
      this.templatesInProgress.delete(offset);
      this.pos = saved;
      this.inTemplate = savedInTemplate;
    }
  }

  /** Decodes one substitution value of `type` occupying `[start, end)`. */
  private decodeValue(type: number, start: number, end: number, depth: number): Value {
    if (type & TYPE_ARRAY_FLAG) return this.decodeArray(type & ~TYPE_ARRAY_FLAG, start, end);
    if (type === TYPE_BINXML) {
      if (start === end) return null;
      const saved = this.pos;
      this.pos = start;
      const nodes = this.parseContent(end, depth + 1, false);
      this.pos = saved;
      return new FragmentValue(nodes);
    }
    return this.decodeScalar(type, start, end);
  }

  private decodeScalar(type: number, start: number, end: number): JsonScalar {
    const buf = this.buf;
    const size = end - start;
    if (type === TYPE_STRING) return readUtf16(buf, start, end);
    if (type === TYPE_ANSI) return readAnsi(buf, start, end);
    if (size === 0 || type === 0x00) return null; // NullType, or an absent value of any type
    const fixed = FIXED_SIZE[type];
    if (fixed !== undefined && size < fixed) {
      this.fail('binxml', `value of type 0x${type.toString(16)} needs ${fixed} bytes, has ${size}`, start);
    }
    switch (type) {
      case 0x03:
        return buf.readInt8(start); // Int8
      case 0x04:
        return buf[start]!; // UInt8
      case 0x05:
        return buf.readInt16LE(start); // Int16
      case 0x06:
        return buf.readUInt16LE(start); // UInt16
      case 0x07:
        return buf.readInt32LE(start); // Int32
      case 0x08:
        return buf.readUInt32LE(start); // UInt32
      case 0x09:
        return readInt64(buf, start); // Int64
      case 0x0a:
        return readUInt64(buf, start); // UInt64
      case 0x0b:
        return readReal32(buf, start); // Real32
      case 0x0c:
        return readReal64(buf, start); // Real64
      case 0x0d:
        return decodeBool(buf, start, end); // Bool
      case 0x0e:
        return formatBinary(buf, start, end); // Binary
      case 0x0f:
        return readGuid(buf, start); // GUID
      case 0x10: // SizeT: pointer-sized, 4 or 8 bytes
      case 0x20: // EvtHandle: pointer-sized as well
        return size >= 8
          ? formatHex64(buf.readUInt32LE(start), buf.readUInt32LE(start + 4))
          : formatHex32(size >= 4 ? buf.readUInt32LE(start) : buf.readUIntLE(start, size));
      case 0x11:
        return readFiletime(buf, start); // FILETIME
      case 0x12:
        return readSystemtime(buf, start); // SYSTEMTIME
      case TYPE_SID:
        return readSid(buf, start, end);
      case 0x14:
        return formatHex32(buf.readUInt32LE(start)); // HexInt32
      case 0x15:
        return formatHex64(buf.readUInt32LE(start), buf.readUInt32LE(start + 4)); // HexInt64
      case 0x23:
        return readUtf16(buf, start, end); // EvtXml: XML text
      default:
        return this.fail('binxml', `unknown value type 0x${type.toString(16)}`, start);
    }
  }

  private decodeArray(type: number, start: number, end: number): ArrayValue {
    const buf = this.buf;
    if (type === TYPE_STRING || type === TYPE_ANSI) {
      return new ArrayValue(readStringList(buf, start, end, type === TYPE_STRING));
    }
    const items: JsonScalar[] = [];
    if (type === TYPE_SID) {
      let at = start;
      while (at + 8 <= end) {
        const next = Math.min(at + sidLength(buf, at), end);
        items.push(readSid(buf, at, next));
        at = next;
      }
      this.spend(items.length);
      return new ArrayValue(items);
    }
    const width = type === 0x10 ? ((end - start) % 8 === 0 ? 8 : 4) : FIXED_SIZE[type];
    if (width === undefined) this.fail('binxml', `unsupported array of value type 0x${type.toString(16)}`, start);
    this.spend(Math.floor((end - start) / width));
    for (let at = start; at + width <= end; at += width) items.push(this.decodeScalar(type, at, at + width));
    return new ArrayValue(items);
  }
}

/** Booleans are 32-bit; any non-zero value (some logs store values other than 1) is true. */
function decodeBool(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return true;
  return false;
}

function withRecord(error: EvtxError, recordId: bigint): EvtxError {
  if (error.location.recordId !== undefined) return error;
  return new EvtxError(error.code, error.detail, { ...error.location, recordId }, { cause: error.cause });
}
