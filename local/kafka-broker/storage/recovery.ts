/**
 * Recovery of a segment file on open: indexes its batches (segment-index.ts) and, when asked to verify,
 * checks each batch (a full header, a possible length, magic 2, offsets moving forward, the CRC-32C) and
 * truncates the file at the first that fails: a torn tail from a crash mid-append. Every truncation is
 * reported in one line naming the file, the position and the reason. Header fields are read only through
 * ../protocol/record-batch.ts. (The offsets log recovers itself the same way: offsets-log.ts.)
 */
import * as fs from 'node:fs';
import {
  BATCH_HEADER_BYTES,
  BATCH_MAGIC,
  batchChecksum,
  LOG_OVERHEAD,
  lastOffsetDeltaOf,
  readBatchFrame,
  readBatchHeader,
} from '../protocol/record-batch';
import { readFully } from './file-io';
import type { Segment } from './segment-index';

/** A batch longer than this is treated as garbage during recovery. */
const MAX_BATCH_BYTES = 256 * 1024 * 1024;

/**
 * Indexes the batches of one segment file. Returns the next expected offset. With `verify`, the first
 * batch that fails a check (short, bad magic or length, CRC mismatch, offsets going backwards) and
 * everything after it is truncated.
 */
export function recoverSegment(
  segment: Segment,
  startOffset: bigint,
  verify: boolean,
  report: string[],
): bigint {
  const fd = fs.openSync(segment.file, 'r+');
  try {
    const fileSize = fs.fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    let chunkStart = 0;
    let chunkLen = 0;
    let pos = 0;
    let expected = startOffset;
    let bad: string | undefined;
    const view = (at: number, len: number): Buffer | undefined => {
      if (at + len > fileSize) return undefined;
      if (at >= chunkStart && at + len <= chunkStart + chunkLen) {
        return chunk.subarray(at - chunkStart, at - chunkStart + len);
      }
      if (len > chunk.length) {
        const big = Buffer.allocUnsafe(len);
        return readFully(fd, big, at) === len ? big : undefined;
      }
      chunkStart = at;
      chunkLen = readFully(fd, chunk, at);
      return chunkLen >= len ? chunk.subarray(0, len) : undefined;
    };
    while (pos < fileSize) {
      const head = view(pos, BATCH_HEADER_BYTES);
      if (!head) {
        bad = 'short batch header';
        break;
      }
      const { baseOffset, size, magic, crc } = readBatchFrame(head);
      if (size < BATCH_HEADER_BYTES || size > MAX_BATCH_BYTES) {
        bad = `impossible batch length ${size - LOG_OVERHEAD}`;
        break;
      }
      if (magic !== BATCH_MAGIC) {
        bad = `magic ${magic} instead of ${BATCH_MAGIC}`;
        break;
      }
      const header = readBatchHeader(head);
      const lastOffset = baseOffset + BigInt(lastOffsetDeltaOf(header));
      const { firstTimestamp, maxTimestamp } = header;
      if (baseOffset < expected || lastOffset < baseOffset) {
        bad = `offset ${baseOffset} where ${expected} or later was expected`;
        break;
      }
      if (pos + size > fileSize) {
        bad = `batch of ${size} bytes cut short at ${fileSize - pos}`;
        break;
      }
      if (verify) {
        const whole = view(pos, size);
        if (!whole) {
          bad = `batch of ${size} bytes unreadable`;
          break;
        }
        if (batchChecksum(whole) !== crc) {
          bad = `CRC-32C mismatch in batch at offset ${baseOffset}`;
          break;
        }
      }
      segment.entries.push({ baseOffset, lastOffset, firstTimestamp, maxTimestamp, position: pos, size });
      if (maxTimestamp > segment.maxTimestamp) segment.maxTimestamp = maxTimestamp;
      pos += size;
      expected = lastOffset + 1n;
    }
    if (bad !== undefined) {
      report.push(`${segment.file}: truncated at byte ${pos} of ${fileSize}: ${bad}`);
      fs.ftruncateSync(fd, pos);
      fs.fsyncSync(fd);
    }
    segment.size = pos;
    return expected;
  } finally {
    fs.closeSync(fd);
  }
}
