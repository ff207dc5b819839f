/**
 * File-backed broker storage: records, topics and committed offsets survive a restart or a kill -9.
 *
 * Layout of a data directory:
 *
 *   topics.json                      topic configs; replaced atomically (temp file, fsync, rename)
 *   offsets.log                      committed group offsets: append-only frames, compacted now and then
 *   logs/<topic>/<partition>/<base offset, 20 digits>.log
 *                                    segments: RecordBatch v2 bytes back to back, base offsets patched
 *   broker.lock                      a listening socket: the lock, released by the OS when the broker dies (./lock.ts)
 *
 * Durability: append() hands the batch to the OS with a synchronous write before it returns, so an
 * acknowledged produce survives a kill -9 of the process (`fsync: 'os'`, the default). `fsync: 'always'`
 * also survives power loss at the price of one fsync per append; a number fsyncs dirty files every that
 * many milliseconds.
 *
 * Recovery: on open every segment is scanned to rebuild the in-memory index (offset -> file position,
 * timestamps). The active (last) segment of each partition is checked batch by batch (frame length,
 * magic, CRC-32C over attributes..end, offsets moving forward); the first bad batch and everything after
 * it is a torn tail and is truncated. Older segments were complete when they rolled; their CRCs are
 * checked only with `verifyAllSegments`. The offsets log is replayed the same way: the first short or
 * corrupt frame ends it and is cut off.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { lockDataDirectory } from './lock';
import type { BatchInfo, BrokerStorage, CommittedOffset, PartitionLog, TopicConfig } from './types';

export interface FileStorageOptions {
  /** A partition rolls to a new segment file when the active one would grow past this. Default 64 MiB. */
  readonly segmentBytes?: number;
  /**
   * When appended data is forced to disk. 'os' (default): a synchronous write per append, durable against
   * a crash of the process, not of the machine. 'always': fsync per append. A number: fsync dirty
   * segments every that many milliseconds (in addition to the per-append write).
   */
  readonly fsync?: 'os' | 'always' | number;
  /** Recently appended batches kept in memory per partition to serve tail reads without I/O. Default 4 MiB. */
  readonly cacheBytes?: number;
  /** Check the CRC of every batch of every segment on open, not only of the active segments. Default false. */
  readonly verifyAllSegments?: boolean;
  /** Rewrite the offsets log once it holds this many more frames than live offsets. Default 10000. */
  readonly offsetsCompactionSlack?: number;
}

/** What recovery found and fixed on open, for logs and tests. */
export interface RecoveryReport {
  /** One line per truncation: which file, at which position, why. */
  readonly truncations: string[];
}

export type FileBrokerStorage = BrokerStorage & {
  readonly dir: string;
  readonly recovery: RecoveryReport;
};

// RecordBatch v2 header: field offsets in bytes.
const BASE_OFFSET = 0;
const BATCH_LENGTH = 8;
const MAGIC = 16;
const CRC = 17;
const ATTRIBUTES = 21;
const LAST_OFFSET_DELTA = 23;
const FIRST_TIMESTAMP = 27;
const MAX_TIMESTAMP = 35;
const RECORDS_COUNT = 57;
const HEADER_BYTES = 61;
/** BaseOffset + BatchLength precede the length-counted part of a batch. */
const LOG_OVERHEAD = 12;
/** A batch longer than this is treated as garbage during recovery. */
const MAX_BATCH_BYTES = 256 * 1024 * 1024;

const SEGMENT_SUFFIX = '.log';
const OFFSETS_FILE = 'offsets.log';
const TOPICS_FILE = 'topics.json';
const LOGS_DIR = 'logs';
const FRAME_HEADER = 8;
const MAX_OFFSET_FRAME = 1024 * 1024;

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly retriable = false;
}

/** Opens (creating if needed) the data directory `dir`, recovering from a crash if there was one. */
export async function openFileStorage(
  dir: string,
  options: FileStorageOptions = {},
): Promise<FileBrokerStorage> {
  const storage = new FileStorage(path.resolve(dir), options);
  try {
    storage.guard = await lockDataDirectory(storage.dir);
    storage.open();
  } catch (err) {
    // Release what was opened (files, the lock) so that a fixed directory can be opened again.
    await storage.close().catch(() => undefined);
    throw err;
  }
  return storage;
}

