/**
 * The in-memory index of a partition's segment files: per segment its file, size, max timestamp and open
 * file descriptor, and per batch its offsets, timestamps and byte position. Rebuilt on every open by
 * recovery.ts; kept current by segment-log.ts on append, roll and retention. Lookups are binary searches.
 */
import { SEGMENT_SUFFIX } from './format';
import type { BatchInfo } from './types';

/** One batch of a segment file. */
export interface Entry {
  baseOffset: bigint;
  lastOffset: bigint;
  firstTimestamp: bigint;
  maxTimestamp: bigint;
  position: number;
  size: number;
  /** The batch bytes while they are in the partition's recent-batch cache. */
  cached?: Buffer;
}

export interface Segment {
  readonly baseOffset: bigint;
  readonly file: string;
  readonly entries: Entry[];
  size: number;
  maxTimestamp: bigint;
  fd: number | undefined;
  dirty: boolean;
}

/** A segment's file name: its base offset, 20 digits, and `.log`. */
export function segmentName(baseOffset: bigint): string {
  return `${baseOffset.toString().padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

/** A partition's `BatchInfo` for an indexed batch and its bytes. */
export function info(e: Entry, bytes: Buffer): BatchInfo {
  return {
    baseOffset: e.baseOffset,
    lastOffset: e.lastOffset,
    maxTimestamp: e.maxTimestamp,
    firstTimestamp: e.firstTimestamp,
    bytes,
  };
}

/** Index of the first entry whose lastOffset >= offset (entries.length if none). */
export function findEntry(entries: Entry[], offset: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.lastOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
