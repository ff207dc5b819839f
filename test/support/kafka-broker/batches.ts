/**
 * Test helper: encodes and decodes uncompressed RecordBatch v2 (magic 2, CRC-32C over attributes..end),
 * the bytes a producer sends and the broker stores, so storage tests need no client.
 */
import { crc32c } from '@aws-crypto/crc32c';

export interface TestRecord {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
  /** Milliseconds after the batch's first timestamp. Default 0. */
  readonly timestampDelta?: number;
}

export interface EncodeOptions {
  readonly baseOffset?: bigint;
  readonly firstTimestamp?: bigint;
  /** Idempotent producer fields; default -1 (not idempotent). */
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
}

function zigzagVarint(n: number | bigint): Buffer {
  let v = BigInt(n);
  v = v >= 0n ? v << 1n : (-v << 1n) - 1n;
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

function bytesField(b: Buffer | string | null | undefined): Buffer {
  if (b === null || b === undefined) return zigzagVarint(-1);
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([zigzagVarint(buf.length), buf]);
}

/** Encodes records into one RecordBatch v2; returns the batch and the values the broker's append() takes. */
export function encodeBatch(
  records: readonly TestRecord[],
  options: EncodeOptions = {},
): { bytes: Buffer; recordCount: number; firstTimestamp: bigint; maxTimestamp: bigint } {
  const firstTimestamp = options.firstTimestamp ?? BigInt(Date.now());
  let maxDelta = 0;
  const encoded = records.map((r, i) => {
    const delta = r.timestampDelta ?? 0;
    if (delta > maxDelta) maxDelta = delta;
    const headers = Object.entries(r.headers ?? {});
    const body = Buffer.concat([
      Buffer.from([0]),
      zigzagVarint(delta),
      zigzagVarint(i),
      bytesField(r.key),
      bytesField(r.value),
      zigzagVarint(headers.length),
      ...headers.flatMap(([k, v]) => [bytesField(k), bytesField(v)]),
    ]);
    return Buffer.concat([zigzagVarint(body.length), body]);
  });
  const maxTimestamp = firstTimestamp + BigInt(maxDelta);
  const tail = Buffer.alloc(40);
  tail.writeInt16BE(0, 0); // attributes: no compression, create time, not transactional
  tail.writeInt32BE(records.length - 1, 2); // lastOffsetDelta
  tail.writeBigInt64BE(firstTimestamp, 6);
  tail.writeBigInt64BE(maxTimestamp, 14);
  tail.writeBigInt64BE(options.producerId ?? -1n, 22);
  tail.writeInt16BE(options.producerEpoch ?? -1, 30);
  tail.writeInt32BE(options.baseSequence ?? -1, 32);
  tail.writeInt32BE(records.length, 36);
  const crcPart = Buffer.concat([tail, ...encoded]);
  const head = Buffer.alloc(21);
  head.writeBigInt64BE(options.baseOffset ?? 0n, 0);
  head.writeInt32BE(crcPart.length + 9, 8); // partitionLeaderEpoch + magic + crc + rest
  head.writeInt32BE(0, 12);
  head.writeInt8(2, 16);
  head.writeUInt32BE(crc32c(crcPart) >>> 0, 17);
  return { bytes: Buffer.concat([head, crcPart]), recordCount: records.length, firstTimestamp, maxTimestamp };
}

export interface DecodedRecord {
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer>;
}

/** Decodes an uncompressed RecordBatch v2 (checks magic and CRC). */
export function decodeBatch(bytes: Buffer): DecodedRecord[] {
  if (bytes.readInt8(16) !== 2) throw new Error(`magic ${bytes.readInt8(16)}, expected 2`);
  const size = 12 + bytes.readInt32BE(8);
  if (crc32c(bytes.subarray(21, size)) >>> 0 !== bytes.readUInt32BE(17)) throw new Error('CRC-32C mismatch');
  if ((bytes.readInt16BE(21) & 7) !== 0) throw new Error('compressed batches are not supported here');
  const baseOffset = bytes.readBigInt64BE(0);
  const firstTimestamp = bytes.readBigInt64BE(27);
  const count = bytes.readInt32BE(57);
  let pos = 61;
  const varint = (): number => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return Number((result >> 1n) ^ -(result & 1n));
  };
  const field = (): Buffer | null => {
    const len = varint();
    if (len < 0) return null;
    const b = Buffer.from(bytes.subarray(pos, pos + len));
    pos += len;
    return b;
  };
  const out: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    varint(); // length
    pos++; // attributes
    const timestampDelta = varint();
    const offsetDelta = varint();
    const key = field();
    const value = field();
    const headerCount = varint();
    const headers: Record<string, Buffer> = {};
    for (let h = 0; h < headerCount; h++) {
      const k = field()!.toString();
      headers[k] = field() ?? Buffer.alloc(0);
    }
    out.push({
      offset: baseOffset + BigInt(offsetDelta),
      timestamp: firstTimestamp + BigInt(timestampDelta),
      key,
      value,
      headers,
    });
  }
  return out;
}
