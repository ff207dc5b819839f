/**
 * One partition of the file storage: its segment files (format.ts) and their index (segment-index.ts).
 * Appends write a batch with its base offset patched in, synchronously, to the active segment, which rolls
 * to a new file past `segmentBytes`; reads come from a cache of the newest batches or with one file read per
 * run of batches; retention drops whole segments, oldest first. Opening rebuilds the index through
 * recovery.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BATCH_HEADER_BYTES,
  lastOffsetDeltaOf,
  patchBaseOffset,
  readBatchHeader,
} from '../protocol/record-batch';
import { StorageError } from './errors';
import { fsyncDir, readFully, writeFileAtomic, writeFully } from './file-io';
import { recoverSegment } from './recovery';
import { type Entry, findEntry, info, type Segment, segmentName } from './segment-index';
import type { BatchInfo, PartitionLog, TopicConfig } from './types';

/** What a partition log needs from the storage that owns it. */
export interface SegmentLogHost {
  readonly segmentBytes: number;
  readonly fsyncPolicy: 'os' | 'always' | 'interval';
  readonly cacheBytes: number;
  readonly verifyAllSegments: boolean;
  topicConfig(name: string): TopicConfig | undefined;
  /** Throws once the storage is closed. */
  assertOpen(): void;
}

/** Name of the file holding a partition's DeleteRecords start offset (format.ts). */
export const LOG_START_FILE = 'log-start-offset';

