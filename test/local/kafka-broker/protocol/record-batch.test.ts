/**
 * The produce path's batch checks (local/kafka-broker/protocol/record-batch.ts), at their exact boundaries:
 * which bytes make a batch complete, which header fields are read from where, and which well-formed but
 * impossible batches (no records, a negative last offset delta) are refused. A batch that slips through
 * here is stored and served to every consumer, so each check is pinned byte for byte.
 */
import { gzipSync } from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import { ErrorCode } from '#local/kafka-broker/protocol/error-codes';
import {
  BATCH_HEADER_BYTES,
  batchChecksum,
  firstRecordAtOrAfter,
  lastOffsetDeltaOf,
  patchBaseOffset,
  readBatchFrame,
  readBatchHeader,
  splitBatches,
} from '#local/kafka-broker/protocol/record-batch';
import { encodeBatch } from '#test/support/kafka-broker/batches';

const T0 = 1_700_000_000_000n;

/** One valid batch of `values`, with every header field set to a recognisable value. */
function batch(values: string[] = ['a']): Buffer {
  const b = Buffer.from(
    encodeBatch(
      values.map((value, i) => ({ value, timestampDelta: i * 10 })),
      { firstTimestamp: T0 },
    ).bytes,
  );
  b.writeInt16BE(0x0010, 21); // attributes: transactional bit, no compression
  b.writeBigInt64BE(4242n, 43); // producer id
  b.writeInt16BE(7, 51); // producer epoch
  b.writeInt32BE(99, 53); // base sequence
  return recrc(b);
}

/** Recomputes the CRC-32C (attributes..end) after a header field was changed on purpose. */
function recrc(b: Buffer): Buffer {
  b.writeUInt32BE(crc32c(b.subarray(21)) >>> 0, 17);
  return b;
}

const corrupt = { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE };

