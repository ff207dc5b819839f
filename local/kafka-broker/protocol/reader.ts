import { ProtocolViolationError, TruncatedFrameError } from '../errors';

/**
 * Cursor over one request body. Every read checks bounds and throws `TruncatedFrameError`, which the
 * connection turns into a closed socket; a Kafka-level problem never surfaces here.
 *
 * Classic encodings: int16-length strings, int32-length bytes and arrays (-1 = null).
 * Compact (flexible-version) encodings: unsigned-varint length + 1 (0 = null), then tagged fields.
 */
export class Reader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private take(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new TruncatedFrameError(`need ${n} bytes at offset ${at} but the frame ends at ${this.end}`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  /** Unsigned LEB128 up to 32 bits. */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buf[this.take(1)]!;
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
    throw new ProtocolViolationError('varint longer than 5 bytes');
  }

  /** Zig-zag signed varint (32 bits). */
  varint(): number {
    const raw = this.uvarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zig-zag signed varlong (64 bits). */
  varlong(): bigint {
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.buf[this.take(1)]!;
      raw |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (raw >> 1n) ^ -(raw & 1n);
    }
    throw new ProtocolViolationError('varlong longer than 10 bytes');
  }

  private utf8(length: number): string {
    const at = this.take(length);
    return this.buf.toString('utf8', at, at + length);
  }

  string(): string {
    const value = this.nullableString();
    if (value === null) throw new ProtocolViolationError('null where a non-nullable string is required');
    return value;
  }

  nullableString(): string | null {
    const length = this.int16();
    return length < 0 ? null : this.utf8(length);
  }

  compactString(): string {
    const value = this.compactNullableString();
    if (value === null) throw new ProtocolViolationError('null where a non-nullable string is required');
    return value;
  }

  compactNullableString(): string | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.utf8(length);
  }

  /** Nullable int32-length bytes; a view on the frame, not a copy. */
  bytes(): Buffer | null {
    const length = this.int32();
    if (length < 0) return null;
    const at = this.take(length);
    return this.buf.subarray(at, at + length);
  }

  compactBytes(): Buffer | null {
    const length = this.uvarint() - 1;
    if (length < 0) return null;
    const at = this.take(length);
    return this.buf.subarray(at, at + length);
  }

  array<T>(item: (r: Reader) => T): T[] {
    const items = this.nullableArray(item);
    if (items === null) throw new ProtocolViolationError('null where a non-nullable array is required');
    return items;
  }

  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    return this.items(this.int32(), item);
  }

  compactArray<T>(item: (r: Reader) => T): T[] | null {
    return this.items(this.uvarint() - 1, item);
  }

  private items<T>(count: number, item: (r: Reader) => T): T[] | null {
    if (count < 0) return null;
    // Each element takes at least one byte: a cheap guard against absurd counts in garbage frames.
    if (count > this.remaining) {
      throw new TruncatedFrameError(`array of ${count} items in ${this.remaining} bytes`);
    }
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = item(this);
    return out;
  }

  /** Skips a tagged-field section (this broker understands no tags). */
  taggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.take(this.uvarint());
    }
  }
}
