import { crc32c } from '@node-rs/crc32';
import { ErrorCode } from './error-codes';

/**
 * RecordBatch v2 header (61 bytes), the only message format this broker accepts:
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (=2) | crc uint32 |
 *   attributes int16 | lastOffsetDelta int32 | firstTimestamp int64 | maxTimestamp int64 |
 *   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
 *
 * batchLength counts the bytes after itself. The CRC-32C (Castagnoli) covers attributes..end, so the base
 * offset and leader epoch can be patched without recomputing it. Records are never decoded here.
 */
export const BATCH_HEADER_BYTES = 61;
const LENGTH_OFFSET = 8;
const MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const LAST_OFFSET_DELTA_OFFSET = 23;
const FIRST_TIMESTAMP_OFFSET = 27;
const MAX_TIMESTAMP_OFFSET = 35;
const RECORD_COUNT_OFFSET = 57;

export interface BatchHeader {
  readonly lastOffsetDelta: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly recordCount: number;
  readonly attributes: number;
}

export interface ValidBatch extends BatchHeader {
  /** The batch bytes (a view on the request frame). */
  readonly bytes: Buffer;
}

export type BatchSplit = { ok: true; batches: ValidBatch[] } | { ok: false; errorCode: number };

/** Reads the header fields of one batch already known to be complete. */
export function readBatchHeader(batch: Buffer): BatchHeader {
  return {
    attributes: batch.readInt16BE(ATTRIBUTES_OFFSET),
    lastOffsetDelta: batch.readInt32BE(LAST_OFFSET_DELTA_OFFSET),
    firstTimestamp: batch.readBigInt64BE(FIRST_TIMESTAMP_OFFSET),
    maxTimestamp: batch.readBigInt64BE(MAX_TIMESTAMP_OFFSET),
    recordCount: batch.readInt32BE(RECORD_COUNT_OFFSET),
  };
}

/**
 * CRC-32C over attributes..end, as stored in the header (unsigned). `@node-rs/crc32` uses the CPU's CRC-32C
 * instructions; it is about 8x faster than a table-driven JS CRC on 1 KiB and larger buffers and no slower
 * on small ones (`npm run bench:broker` prints the comparison).
 */
export function batchChecksum(batch: Buffer): number {
  return crc32c(batch.subarray(ATTRIBUTES_OFFSET));
}

/**
 * Splits a produce request's records field into batches, validating each: complete, magic 2 (else
 * UNSUPPORTED_FOR_MESSAGE_FORMAT), CRC-32C (else CORRUPT_MESSAGE), at least one record.
 */
export function splitBatches(records: Buffer): BatchSplit {
  const batches: ValidBatch[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < MAGIC_OFFSET + 1) return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE };
    if (records.readInt8(at + MAGIC_OFFSET) !== 2) {
      return { ok: false, errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT };
    }
    const size = 12 + records.readInt32BE(at + LENGTH_OFFSET);
    if (size < BATCH_HEADER_BYTES || at + size > records.length) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE };
    }
    const bytes = records.subarray(at, at + size);
    if (batchChecksum(bytes) !== bytes.readUInt32BE(CRC_OFFSET)) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE };
    }
    const header = readBatchHeader(bytes);
    if (header.recordCount <= 0 || header.lastOffsetDelta < 0) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE };
    }
    batches.push({ ...header, bytes });
    at += size;
  }
  if (batches.length === 0) return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE };
  return { ok: true, batches };
}

/** Writes the log-assigned base offset into a stored copy of a batch (outside the CRC). */
export function patchBaseOffset(batch: Buffer, baseOffset: bigint): void {
  batch.writeBigInt64BE(baseOffset, 0);
}