describe('RecordBatch v2 on produce', () => {
  it('reads every header field from its place', () => {
    const b = batch(['a', 'b', 'c']);
    expect(readBatchHeader(b)).toEqual({
      attributes: 0x0010,
      lastOffsetDelta: 2,
      firstTimestamp: T0,
      maxTimestamp: T0 + 20n,
      recordCount: 3,
      producerId: 4242n,
      producerEpoch: 7,
      baseSequence: 99,
    });
    expect(BATCH_HEADER_BYTES).toBe(61);
  });

  it('splits batches back to back, each a view of exactly its own bytes', () => {
    const one = batch(['a']);
    const two = batch(['b', 'c']);
    const split = splitBatches(Buffer.concat([one, two]));
    expect(split).toMatchObject({ ok: true });
    if (!split.ok) return;
    expect(split.batches.map((s) => s.bytes.toString('hex'))).toEqual([
      one.toString('hex'),
      two.toString('hex'),
    ]);
    expect(split.batches.map((s) => [s.recordCount, s.lastOffsetDelta, s.producerId])).toEqual([
      [1, 0, 4242n],
      [2, 1, 4242n],
    ]);
  });

  it('refuses an empty records field and a tail too short to hold the magic byte', () => {
    expect(splitBatches(Buffer.alloc(0))).toEqual(corrupt);
    const b = batch();
    // 17 bytes reach the magic byte (offset 16): the length check passes and the batch is then short
    expect(splitBatches(b.subarray(0, 16))).toEqual(corrupt);
    expect(splitBatches(Buffer.concat([b, b.subarray(0, 16)]))).toEqual(corrupt);
    expect(splitBatches(Buffer.concat([b, b.subarray(0, 17)]))).toEqual(corrupt);
    // 17 bytes hold the magic byte, so another magic is named as such before the length is looked at
    const oldMagic = Buffer.from(b.subarray(0, 17));
    oldMagic.writeInt8(1, 16);
    expect(splitBatches(Buffer.concat([b, oldMagic]))).toEqual({
      ok: false,
      errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
    });
  });

  it('accepts a batch that ends exactly at the end of the field and refuses one a byte short', () => {
    const b = batch(['exact']);
    expect(splitBatches(b).ok).toBe(true);
    expect(splitBatches(b.subarray(0, b.length - 1))).toEqual(corrupt);
  });

  it('refuses a batch whose length is shorter than a header', () => {
    const b = batch();
    b.writeInt32BE(BATCH_HEADER_BYTES - 12 - 1, 8);
    expect(splitBatches(b)).toEqual(corrupt);
    // the same, cut to its claimed 60 bytes with a CRC that matches them: refused for its length alone
    const short = Buffer.from(b.subarray(0, BATCH_HEADER_BYTES - 1));
    short.writeUInt32BE(crc32c(short.subarray(21)) >>> 0, 17);
    expect(splitBatches(short)).toEqual(corrupt);
    // exactly a header and no record bytes: complete, but its CRC no longer matches
    const headerOnly = batch();
    headerOnly.writeInt32BE(BATCH_HEADER_BYTES - 12, 8);
    expect(splitBatches(headerOnly.subarray(0, BATCH_HEADER_BYTES))).toEqual(corrupt);
  });

  it('refuses another magic byte with UNSUPPORTED_FOR_MESSAGE_FORMAT', () => {
    for (const magic of [0, 1, 3]) {
      const b = batch();
      b.writeInt8(magic, 16);
      expect(splitBatches(b)).toEqual({ ok: false, errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT });
    }
  });

  it('refuses a batch with no records or a negative last offset delta, even with a valid CRC', () => {
    const none = batch();
    none.writeInt32BE(0, 57);
    expect(splitBatches(recrc(none))).toEqual(corrupt);
    const negative = batch();
    negative.writeInt32BE(-1, 57);
    expect(splitBatches(recrc(negative))).toEqual(corrupt);
    const backwards = batch();
    backwards.writeInt32BE(-1, 23);
    expect(splitBatches(recrc(backwards))).toEqual(corrupt);
    // a one-record batch with lastOffsetDelta 0 is the smallest valid one
    expect(splitBatches(batch()).ok).toBe(true);
  });

  it('refuses a CRC mismatch anywhere in attributes..end, and ignores base offset and leader epoch', () => {
    const b = batch(['payload']);
    for (const at of [21, 40, b.length - 1]) {
      const flipped = Buffer.from(b);
      flipped[at]! ^= 0x01;
      expect(splitBatches(flipped)).toEqual(corrupt);
    }
    const patched = Buffer.from(b);
    patchBaseOffset(patched, 77n);
    patched.writeInt32BE(5, 12); // partition leader epoch
    expect(patched.readBigInt64BE(0)).toBe(77n);
    expect(splitBatches(patched).ok).toBe(true);
    expect(batchChecksum(patched)).toBe(b.readUInt32BE(17));
  });

  it('refuses the whole request when one of its batches is bad', () => {
    const bad = batch();
    bad[bad.length - 1]! ^= 1;
    expect(splitBatches(Buffer.concat([batch(), bad, batch()]))).toEqual(corrupt);
  });
});

/** A stored batch: records a, b, c at T0, T0 + 10, T0 + 20, written at base offset 100. */
function stored(attributes = 0): Buffer {
  const b = Buffer.from(
    encodeBatch(
      ['a', 'b', 'c'].map((value, i) => ({ value, timestampDelta: i * 10 })),
      { firstTimestamp: T0, baseOffset: 100n },
    ).bytes,
  );
  b.writeInt16BE(attributes, 21);
  return b;
}

/** The same batch with its records gzip-compressed (codec 1), as a producer with compression sends it. */
function gzipped(): Buffer {
  const plain = stored();
  const records = gzipSync(plain.subarray(BATCH_HEADER_BYTES));
  const b = Buffer.concat([plain.subarray(0, BATCH_HEADER_BYTES), records]);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt16BE(1, 21);
  return recrc(b);
}

describe('RecordBatch v2 in the log', () => {
  it('reads the framing fields: base offset, whole size, magic and the stored CRC unsigned', () => {
    const b = stored();
    b.writeUInt32BE(0xf0000001, 17);
    expect(readBatchFrame(b)).toEqual({ baseOffset: 100n, size: b.length, magic: 2, crc: 0xf0000001 });
  });

  it('counts the last offset from lastOffsetDelta, or from recordCount when a producer wrote less', () => {
    expect(lastOffsetDeltaOf({ lastOffsetDelta: 2, recordCount: 3 })).toBe(2);
    expect(lastOffsetDeltaOf({ lastOffsetDelta: 0, recordCount: 3 })).toBe(2);
    expect(lastOffsetDeltaOf({ lastOffsetDelta: 5, recordCount: 3 })).toBe(5);
  });
});

