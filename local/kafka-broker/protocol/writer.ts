/**
 * Growable response encoder. Small fields go into a scratch buffer; large byte blocks (stored record batches)
 * are kept by reference as separate chunks so a Fetch response never copies the log.
 */
const INITIAL_SIZE = 256;
const BY_REFERENCE_MIN = 1024;

export class Writer {
  private readonly chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(INITIAL_SIZE);
  private pos = 0;
  private flushed = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.flushed + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(value: number): this {
    this.ensure(1);
    this.pos = this.buf.writeInt8(value, this.pos);
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(value, this.pos);
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(value, this.pos);
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(value, this.pos);
    return this;
  }

  int64(value: bigint): this {
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(value, this.pos);
    return this;
  }

  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  uvarint(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  varint(value: number): this {
    return this.uvarint((value << 1) ^ (value >> 31));
  }

  varlong(value: bigint): this {
    let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  /** Appends bytes verbatim (no length prefix). */
  raw(bytes: Buffer): this {
    if (bytes.length >= BY_REFERENCE_MIN) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.flushed += this.pos;
      this.buf = this.buf.subarray(this.pos);
      this.pos = 0;
      this.chunks.push(bytes);
      this.flushed += bytes.length;
      return this;
    }
    this.ensure(bytes.length);
    this.pos += bytes.copy(this.buf, this.pos);
    return this;
  }

  string(value: string): this {
    const length = Buffer.byteLength(value);
    this.int16(length);
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    return this;
  }

  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value);
  }

  compactString(value: string): this {
    const length = Buffer.byteLength(value);
    this.uvarint(length + 1);
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    return this;
  }

  compactNullableString(value: string | null): this {
    return value === null ? this.uvarint(0) : this.compactString(value);
  }

  bytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).raw(value);
  }

  compactBytes(value: Buffer | null): this {
    if (value === null) return this.uvarint(0);
    return this.uvarint(value.length + 1).raw(value);
  }

  array<T>(items: readonly T[], item: (w: Writer, value: T) => void): this {
    this.int32(items.length);
    for (const value of items) item(this, value);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (w: Writer, value: T) => void): this {
    return items === null ? this.int32(-1) : this.array(items, item);
  }

  compactArray<T>(items: readonly T[] | null, item: (w: Writer, value: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const value of items) item(this, value);
    return this;
  }

  /** An empty tagged-field section. */
  taggedFields(): this {
    return this.uvarint(0);
  }

  /** The encoded bytes as chunks (large blocks by reference). The writer must not be used afterwards. */
  toChunks(): Buffer[] {
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushed += this.pos;
    this.pos = 0;
    return this.chunks;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toChunks());
  }
}
