import { ProtocolViolationError } from '../errors';
import type { Reader } from './reader';
import type { Writer } from './writer';

/**
 * Version-aware field codecs. Flexible versions (KIP-482) change how strings, bytes and arrays are
 * length-prefixed (compact: unsigned varint of length + 1, 0 = null) and end every structure with a
 * tagged-field section. An API decodes and encodes its body once, through these, and picks the encoding by
 * `flexible` instead of writing each version twice.
 *
 * `structs` reads or writes an array of structures (each followed by its tag section when flexible);
 * `array` is for arrays of primitives (no tag sections). `tags` ends the top-level structure.
 */
export class FieldReader {
  constructor(
    readonly r: Reader,
    readonly flexible: boolean,
  ) {}

  int8(): number {
    return this.r.int8();
  }

  int16(): number {
    return this.r.int16();
  }

  int32(): number {
    return this.r.int32();
  }

  int64(): bigint {
    return this.r.int64();
  }

  bool(): boolean {
    return this.r.bool();
  }

  /** A 16-byte UUID, as a copy. */
  uuid(): Buffer {
    const high = this.r.int64();
    const low = this.r.int64();
    const out = Buffer.alloc(16);
    out.writeBigInt64BE(high, 0);
    out.writeBigInt64BE(low, 8);
    return out;
  }

  string(): string {
    return this.flexible ? this.r.compactString() : this.r.string();
  }

  nullableString(): string | null {
    return this.flexible ? this.r.compactNullableString() : this.r.nullableString();
  }

  bytes(): Buffer | null {
    return this.flexible ? this.r.compactBytes() : this.r.bytes();
  }

  nullableArray<T>(item: (f: FieldReader) => T): T[] | null {
    const read = (_r: Reader) => item(this);
    return this.flexible ? this.r.compactArray(read) : this.r.nullableArray(read);
  }

  array<T>(item: (f: FieldReader) => T): T[] {
    const items = this.nullableArray(item);
    if (items === null) throw new ProtocolViolationError('null where a non-nullable array is required');
    return items;
  }

  /** An array of structures; when flexible, each ends with a tag section. */
  structs<T>(item: (f: FieldReader) => T): T[] {
    return this.array((f) => f.struct(item));
  }

  nullableStructs<T>(item: (f: FieldReader) => T): T[] | null {
    return this.nullableArray((f) => f.struct(item));
  }

  /** One structure, then its tag section when flexible. */
  struct<T>(read: (f: FieldReader) => T): T {
    const value = read(this);
    this.tags();
    return value;
  }

  /** Skips a tag section when flexible (this broker reads no tagged fields). */
  tags(): void {
    if (this.flexible) this.r.taggedFields();
  }
}

export class FieldWriter {
  constructor(
    readonly w: Writer,
    readonly flexible: boolean,
  ) {}

  int8(value: number): this {
    this.w.int8(value);
    return this;
  }

  int16(value: number): this {
    this.w.int16(value);
    return this;
  }

  int32(value: number): this {
    this.w.int32(value);
    return this;
  }

  int64(value: bigint): this {
    this.w.int64(value);
    return this;
  }

  bool(value: boolean): this {
    this.w.bool(value);
    return this;
  }

  uuid(value: Buffer): this {
    if (value.length !== 16) throw new RangeError(`a UUID has 16 bytes, not ${value.length}`);
    this.w.raw(value);
    return this;
  }

  string(value: string): this {
    if (this.flexible) this.w.compactString(value);
    else this.w.string(value);
    return this;
  }

  nullableString(value: string | null): this {
    if (this.flexible) this.w.compactNullableString(value);
    else this.w.nullableString(value);
    return this;
  }

  bytes(value: Buffer | null): this {
    if (this.flexible) this.w.compactBytes(value);
    else this.w.bytes(value);
    return this;
  }

  /** The length prefix of a bytes or records field whose content the caller then writes raw. */
  bytesLength(length: number): this {
    if (this.flexible) this.w.uvarint(length + 1);
    else this.w.int32(length);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (f: FieldWriter, value: T) => void): this {
    const write = (_w: Writer, value: T) => item(this, value);
    if (this.flexible) this.w.compactArray(items, write);
    else this.w.nullableArray(items, write);
    return this;
  }

  array<T>(items: readonly T[], item: (f: FieldWriter, value: T) => void): this {
    return this.nullableArray(items, item);
  }

  /** An array of structures; when flexible, each ends with an empty tag section. */
  structs<T>(items: readonly T[], item: (f: FieldWriter, value: T) => void): this {
    return this.array(items, (f, value) => {
      item(f, value);
      f.tags();
    });
  }

  nullableStructs<T>(items: readonly T[] | null, item: (f: FieldWriter, value: T) => void): this {
    return this.nullableArray(items, (f, value) => {
      item(f, value);
      f.tags();
    });
  }

  /** An empty tag section when flexible. */
  tags(): this {
    if (this.flexible) this.w.taggedFields();
    return this;
  }
}