describe('firstRecordAtOrAfter (ListOffsets by time)', () => {
  it('answers the first record whose timestamp is at or after the target, at base offset + its delta', () => {
    const b = stored();
    expect(firstRecordAtOrAfter(b, T0 - 1n)).toEqual({ offset: 100n, timestamp: T0 });
    expect(firstRecordAtOrAfter(b, T0)).toEqual({ offset: 100n, timestamp: T0 });
    expect(firstRecordAtOrAfter(b, T0 + 1n)).toEqual({ offset: 101n, timestamp: T0 + 10n });
    expect(firstRecordAtOrAfter(b, T0 + 10n)).toEqual({ offset: 101n, timestamp: T0 + 10n });
    expect(firstRecordAtOrAfter(b, T0 + 20n)).toEqual({ offset: 102n, timestamp: T0 + 20n });
    expect(firstRecordAtOrAfter(b, T0 + 21n)).toBeUndefined();
  });

  it('answers nothing when no record reaches the target, even if the header claims a later time', () => {
    const b = stored();
    b.writeBigInt64BE(T0 + 100n, 35); // maxTimestamp
    expect(firstRecordAtOrAfter(b, T0 + 50n)).toBeUndefined();
  });

  it('reads no more records than the header counts, nor past the end of its records', () => {
    const fewer = stored();
    fewer.writeInt32BE(2, 57); // recordCount: c is not counted
    expect(firstRecordAtOrAfter(fewer, T0 + 20n)).toBeUndefined();
    const more = stored();
    more.writeInt32BE(5, 57); // claims records the batch does not hold
    more.writeBigInt64BE(T0 + 100n, 35);
    expect(firstRecordAtOrAfter(more, T0 + 50n)).toBeUndefined();
  });

  it('reads no further than batchLength when the buffer holds more bytes', () => {
    // a and b at T0 and T0 + 50; the batch is cut after a, but the buffer still holds b
    const b = Buffer.from(
      encodeBatch(
        [
          { value: 'a', timestampDelta: 0 },
          { value: 'b', timestampDelta: 50 },
        ],
        { firstTimestamp: T0 },
      ).bytes,
    );
    expect(firstRecordAtOrAfter(b, T0 + 50n)).toEqual({ offset: 1n, timestamp: T0 + 50n });
    const recordA = b.subarray(BATCH_HEADER_BYTES);
    const aLength = recordA[0]! >> 1; // zigzag varint of a short record
    b.writeInt32BE(BATCH_HEADER_BYTES - 12 + 1 + aLength, 8);
    expect(firstRecordAtOrAfter(b, T0 + 50n)).toBeUndefined();
  });

  it('answers the first offset and the batch time for LogAppendTime batches', () => {
    const b = stored(0x08);
    expect(firstRecordAtOrAfter(b, T0)).toEqual({ offset: 100n, timestamp: T0 + 20n });
    expect(firstRecordAtOrAfter(b, T0 + 21n)).toBeUndefined();
  });

  it('answers the first offset and max timestamp for codecs it cannot inflate (snappy, lz4, zstd)', () => {
    for (const codec of [2, 3, 4]) {
      expect(firstRecordAtOrAfter(stored(codec), T0 + 10n)).toEqual({ offset: 100n, timestamp: T0 + 20n });
    }
  });

  it('inflates gzip batches and reads their records', () => {
    const b = gzipped();
    expect(splitBatches(b).ok).toBe(true);
    expect(firstRecordAtOrAfter(b, T0 + 1n)).toEqual({ offset: 101n, timestamp: T0 + 10n });
    expect(firstRecordAtOrAfter(b, T0 + 20n)).toEqual({ offset: 102n, timestamp: T0 + 20n });
  });

  it('reads the records of an uncompressed batch whatever its other attribute bits say', () => {
    // transactional (0x10) and control (0x20) bits: still create time, no compression
    expect(firstRecordAtOrAfter(stored(0x30), T0 + 1n)).toEqual({ offset: 101n, timestamp: T0 + 10n });
  });
});
