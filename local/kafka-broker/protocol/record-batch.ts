import { gunzipSync } from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import { ErrorCode } from './error-codes';
import { Reader } from './reader';

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
/**
 * The smallest uncompressed record: length, attributes, timestamp delta, offset delta, key length, value
 * length and header count, each one byte (a null key and value, no headers).
 */
const MIN_RECORD_BYTES = 7;
/** baseOffset and batchLength precede the part of a batch that batchLength counts. */
export const LOG_OVERHEAD = 12;
/** The only batch format (magic byte) this broker reads and writes. */
export const BATCH_MAGIC = 2;
const BASE_OFFSET_OFFSET = 0;
const LENGTH_OFFSET = 8;
const MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const LAST_OFFSET_DELTA_OFFSET = 23;
const FIRST_TIMESTAMP_OFFSET = 27;
const MAX_TIMESTAMP_OFFSET = 35;
const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;
const BASE_SEQUENCE_OFFSET = 53;
const RECORD_COUNT_OFFSET = 57;

export interface BatchHeader {
  readonly lastOffsetDelta: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly recordCount: number;
  readonly attributes: number;
  /** -1 when the producer is not idempotent. */
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** -1 when the producer is not idempotent. */
  readonly baseSequence: number;
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
    producerId: batch.readBigInt64BE(PRODUCER_ID_OFFSET),
    producerEpoch: batch.readInt16BE(PRODUCER_EPOCH_OFFSET),
    baseSequence: batch.readInt32BE(BASE_SEQUENCE_OFFSET),
  };
}

/** The fields that frame a batch in a log, read from its first `BATCH_HEADER_BYTES` bytes. */
export interface BatchFrame {
  readonly baseOffset: bigint;
  /** The whole batch in bytes: `LOG_OVERHEAD` + batchLength. */
  readonly size: number;
  readonly magic: number;
  /** The CRC-32C stored in the header (unsigned). */
  readonly crc: number;
}

/** Reads the framing fields (base offset, total size, magic, stored CRC) of a batch header. */
export function readBatchFrame(header: Buffer): BatchFrame {
  return {
    baseOffset: header.readBigInt64BE(BASE_OFFSET_OFFSET),
    size: LOG_OVERHEAD + header.readInt32BE(LENGTH_OFFSET),
    magic: header.readInt8(MAGIC_OFFSET),
    crc: header.readUInt32BE(CRC_OFFSET),
  };
}

/**
 * The offset delta of a batch's last record as the log counts it: lastOffsetDelta, or recordCount - 1 when
 * a producer wrote a smaller delta. Memory and file storage (on append and on recovery) use this one rule so
 * that offsets agree after a restart.
 */
export function lastOffsetDeltaOf(header: Pick<BatchHeader, 'lastOffsetDelta' | 'recordCount'>): number {
  return Math.max(header.lastOffsetDelta, header.recordCount - 1);
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
    if (records.readInt8(at + MAGIC_OFFSET) !== BATCH_MAGIC) {
      return { ok: false, errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT };
    }
    const size = LOG_OVERHEAD + records.readInt32BE(at + LENGTH_OFFSET);
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
    // A batch must carry the records it counts: uncompressed, each takes at least MIN_RECORD_BYTES;
    // compressed, the body cannot be empty. Kafka refuses such a batch when it reads the records.
    const body = size - BATCH_HEADER_BYTES;
    const compressed = (header.attributes & COMPRESSION_MASK) !== 0;
    if (compressed ? body === 0 : body < header.recordCount * MIN_RECORD_BYTES) {
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
  batch.writeBigInt64BE(baseOffset, BASE_OFFSET_OFFSET);
}

const TIMESTAMP_TYPE_LOG_APPEND = 0x08;
const COMPRESSION_MASK = 0x07;
const GZIP = 1;

/**
 * The first record of a stored batch whose timestamp is >= `target` (ListOffsets by time answers per
 * record, not per batch). Decodes only the record headers (length, attributes, timestamp and offset
 * deltas). Batches with LogAppendTime carry one timestamp for all records; gzip batches are inflated;
 * other codecs (snappy, lz4, zstd) cannot be read here and answer with the batch's first offset and max
 * timestamp. Undefined when no record qualifies.
 */
export function firstRecordAtOrAfter(
  batch: Buffer,
  target: bigint,
): { offset: bigint; timestamp: bigint } | undefined {
  const header = readBatchHeader(batch);
  const baseOffset = batch.readBigInt64BE(BASE_OFFSET_OFFSET);
  if (header.maxTimestamp < target) return undefined;
  const codec = header.attributes & COMPRESSION_MASK;
  if ((header.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0 || (codec !== 0 && codec !== GZIP)) {
    return { offset: baseOffset, timestamp: header.maxTimestamp };
  }
  const size = Math.min(batch.length, LOG_OVERHEAD + batch.readInt32BE(LENGTH_OFFSET));
  let records = batch.subarray(BATCH_HEADER_BYTES, size);
  if (codec === GZIP) records = gunzipSync(records);
  const r = new Reader(records);
  for (let i = 0; i < header.recordCount && r.remaining > 0; i++) {
    const length = r.varint();
    const end = r.offset + length;
    r.int8(); // attributes
    const timestamp = header.firstTimestamp + r.varlong();
    const offsetDelta = r.varint();
    if (timestamp >= target) return { offset: baseOffset + BigInt(offsetDelta), timestamp };
    r.offset = end;
  }
  return undefined;
}