export class FilePartitionLog implements PartitionLog {
  private readonly segments: Segment[] = [];
  private nextOffset = 0n;
  private totalBytes = 0;
  private cacheQueue: Entry[] = [];
  /** Set when the topic is deleted: late callers get empty reads and failing appends, not file errors. */
  private deleted = false;
  private cachedBytes = 0;
  /** The log start offset DeleteRecords set (0 = none); persisted in LOG_START_FILE. */
  private deletedBefore = 0n;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly dir: string,
    private readonly owner: SegmentLogHost,
  ) {}

  /** Scans the partition directory (creating it if missing) and rebuilds the index. */
  load(report: string[]): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const startFile = path.join(this.dir, LOG_START_FILE);
    if (fs.existsSync(startFile)) {
      const text = fs.readFileSync(startFile, 'utf8').trim();
      if (!/^\d{1,19}$/.test(text)) {
        throw new StorageError(
          `${startFile} holds ${JSON.stringify(text)}, not an offset; restore or remove it`,
        );
      }
      this.deletedBefore = BigInt(text);
    }
    const names = fs
      .readdirSync(this.dir)
      .filter((n) => /^\d{20}\.log$/.test(n))
      .sort();
    for (const name of fs.readdirSync(this.dir)) {
      // Leftovers of an interrupted roll or cleanup.
      if (name.endsWith('.deleted') || name.includes('.tmp-'))
        fs.rmSync(path.join(this.dir, name), { force: true });
    }
    let expected: bigint | undefined;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const baseOffset = BigInt(name.slice(0, 20));
      const file = path.join(this.dir, name);
      const segment: Segment = {
        baseOffset,
        file,
        entries: [],
        size: 0,
        maxTimestamp: -1n,
        fd: undefined,
        dirty: false,
      };
      const active = i === names.length - 1;
      const start = expected === undefined || baseOffset > expected ? baseOffset : expected;
      const end = recoverSegment(segment, start, active || this.owner.verifyAllSegments, report);
      if (segment.entries.length === 0 && !active) {
        // An empty closed segment carries no data; drop it.
        fs.rmSync(file, { force: true });
        continue;
      }
      this.segments.push(segment);
      this.totalBytes += segment.size;
      expected = end;
    }
    if (this.segments.length === 0) {
      this.nextOffset = 0n;
      this.roll(0n);
    } else {
      const last = this.segments[this.segments.length - 1]!;
      const lastEntry = last.entries[last.entries.length - 1];
      this.nextOffset = lastEntry ? lastEntry.lastOffset + 1n : last.baseOffset;
      if (expected !== undefined && expected > this.nextOffset) this.nextOffset = expected;
    }
  }

  private activeSegment(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private openFd(segment: Segment): number {
    if (segment.fd === undefined) segment.fd = fs.openSync(segment.file, 'r+');
    return segment.fd;
  }

  /** Closes the active segment (if any) and starts a new, empty one at `baseOffset`. */
  private roll(baseOffset: bigint): void {
    const previous = this.segments[this.segments.length - 1];
    if (previous?.fd !== undefined) {
      if (previous.dirty || this.owner.fsyncPolicy !== 'os') fs.fsyncSync(previous.fd);
      previous.dirty = false;
      fs.closeSync(previous.fd);
      previous.fd = undefined;
    }
    const file = path.join(this.dir, segmentName(baseOffset));
    const fd = fs.openSync(file, 'w+');
    this.segments.push({ baseOffset, file, entries: [], size: 0, maxTimestamp: -1n, fd, dirty: false });
    fsyncDir(this.dir);
  }

  logStartOffset(): bigint {
    const first = this.segments[0]!;
    const stored =
      first.entries[0]?.baseOffset ?? (this.segments.length === 1 ? this.nextOffset : first.baseOffset);
    const start = stored > this.deletedBefore ? stored : this.deletedBefore;
    return start < this.nextOffset ? start : this.nextOffset;
  }

  deleteRecordsBefore(offset: bigint): void {
    this.owner.assertOpen();
    if (this.deleted || offset <= this.logStartOffset()) return;
    // Whole segments before the offset go, as retention would drop them; the active one rolls if needed.
    let drop = 0;
    while (drop < this.segments.length) {
      const seg = this.segments[drop]!;
      const last = seg.entries[seg.entries.length - 1];
      if (!last || last.lastOffset >= offset) break;
      drop++;
    }
    this.deletedBefore = offset;
    writeFileAtomic(path.join(this.dir, LOG_START_FILE), `${offset}\n`);
    if (drop > 0) this.dropSegments(drop);
  }

  highWatermark(): bigint {
    return this.nextOffset;
  }

  append(batch: Buffer, recordCount: number, firstTimestamp: bigint, maxTimestamp: bigint): bigint {
    this.owner.assertOpen();
    if (this.deleted)
      throw new StorageError(`topic ${this.topic} was deleted; partition ${this.partition} is gone`);
    if (batch.length < BATCH_HEADER_BYTES)
      throw new StorageError(`batch of ${batch.length} bytes is too short`);
    // Same rule as the scan on open (and as memory storage), so offsets agree after a restart.
    const { lastOffsetDelta: delta } = readBatchHeader(batch);
    const lastOffsetDelta = Math.max(lastOffsetDeltaOf({ lastOffsetDelta: delta, recordCount }), 0);
    const baseOffset = this.nextOffset;
    const bytes = Buffer.from(batch);
    patchBaseOffset(bytes, baseOffset);
    let segment = this.activeSegment();
    if (segment.size > 0 && segment.size + bytes.length > this.owner.segmentBytes) {
      this.roll(baseOffset);
      segment = this.activeSegment();
    }
    const fd = this.openFd(segment);
    const position = segment.size;
    try {
      writeFully(fd, bytes, position);
      if (this.owner.fsyncPolicy === 'always') fs.fdatasyncSync(fd);
    } catch (err) {
      // Leave no partial batch behind: the produce fails and the next append starts at a clean boundary.
      try {
        fs.ftruncateSync(fd, position);
      } catch {
        // recovery on the next open cuts the torn tail
      }
      throw new StorageError(`cannot append to ${segment.file}: ${(err as Error).message}`, { cause: err });
    }
    segment.dirty = this.owner.fsyncPolicy !== 'always';
    const entry: Entry = {
      baseOffset,
      lastOffset: baseOffset + BigInt(lastOffsetDelta),
      firstTimestamp,
      maxTimestamp,
      position,
      size: bytes.length,
    };
    segment.entries.push(entry);
    segment.size += bytes.length;
    if (maxTimestamp > segment.maxTimestamp) segment.maxTimestamp = maxTimestamp;
    this.totalBytes += bytes.length;
    this.nextOffset = entry.lastOffset + 1n;
    this.cache(entry, bytes);
    // Like memory storage, keep the partition within retention.bytes as it grows, not only at sweeps.
    const retentionBytes = this.owner.topicConfig(this.topic)?.retentionBytes ?? -1;
    if (
      retentionBytes >= 0 &&
      this.segments.length > 1 &&
      this.totalBytes - this.segments[0]!.size >= retentionBytes
    ) {
      this.enforceRetention(Date.now(), false);
    }
    return baseOffset;
  }

  private cache(entry: Entry, bytes: Buffer): void {
    const limit = this.owner.cacheBytes;
    if (bytes.length > limit) return;
    entry.cached = bytes;
    this.cacheQueue.push(entry);
    this.cachedBytes += bytes.length;
    while (this.cachedBytes > limit) {
      const old = this.cacheQueue.shift()!;
      this.cachedBytes -= old.size;
      old.cached = undefined;
    }
  }

  read(offset: bigint, maxBytes: number): BatchInfo[] {
    this.owner.assertOpen();
    const out: BatchInfo[] = [];
    if (this.deleted || offset >= this.nextOffset) return out;
    let segIndex = this.findSegment(offset);
    if (segIndex < 0) return out;
    let entryIndex = findEntry(this.segments[segIndex]!.entries, offset);
    let total = 0;
    while (segIndex < this.segments.length) {
      const segment = this.segments[segIndex]!;
      const entries = segment.entries;
      // Collect the run of batches to return from this segment.
      const from = entryIndex;
      let to = from;
      while (to < entries.length) {
        const size = entries[to]!.size;
        if (out.length + (to - from) > 0 && total + size > maxBytes) break;
        total += size;
        to++;
      }
      if (to > from) this.readRun(segment, from, to, out);
      if (to < entries.length) break;
      segIndex++;
      entryIndex = 0;
    }
    return out;
  }

  /** Appends entries [from, to) of a segment to `out`, from the cache or with one file read. */
  private readRun(segment: Segment, from: number, to: number, out: BatchInfo[]): void {
    const entries = segment.entries;
    // Batches before the first cached one come from the file (the cache holds a suffix of the log).
    let fileEnd = from;
    while (fileEnd < to && entries[fileEnd]!.cached === undefined) fileEnd++;
    if (fileEnd > from) {
      const start = entries[from]!.position;
      const last = entries[fileEnd - 1]!;
      const length = last.position + last.size - start;
      const buf = Buffer.allocUnsafe(length);
      const fd = segment.fd ?? fs.openSync(segment.file, 'r');
      try {
        const n = readFully(fd, buf, start);
        if (n !== length) throw new StorageError(`${segment.file}: short read (${n} of ${length} bytes)`);
      } finally {
        if (segment.fd === undefined) fs.closeSync(fd);
      }
      for (let i = from; i < fileEnd; i++) {
        const e = entries[i]!;
        out.push(info(e, buf.subarray(e.position - start, e.position - start + e.size)));
      }
    }
    for (let i = fileEnd; i < to; i++) {
      const e = entries[i]!;
      if (e.cached) {
        out.push(info(e, e.cached));
      } else {
        // Evicted between checks cannot happen synchronously, but stay correct if the cache is ever shared.
        const buf = Buffer.allocUnsafe(e.size);
        const fd = segment.fd ?? fs.openSync(segment.file, 'r');
        try {
          readFully(fd, buf, e.position);
        } finally {
          if (segment.fd === undefined) fs.closeSync(fd);
        }
        out.push(info(e, buf));
      }
    }
  }

  /** Index of the segment holding `offset` (or the first one after it), -1 if none. */
  private findSegment(offset: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const seg = this.segments[mid]!;
      const last = seg.entries[seg.entries.length - 1];
      if (last === undefined || last.lastOffset >= offset) {
        found = mid;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    // Skip empty segments (only the active one can be empty).
    while (found >= 0 && found < this.segments.length && this.segments[found]!.entries.length === 0) {
      found = found + 1 < this.segments.length ? found + 1 : -1;
    }
    return found;
  }

  offsetForTimestamp(ts: bigint): { offset: bigint; timestamp: bigint } | undefined {
    this.owner.assertOpen();
    for (const segment of this.segments) {
      if (segment.maxTimestamp < ts) continue;
      for (const e of segment.entries) {
        if (e.maxTimestamp >= ts) return { offset: e.baseOffset, timestamp: e.maxTimestamp };
      }
    }
    return undefined;
  }

  enforceRetention(now: number, byTime = true): void {
    this.owner.assertOpen();
    const config = this.owner.topicConfig(this.topic);
    if (!config || this.deleted) return;
    const { retentionMs, retentionBytes } = config;
    let drop = 0;
    if (byTime && retentionMs >= 0) {
      const cutoff = BigInt(Math.floor(now)) - BigInt(retentionMs);
      while (drop < this.segments.length) {
        const seg = this.segments[drop]!;
        if (seg.entries.length === 0 || seg.maxTimestamp >= cutoff) break;
        drop++;
      }
    }
    if (retentionBytes >= 0) {
      let size = this.totalBytes;
      for (let i = 0; i < drop; i++) size -= this.segments[i]!.size;
      while (drop < this.segments.length) {
        const seg = this.segments[drop]!;
        if (seg.entries.length === 0 || size - seg.size < retentionBytes) break;
        size -= seg.size;
        drop++;
      }
    }
    if (drop === 0) return;
    this.dropSegments(drop);
  }

  /** Deletes the `drop` oldest segments (rolling first when that is all of them). */
  private dropSegments(drop: number): void {
    if (drop === this.segments.length) this.roll(this.nextOffset);
    const removed = this.segments.splice(0, drop);
    for (const seg of removed) {
      if (seg.fd !== undefined) fs.closeSync(seg.fd);
      seg.fd = undefined;
      this.totalBytes -= seg.size;
      for (const e of seg.entries) {
        if (e.cached) {
          this.cachedBytes -= e.size;
          e.cached = undefined;
        }
      }
      fs.rmSync(seg.file, { force: true });
    }
    this.cacheQueue = this.cacheQueue.filter((e) => e.cached !== undefined);
    fsyncDir(this.dir);
  }

  sizeBytes(): number {
    return this.totalBytes;
  }

  /** fsyncs the active segment when something was written since the last sync. */
  sync(): void {
    for (const seg of this.segments) {
      if (seg.fd !== undefined && seg.dirty) {
        fs.fdatasyncSync(seg.fd);
        seg.dirty = false;
      }
    }
  }

  /** Closes files and turns further use into empty reads and failing appends. */
  markDeleted(): void {
    this.close();
    this.deleted = true;
    this.cacheQueue = [];
    this.cachedBytes = 0;
  }

  close(): void {
    for (const seg of this.segments) {
      if (seg.fd === undefined) continue;
      if (seg.dirty) fs.fsyncSync(seg.fd);
      fs.closeSync(seg.fd);
      seg.fd = undefined;
      seg.dirty = false;
    }
  }
}
