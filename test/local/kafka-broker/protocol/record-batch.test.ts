/**
 * The produce path's batch checks (local/kafka-broker/protocol/record-batch.ts), at their exact boundaries:
 * which bytes make a batch complete, which header fields are read from where, and which well-formed but
 * impossible batches (no records, a negative last offset delta) are refused. A batch that slips through
 * here is stored and served to every consumer, so each check is pinned byte for byte.
 */
import { crc32c } from '@node-rs/crc32';
import { ErrorCode } from '#local/kafka-broker/protocol/error-codes';
import {
  BATCH_HEADER_BYTES,
  batchChecksum,
  patchBaseOffset,
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