interface Entry {
  baseOffset: bigint;
  lastOffset: bigint;
  firstTimestamp: bigint;
  maxTimestamp: bigint;
  position: number;
  size: number;
  /** The batch bytes while they are in the partition's recent-batch cache. */
  cached?: Buffer;
}

interface Segment {
  readonly baseOffset: bigint;
  readonly file: string;
  readonly entries: Entry[];
  size: number;
  maxTimestamp: bigint;
  fd: number | undefined;
  dirty: boolean;
}

function segmentName(baseOffset: bigint): string {
  return `${baseOffset.toString().padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

function topicDirName(topic: string): string {
  // Kafka topic names are [a-zA-Z0-9._-]; encoding keeps any other name from escaping the directory.
  return encodeURIComponent(topic).replace(/^\.{1,2}$/, (m) => m.replace(/\./g, '%2E'));
}

function writeFully(fd: number, buf: Buffer, position: number | null): void {
  let done = 0;
  while (done < buf.length) {
    const n = fs.writeSync(fd, buf, done, buf.length - done, position === null ? null : position + done);
    done += n;
  }
}

function readFully(fd: number, buf: Buffer, position: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeFully(fd, Buffer.isBuffer(data) ? data : Buffer.from(data), 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

class FilePartitionLog implements PartitionLog {
  private readonly segments: Segment[] = [];
  private nextOffset = 0n;
  private totalBytes = 0;
  private cacheQueue: Entry[] = [];
  /** Set when the topic is deleted: late callers get empty reads and failing appends, not file errors. */
  private deleted = false;
  private cachedBytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly dir: string,
    private readonly owner: FileStorage,
  ) {}

  /** Scans the partition directory (creating it if missing) and rebuilds the index. */
  load(report: string[]): void {
    fs.mkdirSync(this.dir, { recursive: true });
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
      const end = this.scan(segment, start, active || this.owner.verifyAllSegments, report);
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

  /**
   * Indexes the batches of one segment file. Returns the next expected offset. With `verify`, the first
   * batch that fails a check (short, bad magic or length, CRC mismatch, offsets going backwards) and
   * everything after it is truncated.
   */
  private scan(segment: Segment, startOffset: bigint, verify: boolean, report: string[]): bigint {
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
        const head = view(pos, HEADER_BYTES);
        if (!head) {
          bad = 'short batch header';
          break;
        }
        const batchLength = head.readInt32BE(BATCH_LENGTH);
        const size = LOG_OVERHEAD + batchLength;
        if (batchLength < HEADER_BYTES - LOG_OVERHEAD || size > MAX_BATCH_BYTES) {
          bad = `impossible batch length ${batchLength}`;
          break;
        }
        if (head.readInt8(MAGIC) !== 2) {
          bad = `magic ${head.readInt8(MAGIC)} instead of 2`;
          break;
        }
        const baseOffset = head.readBigInt64BE(BASE_OFFSET);
        const lastOffset =
          baseOffset +
          BigInt(Math.max(head.readInt32BE(LAST_OFFSET_DELTA), head.readInt32BE(RECORDS_COUNT) - 1));
        const firstTimestamp = head.readBigInt64BE(FIRST_TIMESTAMP);
        const maxTimestamp = head.readBigInt64BE(MAX_TIMESTAMP);
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
          const stored = whole.readUInt32BE(CRC);
          if (crc32c(whole.subarray(ATTRIBUTES)) !== stored) {
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
    return first.entries[0]?.baseOffset ?? (this.segments.length === 1 ? this.nextOffset : first.baseOffset);
  }

  highWatermark(): bigint {
    return this.nextOffset;
  }

  append(batch: Buffer, recordCount: number, firstTimestamp: bigint, maxTimestamp: bigint): bigint {
    this.owner.assertOpen();
    if (this.deleted)
      throw new StorageError(`topic ${this.topic} was deleted; partition ${this.partition} is gone`);
    if (batch.length < HEADER_BYTES) throw new StorageError(`batch of ${batch.length} bytes is too short`);
    // Same rule as the scan on open (and as memory storage), so offsets agree after a restart.
    const lastOffsetDelta = Math.max(batch.readInt32BE(LAST_OFFSET_DELTA), recordCount - 1, 0);
    const baseOffset = this.nextOffset;
    const bytes = Buffer.from(batch);
    bytes.writeBigInt64BE(baseOffset, BASE_OFFSET);
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

function info(e: Entry, bytes: Buffer): BatchInfo {
  return {
    baseOffset: e.baseOffset,
    lastOffset: e.lastOffset,
    maxTimestamp: e.maxTimestamp,
    firstTimestamp: e.firstTimestamp,
    bytes,
  };
}

/** Index of the first entry whose lastOffset >= offset (entries.length if none). */
function findEntry(entries: Entry[], offset: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.lastOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface OffsetRecord {
  /** 'c' = commit, 'd' = delete all offsets of a topic. */
  k: 'c' | 'd';
  g?: string;
  t: string;
  p?: number;
  o?: string;
  e?: number;
  m?: string | null;
  ts?: string;
}

/** Committed group offsets: a map in memory, an append-only framed log on disk. */
class OffsetsLog {
  private fd: number | undefined;
  private size = 0;
  private frames = 0;
  /** group -> "topic\0partition" -> value */
  readonly groups = new Map<
    string,
    Map<string, { topic: string; partition: number; value: CommittedOffset }>
  >();

  constructor(
    private readonly file: string,
    private readonly owner: FileStorage,
  ) {}

  load(report: string[]): void {
    const data = fs.existsSync(this.file) ? fs.readFileSync(this.file) : Buffer.alloc(0);
    let pos = 0;
    let bad: string | undefined;
    while (pos < data.length) {
      if (pos + FRAME_HEADER > data.length) {
        bad = 'short frame header';
        break;
      }
      const length = data.readUInt32BE(pos);
      const crc = data.readUInt32BE(pos + 4);
      if (length > MAX_OFFSET_FRAME) {
        bad = `impossible frame length ${length}`;
        break;
      }
      if (pos + FRAME_HEADER + length > data.length) {
        bad = `frame of ${length} bytes cut short`;
        break;
      }
      const payload = data.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + length);
      if (crc32c(payload) !== crc) {
        bad = 'CRC-32C mismatch';
        break;
      }
      let record: OffsetRecord;
      try {
        record = JSON.parse(payload.toString('utf8')) as OffsetRecord;
      } catch {
        bad = 'unparseable payload';
        break;
      }
      this.apply(record);
      this.frames++;
      pos += FRAME_HEADER + length;
    }
    this.fd = fs.openSync(this.file, fs.existsSync(this.file) ? 'r+' : 'w+');
    if (bad !== undefined) {
      report.push(`${this.file}: truncated at byte ${pos} of ${data.length}: ${bad}`);
      fs.ftruncateSync(this.fd, pos);
      fs.fsyncSync(this.fd);
    }
    this.size = pos;
  }

  private apply(r: OffsetRecord): void {
    if (r.k === 'd') {
      for (const [group, offsets] of this.groups) {
        for (const [key, v] of offsets) if (v.topic === r.t) offsets.delete(key);
        if (offsets.size === 0) this.groups.delete(group);
      }
      return;
    }
    const group = r.g ?? '';
    let offsets = this.groups.get(group);
    if (!offsets) {
      offsets = new Map();
      this.groups.set(group, offsets);
    }
    offsets.set(`${r.t}\0${r.p}`, {
      topic: r.t,
      partition: r.p ?? 0,
      value: {
        offset: BigInt(r.o ?? '-1'),
        leaderEpoch: r.e ?? -1,
        metadata: r.m ?? null,
        commitTimestamp: BigInt(r.ts ?? '-1'),
      },
    });
  }

  private liveCount(): number {
    let n = 0;
    for (const offsets of this.groups.values()) n += offsets.size;
    return n;
  }

  append(record: OffsetRecord): void {
    const frame = encodeFrame(record);
    writeFully(this.fd!, frame, this.size);
    if (this.owner.fsyncPolicy === 'always') fs.fdatasyncSync(this.fd!);
    this.size += frame.length;
    this.frames++;
    this.apply(record);
    if (this.frames > this.liveCount() + this.owner.offsetsCompactionSlack) this.compact();
  }

  /** Rewrites the log with one frame per live offset (temp file, fsync, rename). */
  compact(): void {
    const frames: Buffer[] = [];
    for (const [group, offsets] of this.groups) {
      for (const { topic, partition, value } of offsets.values())
        frames.push(encodeFrame(commitRecord(group, topic, partition, value)));
    }
    const data = Buffer.concat(frames);
    fs.closeSync(this.fd!);
    this.fd = undefined;
    writeFileAtomic(this.file, data);
    this.fd = fs.openSync(this.file, 'r+');
    this.size = data.length;
    this.frames = frames.length;
  }

  sync(): void {
    if (this.fd !== undefined) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function commitRecord(group: string, topic: string, partition: number, value: CommittedOffset): OffsetRecord {
  return {
    k: 'c',
    g: group,
    t: topic,
    p: partition,
    o: value.offset.toString(),
    e: value.leaderEpoch,
    m: value.metadata,
    ts: value.commitTimestamp.toString(),
  };
}

function encodeFrame(record: OffsetRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32c(payload), 4);
  payload.copy(frame, FRAME_HEADER);
  return frame;
}

interface StoredTopic {
  /** Replaced by updateTopic (AlterConfigs, CreatePartitions). */
  config: TopicConfig;
  readonly partitions: FilePartitionLog[];
}

class FileStorage implements BrokerStorage {
  readonly segmentBytes: number;
  readonly fsyncPolicy: 'os' | 'always' | 'interval';
  readonly cacheBytes: number;
  readonly verifyAllSegments: boolean;
  readonly offsetsCompactionSlack: number;
  readonly recovery: RecoveryReport = { truncations: [] };
  private readonly topics = new Map<string, StoredTopic>();
  private readonly offsets: OffsetsLog;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The data directory's lock (./lock.ts), held from open to close. */
  guard: { release(): Promise<void> } | undefined;

  constructor(
    readonly dir: string,
    private readonly options: FileStorageOptions,
  ) {
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    const fsync = options.fsync ?? 'os';
    this.fsyncPolicy = typeof fsync === 'number' ? 'interval' : fsync;
    this.cacheBytes = options.cacheBytes ?? 4 * 1024 * 1024;
    this.verifyAllSegments = options.verifyAllSegments ?? false;
    this.offsetsCompactionSlack = options.offsetsCompactionSlack ?? 10_000;
    this.offsets = new OffsetsLog(path.join(dir, OFFSETS_FILE), this);
  }

  open(): void {
    fs.mkdirSync(path.join(this.dir, LOGS_DIR), { recursive: true });
    const configs = this.readTopics();
    for (const config of configs) this.topics.set(config.name, this.loadTopic(config));
    this.removeOrphans();
    this.offsets.load(this.recovery.truncations);
    if (typeof this.options.fsync === 'number') {
      this.timer = setInterval(() => this.syncAll(), this.options.fsync);
      this.timer.unref();
    }
  }

  private readTopics(): TopicConfig[] {
    const file = path.join(this.dir, TOPICS_FILE);
    if (!fs.existsSync(file)) return [];
    let parsed: { topics: TopicConfig[] };
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { topics: TopicConfig[] };
      if (!Array.isArray(parsed.topics)) throw new Error('no "topics" array');
    } catch (err) {
      // Written only by rename of a complete file, so this is damage from outside: do not guess.
      throw new StorageError(
        `${file} is unreadable (${(err as Error).message}); restore it or remove the data directory`,
        { cause: err },
      );
    }
    return parsed.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      retentionMs: t.retentionMs,
      retentionBytes: t.retentionBytes,
      configs: { ...t.configs },
    }));
  }

  private writeTopics(): void {
    const topics = [...this.topics.values()].map((t) => t.config);
    writeFileAtomic(path.join(this.dir, TOPICS_FILE), `${JSON.stringify({ version: 1, topics }, null, 2)}\n`);
  }

  private topicDir(name: string): string {
    return path.join(this.dir, LOGS_DIR, topicDirName(name));
  }

  private loadTopic(config: TopicConfig): StoredTopic {
    const partitions: FilePartitionLog[] = [];
    for (let p = 0; p < config.partitions; p++) {
      const log = new FilePartitionLog(
        config.name,
        p,
        path.join(this.topicDir(config.name), String(p)),
        this,
      );
      log.load(this.recovery.truncations);
      partitions.push(log);
    }
    return { config, partitions };
  }

  /** Removes log directories of topics that topics.json does not list (a crash mid create or delete). */
  private removeOrphans(): void {
    const known = new Set([...this.topics.keys()].map(topicDirName));
    for (const name of fs.readdirSync(path.join(this.dir, LOGS_DIR))) {
      if (!known.has(name)) fs.rmSync(path.join(this.dir, LOGS_DIR, name), { recursive: true, force: true });
    }
  }

  assertOpen(): void {
    if (this.closed) throw new StorageError(`storage in ${this.dir} is closed`);
  }

  topicConfig(name: string): TopicConfig | undefined {
    return this.topics.get(name)?.config;
  }

  listTopics(): TopicConfig[] {
    return [...this.topics.values()].map((t) => t.config);
  }

  createTopic(config: TopicConfig): void {
    this.assertOpen();
    if (this.topics.has(config.name)) throw new StorageError(`topic ${config.name} already exists`);
    const copy: TopicConfig = { ...config, configs: { ...config.configs } };
    // Partition directories first, then topics.json: the rename is the commit point.
    fs.rmSync(this.topicDir(config.name), { recursive: true, force: true });
    this.topics.set(config.name, this.loadTopic(copy));
    this.writeTopics();
  }

  deleteTopic(name: string): void {
    this.assertOpen();
    const topic = this.topics.get(name);
    if (!topic) return;
    for (const log of topic.partitions) log.markDeleted();
    this.topics.delete(name);
    this.writeTopics();
    fs.rmSync(this.topicDir(name), { recursive: true, force: true });
    if ([...this.offsets.groups.values()].some((o) => [...o.values()].some((v) => v.topic === name))) {
      this.offsets.append({ k: 'd', t: name });
    }
  }

  /** New configs and (only growing) partitions of a topic; topics.json is replaced atomically. */
  updateTopic(config: TopicConfig): void {
    this.assertOpen();
    const topic = this.topics.get(config.name);
    if (!topic) throw new StorageError(`topic ${config.name} does not exist; create it first`);
    if (config.partitions < topic.partitions.length)
      throw new StorageError(`topic ${config.name} cannot shrink`);
    const copy: TopicConfig = { ...config, configs: { ...config.configs } };
    // New partition directories first, then topics.json: the rename is the commit point.
    for (let p = topic.partitions.length; p < copy.partitions; p++) {
      const dir = path.join(this.topicDir(copy.name), String(p));
      fs.rmSync(dir, { recursive: true, force: true });
      const log = new FilePartitionLog(copy.name, p, dir, this);
      log.load(this.recovery.truncations);
      topic.partitions.push(log);
    }
    topic.config = copy;
    this.writeTopics();
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  commitOffset(group: string, topic: string, partition: number, value: CommittedOffset): void {
    this.assertOpen();
    this.offsets.append(commitRecord(group, topic, partition, value));
  }

  fetchOffset(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.groups.get(group)?.get(`${topic}\0${partition}`)?.value;
  }

  committedOffsets(group: string): { topic: string; partition: number; value: CommittedOffset }[] {
    return [...(this.offsets.groups.get(group)?.values() ?? [])].map((v) => ({ ...v }));
  }

  groupsWithOffsets(): string[] {
    return [...this.offsets.groups.keys()];
  }

  /** fsyncs everything written since the last sync. */
  syncAll(): void {
    if (this.closed) return;
    for (const topic of this.topics.values()) for (const log of topic.partitions) log.sync();
    this.offsets.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const topic of this.topics.values()) for (const log of topic.partitions) log.close();
    this.offsets.close();
    await this.guard?.release();
  }
}
