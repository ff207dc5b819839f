/**
 * Validation of produced record batches (local/kafka-broker/protocol/record-batch.ts): valid v2 batches
 * split and read without decoding records, bad magic, length or CRC refused with the error code Kafka uses,
 * and the CRC-32C against its check value and a second implementation.
 */
import { crc32c as reference } from '@aws-crypto/crc32c';
import { crc32c } from '@node-rs/crc32';
import { ErrorCode } from '#local/kafka-broker/protocol/error-codes';
import { batchChecksum, patchBaseOffset, splitBatches } from '#local/kafka-broker/protocol/record-batch';
import { recordBatch } from '#test/support/kafka-broker/raw-client';

describe('record batches', () => {
  it('accepts valid v2 batches and reads their header without decoding records', () => {
    const two = Buffer.concat([recordBatch('a', 1000n), recordBatch('b', 2000n)]);
    const split = splitBatches(two);
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(
      split.batches.map((b) => [b.recordCount, b.firstTimestamp, b.maxTimestamp, b.lastOffsetDelta]),
    ).toEqual([
      [1, 1000n, 1000n, 0],
      [1, 2000n, 2000n, 0],
    ]);
  });

  it('rejects a bad CRC-32C, an old magic byte and a truncated batch', () => {
    const corrupt = recordBatch('a');
    corrupt[corrupt.length - 1] ^= 1;
    expect(splitBatches(corrupt)).toEqual({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE });
    const magic1 = recordBatch('a');
    magic1[16] = 1;
    expect(splitBatches(magic1)).toEqual({ ok: false, errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT });
    expect(splitBatches(recordBatch('a').subarray(0, 40))).toEqual({
      ok: false,
      errorCode: ErrorCode.CORRUPT_MESSAGE,
    });
  });

  it('rejects a batch whose body is too short for the records it counts, CRC valid or not', () => {
    // header only: recordCount 1, no record bytes (found by mutation testing: `size < 61` vs `<=`)
    const empty = recordBatch('a').subarray(0, 61);
    empty.writeInt32BE(61 - 12, 8); // batchLength = size - 12
    empty.writeUInt32BE(batchChecksum(empty), 17);
    expect(splitBatches(empty)).toEqual({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE });
    // a valid one-record batch that claims three records: 3 x 7 bytes do not fit in its body
    const valid = recordBatch('a');
    const three = Buffer.from(valid);
    three.writeInt32BE(3, 57); // recordCount
    three.writeUInt32BE(batchChecksum(three), 17);
    const body = valid.length - 61;
    expect(body).toBeLessThan(3 * 7);
    expect(splitBatches(three)).toEqual({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE });
    expect(splitBatches(valid).ok).toBe(true);
  });

  it('patches the base offset without invalidating the CRC', () => {
    const batch = recordBatch('a');
    patchBaseOffset(batch, 12345n);
    expect(batch.readBigInt64BE(0)).toBe(12345n);
    expect(splitBatches(batch).ok).toBe(true);
  });
});

describe('CRC-32C', () => {
  it('matches the published check value', () => {
    // CRC-32C of the ASCII digits 1..9 (RFC 3720, appendix B.4 lists it as the check value).
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with a second implementation on every length and alignment up to 64 bytes and on large buffers', () => {
    const data = Buffer.alloc(70_000);
    let x = 12345;
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      data[i] = x >>> 24;
    }
    for (let start = 0; start < 8; start++) {
      for (let len = 0; len <= 64; len++) {
        const slice = data.subarray(start, start + len);
        expect(crc32c(slice)).toBe(reference(slice) >>> 0);
      }
    }
    expect(crc32c(data)).toBe(reference(data) >>> 0);
  });

  it('is the checksum a batch carries (over attributes..end)', () => {
    const batch = recordBatch('checksum me', 1234n);
    expect(batchChecksum(batch)).toBe(batch.readUInt32BE(17));
  });
});
