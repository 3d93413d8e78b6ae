// Minimal protobuf wire-format reader (https://protobuf.dev/programming-guides/encoding/) for the OTLP decoder.
// It reads tags and scalar fields and skips unknown ones; it knows nothing about OTLP messages.

/** Wire types of the protobuf encoding; groups (3, 4) are obsolete and rejected. */
export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Len = 2,
  Fixed32 = 5,
}

/** Thrown for bytes that are not valid protobuf; the OTLP decoder turns it into a `decode` error. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

/** A cursor over one message's bytes, `[pos, end)`. */
export class ProtoReader {
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  /** True while fields remain. */
  more(): boolean {
    return this.pos < this.end;
  }

  /** Reads a field tag: `[fieldNumber, wireType]`; the wire type may be one `skip` rejects (3, 4, 6, 7). */
  tag(): [number, WireType] {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new WireFormatError(`field number 0 at byte ${this.pos}`);
    return [field, key % 8];
  }

  /** Reads a varint of at most 8 bytes (tags, lengths, enums, counts); longer ones are an error. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new WireFormatError(`varint too large at byte ${this.pos}`);
  }

  /** Reads a full 64-bit varint as an unsigned BigInt (int64 fields reinterpret it with `BigInt.asIntN`). */
  varint64(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new WireFormatError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** Reads a little-endian fixed64 as an unsigned BigInt. */
  fixed64(): bigint {
    const at = this.claim(8);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8);
    return view.getBigUint64(0, true);
  }

  /** Reads a little-endian IEEE 754 double. */
  double(): number {
    const at = this.claim(8);
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8).getFloat64(0, true);
  }

  /** Reads a length-delimited field and returns its `[start, end)` range for a nested reader or a string. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    const start = this.claim(length);
    return [start, start + length];
  }

  /** Reads a length-delimited field as UTF-8 text. */
  string(): string {
    const [start, end] = this.lengthDelimited();
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('utf8');
  }

  /** Reads a length-delimited field as raw bytes (a view, not a copy). */
  bytesField(): Uint8Array {
    const [start, end] = this.lengthDelimited();
    return this.bytes.subarray(start, end);
  }

  /** A reader over a nested message field. */
  message(): ProtoReader {
    const [start, end] = this.lengthDelimited();
    return new ProtoReader(this.bytes, start, end);
  }

  /** Skips a field of `wireType` whose tag was just read. */
  skip(wireType: WireType): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint64();
        return;
      case WireType.Fixed64:
        this.claim(8);
        return;
      case WireType.Len:
        this.lengthDelimited();
        return;
      case WireType.Fixed32:
        this.claim(4);
        return;
      default:
        throw new WireFormatError(`unsupported wire type ${String(wireType)} at byte ${this.pos}`);
    }
  }

  /** Checks a known field's wire type, so a schema mismatch is reported instead of misread. */
  expect(field: number, actual: WireType, wanted: WireType): void {
    if (actual !== wanted) throw new WireFormatError(`field ${field} has wire type ${actual}, expected ${wanted}`);
  }

  private byte(): number {
    if (this.pos >= this.end) throw new WireFormatError(`truncated message at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  private claim(length: number): number {
    const at = this.pos;
    if (length > this.end - at) throw new WireFormatError(`field of ${length} bytes overruns the message at byte ${at}`);
    this.pos = at + length;
    return at;
  }
}
